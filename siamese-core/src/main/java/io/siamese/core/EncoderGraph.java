package io.siamese.core;

import io.siamese.data.ExampleShape;
import java.util.ArrayList;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.framework.initializers.Glorot;
import org.tensorflow.framework.initializers.He;
import org.tensorflow.framework.initializers.VarianceScaling;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * The variables of one encoder in one graph, and the ops that apply it to an input.
 *
 * <p>The variables are created once, in the constructor; {@link #apply} may then be called on any
 * number of inputs and always reuses them, which is what makes twins share weights.
 */
final class EncoderGraph {
  private final EncoderSpec spec;
  /** Per layer: its weights and bias, or nulls for layers without variables. */
  private final List<Variable<TFloat32>> weights = new ArrayList<>();
  private final List<Variable<TFloat32>> biases = new ArrayList<>();

  EncoderGraph(Ops tf, EncoderSpec spec, long seed) {
    this.spec = spec;
    Ops init = tf.withInitScope();
    ExampleShape in = spec.inputShape();
    for (int i = 0; i < spec.layers().size(); i++) {
      LayerSpec layer = spec.layers().get(i);
      // A seed per layer, so that inserting a layer leaves the others' draws as they were.
      long layerSeed = seed * 1_000_003L + i;
      // Flat names: the framework's optimizers derive slot names from them and reject '/'.
      String name = "encoder_layer" + i;
      if (layer instanceof Conv2dLayer conv) {
        long[] dims = {conv.kernel(), conv.kernel(), in.channels(), conv.filters()};
        He<TFloat32> he = new He<>(VarianceScaling.Distribution.TRUNCATED_NORMAL, layerSeed);
        weights.add(tf.withName(name + "_kernel").variable(he.call(init, init.constant(dims), TFloat32.class)));
        biases.add(tf.withName(name + "_bias").variable(init.zeros(init.constant(new long[] {conv.filters()}), TFloat32.class)));
      } else if (layer instanceof DenseLayer dense) {
        long[] dims = {in.size(), dense.units()};
        Glorot<TFloat32> glorot = new Glorot<>(VarianceScaling.Distribution.UNIFORM, layerSeed);
        weights.add(tf.withName(name + "_kernel").variable(glorot.call(init, init.constant(dims), TFloat32.class)));
        biases.add(tf.withName(name + "_bias").variable(init.zeros(init.constant(new long[] {dense.units()}), TFloat32.class)));
      } else {
        weights.add(null);
        biases.add(null);
      }
      in = spec.layerOutputShapes().get(i);
    }
  }

  EncoderSpec spec() {
    return spec;
  }

  /**
   * The encoder applied to {@code input}.
   *
   * @param input shape {@code [N, inputShape...]}
   * @return shape {@code [N, embeddingSize]}
   */
  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> input) {
    Operand<TFloat32> x = input;
    for (int i = 0; i < spec.layers().size(); i++) {
      LayerSpec layer = spec.layers().get(i);
      if (layer instanceof Conv2dLayer conv) {
        long s = conv.stride();
        x = tf.nn.conv2d(x, weights.get(i), List.of(1L, s, s, 1L), conv.padding().name());
        x = tf.nn.biasAdd(x, biases.get(i));
      } else if (layer instanceof MaxPoolLayer pool) {
        x = tf.nn.maxPool(
            x,
            tf.constant(new int[] {1, pool.size(), pool.size(), 1}),
            tf.constant(new int[] {1, pool.stride(), pool.stride(), 1}),
            "VALID");
      } else if (layer instanceof FlattenLayer) {
        x = tf.reshape(x, tf.constant(new int[] {-1, spec.layerOutputShapes().get(i).size()}));
      } else if (layer instanceof DenseLayer) {
        x = tf.math.add(tf.linalg.matMul(x, weights.get(i)), biases.get(i));
      } else if (layer instanceof ActivationLayer act) {
        x = activate(tf, x, act.activation());
      } else {
        throw new IllegalStateException("no graph builder for layer " + layer);
      }
    }
    return x;
  }

  private static Operand<TFloat32> activate(Ops tf, Operand<TFloat32> x, Activation activation) {
    switch (activation) {
      case RELU:
        return tf.nn.relu(x);
      case SIGMOID:
        return tf.math.sigmoid(x);
      case TANH:
        return tf.math.tanh(x);
      default:
        throw new IllegalStateException("no graph builder for activation " + activation);
    }
  }
}
