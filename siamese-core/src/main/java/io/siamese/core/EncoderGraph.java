package io.siamese.core;

import io.siamese.core.encoder.Activation;
import io.siamese.core.encoder.ActivationLayer;
import io.siamese.core.encoder.AvgPoolLayer;
import io.siamese.core.encoder.BatchNormLayer;
import io.siamese.core.encoder.Conv2dLayer;
import io.siamese.core.encoder.DenseLayer;
import io.siamese.core.encoder.DropoutLayer;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.FlattenLayer;
import io.siamese.core.encoder.GlobalPoolLayer;
import io.siamese.core.encoder.L2NormalizeLayer;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.MaxPoolLayer;
import io.siamese.core.encoder.Padding;
import io.siamese.core.encoder.ResNet12BlockLayer;
import io.siamese.core.encoder.ResidualBlockLayer;
import io.siamese.data.ExampleShape;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.ReduceSum;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.random.RandomUniform;
import org.tensorflow.types.TFloat32;

/**
 * The variables of one encoder in one graph, and the ops that apply it to an input.
 *
 * <p>The variables are created once, in the constructor; {@link #apply} may then be called on any
 * number of inputs, in training or inference mode, and always reuses them: that is what makes
 * twins, and the training and inference paths, share weights.
 */
final class EncoderGraph {
  private final EncoderSpec spec;
  private final long seed;
  /** Per layer: its variables by role ("kernel", "bias", "gamma", ...). */
  private final List<Map<String, Variable<TFloat32>>> variables = new ArrayList<>();

  EncoderGraph(Ops tf, EncoderSpec spec, long seed) {
    this.spec = spec;
    this.seed = seed;
    ExampleShape in = spec.inputShape();
    for (int i = 0; i < spec.layers().size(); i++) {
      LayerSpec layer = spec.layers().get(i);
      Map<String, Variable<TFloat32>> vars = new HashMap<>();
      // A seed per layer, so that inserting a layer leaves the others' draws as they were.
      VariableFactory f = new VariableFactory(tf, "encoder_layer" + i, seed * 1_000_003L + 17L * i);
      if (layer instanceof Conv2dLayer conv) {
        vars.put("kernel", f.he("kernel", conv.kernel(), conv.kernel(), in.channels(), conv.filters()));
        vars.put("bias", f.constant("bias", 0f, conv.filters()));
      } else if (layer instanceof DenseLayer dense) {
        vars.put("kernel", f.glorot("kernel", in.size(), dense.units()));
        vars.put("bias", f.constant("bias", 0f, dense.units()));
      } else if (layer instanceof BatchNormLayer) {
        f.batchNorm(vars, "", in.dim(in.rank() - 1));
      } else if (layer instanceof ResNet12BlockLayer block) {
        long c = in.channels();
        long filters = block.filters();
        vars.put("conv1", f.he("conv1", 3, 3, c, filters));
        f.batchNorm(vars, "bn1_", filters);
        vars.put("conv2", f.he("conv2", 3, 3, filters, filters));
        f.batchNorm(vars, "bn2_", filters);
        vars.put("conv3", f.he("conv3", 3, 3, filters, filters));
        f.batchNorm(vars, "bn3_", filters);
        vars.put("shortcut", f.he("shortcut", 1, 1, c, filters));
        f.batchNorm(vars, "bn4_", filters);
      } else if (layer instanceof ResidualBlockLayer res) {
        vars.put("conv1", f.he("conv1", 3, 3, in.channels(), res.filters()));
        f.batchNorm(vars, "bn1_", res.filters());
        vars.put("conv2", f.he("conv2", 3, 3, res.filters(), res.filters()));
        f.batchNorm(vars, "bn2_", res.filters());
        if (res.projects(in)) {
          vars.put("shortcut", f.he("shortcut", 1, 1, in.channels(), res.filters()));
          f.batchNorm(vars, "bn3_", res.filters());
        }
      }
      variables.add(vars);
      in = spec.layerOutputShapes().get(i);
    }
  }

  /**
   * A value to assign to a non-trainable variable with each training step (batch norm's moving
   * statistics). The model creates the assignment, so that it can run only after the step is known
   * to be finite.
   */
  record Update(Variable<TFloat32> variable, Operand<TFloat32> value) {}

  EncoderSpec spec() {
    return spec;
  }

  /** The names of all the encoder's variables, batch norm's moving statistics included: what inference reads. */
  java.util.Set<String> variableNames() {
    java.util.Set<String> names = new java.util.TreeSet<>();
    for (Map<String, Variable<TFloat32>> layer : variables) {
      layer.values().forEach(v -> names.add(v.op().name()));
    }
    return names;
  }

  /** The variables that training changes through gradients: all but batch norm's moving statistics. */
  List<Variable<TFloat32>> trainableVariables() {
    List<Variable<TFloat32>> trainable = new ArrayList<>();
    for (Map<String, Variable<TFloat32>> layer : variables) {
      layer.entrySet().stream()
          .filter(e -> !e.getKey().contains("moving_"))
          .sorted(Map.Entry.comparingByKey())
          .forEach(e -> trainable.add(e.getValue()));
    }
    return trainable;
  }

  /**
   * Whether {@link #apply} builds a different graph for training: where a layer behaves
   * differently (batch norm, dropout), or is built with another op (max-pooling, see {@link
   * #maxPoolForTraining}). Otherwise training can reuse the inference path's ops.
   */
  boolean hasOwnTrainingPath() {
    for (LayerSpec l : spec.layers()) {
      if (l instanceof BatchNormLayer
          || l instanceof DropoutLayer
          || l instanceof ResidualBlockLayer
          || l instanceof ResNet12BlockLayer
          || l instanceof MaxPoolLayer) {
        return true;
      }
    }
    return false;
  }

  /**
   * The encoder applied to {@code input}.
   *
   * @param input shape {@code [N, inputShape...]}
   * @param training true for the training path: batch statistics, dropout on
   * @param updates receives the moving-average updates of the training path, to assign with each
   *     training step
   * @return shape {@code [N, embeddingSize]}
   */
  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> input, boolean training, List<Update> updates) {
    return apply(tf, input, training, updates, null);
  }

  /**
   * A convolution's bias added on one path: the bias variable and the {@code BiasAdd} output. The
   * model takes the bias gradient from the gradient at that output (see {@code ModelGraph}).
   */
  record BiasSite(Variable<TFloat32> bias, Operand<TFloat32> output) {}

  /**
   * The encoder applied to {@code input}, as {@link #apply(Ops, Operand, boolean, List)}, recording
   * each convolution's bias site in {@code biasSites} when not null.
   */
  Operand<TFloat32> apply(Ops tf, Operand<TFloat32> input, boolean training, List<Update> updates, List<BiasSite> biasSites) {
    Operand<TFloat32> x = input;
    for (int i = 0; i < spec.layers().size(); i++) {
      LayerSpec layer = spec.layers().get(i);
      Map<String, Variable<TFloat32>> v = variables.get(i);
      if (training && reluBeforeMaxPool(i)) {
        // max(relu(a), relu(b)) = relu(max(a, b)) exactly, and the gradients agree bit for bit
        // (see reluBeforeMaxPool): pooling first runs the ReLU and its gradient on a quarter of
        // the values.
        MaxPoolLayer pool = (MaxPoolLayer) spec.layers().get(i + 1);
        x = tf.nn.relu(maxPoolForTraining(tf, x, pool.size(), pool.stride()));
        i++;
        continue;
      }
      if (layer instanceof Conv2dLayer conv) {
        x = conv(tf, x, v.get("kernel"), conv.kernel(), conv.stride(), conv.padding());
        x = tf.nn.biasAdd(x, v.get("bias"));
        if (biasSites != null) {
          biasSites.add(new BiasSite(v.get("bias"), x));
        }
      } else if (layer instanceof MaxPoolLayer pool) {
        x = training
            ? maxPoolForTraining(tf, x, pool.size(), pool.stride())
            : tf.nn.maxPool(x, window(tf, pool.size()), window(tf, pool.stride()), "VALID");
      } else if (layer instanceof AvgPoolLayer pool) {
        long size = pool.size();
        long stride = pool.stride();
        x = tf.nn.avgPool(x, List.of(1L, size, size, 1L), List.of(1L, stride, stride, 1L), "VALID");
      } else if (layer instanceof GlobalPoolLayer pool) {
        x = pool.pooling() == GlobalPoolLayer.Pooling.MAX
            ? tf.reduceMax(x, tf.constant(new int[] {1, 2}))
            : tf.math.mean(x, tf.constant(new int[] {1, 2}));
      } else if (layer instanceof FlattenLayer) {
        x = tf.reshape(x, tf.constant(new int[] {-1, spec.layerOutputShapes().get(i).size()}));
      } else if (layer instanceof DenseLayer) {
        x = tf.math.add(tf.linalg.matMul(x, v.get("kernel")), v.get("bias"));
      } else if (layer instanceof ActivationLayer act) {
        x = activate(tf, x, act.activation());
      } else if (layer instanceof BatchNormLayer bn) {
        x = batchNorm(tf, x, v, "", bn.momentum(), bn.epsilon(), training, updates);
      } else if (layer instanceof DropoutLayer drop) {
        if (training && drop.rate() > 0) {
          x = dropout(tf, x, drop.rate(), i);
        }
      } else if (layer instanceof L2NormalizeLayer) {
        Operand<TFloat32> sq = tf.reduceSum(tf.math.square(x), tf.constant(1), ReduceSum.keepDims(true));
        x = tf.math.mul(x, tf.math.rsqrt(tf.math.maximum(sq, tf.constant(1e-24f))));
      } else if (layer instanceof ResidualBlockLayer res) {
        x = residual(tf, x, v, res, training, updates);
      } else if (layer instanceof ResNet12BlockLayer) {
        x = resnet12(tf, x, v, training, updates);
      } else {
        throw new IllegalStateException("no graph builder for layer " + layer);
      }
    }
    return x;
  }

  /**
   * Whether layer {@code i} is a ReLU followed by a max-pooling: the training path then pools
   * first. A ReLU keeps positive values and sends the rest to 0, so the pool picks the same
   * element either way when the window's maximum is positive (ties among positive values break
   * alike), and when it is not, the ReLU's gradient is 0 on the whole window in both orders.
   * Other activations are not swapped: a saturating one can round distinct inputs to equal
   * outputs, and the pooling would then route the gradient to another element.
   */
  private boolean reluBeforeMaxPool(int i) {
    return i + 1 < spec.layers().size()
        && spec.layers().get(i) instanceof ActivationLayer act
        && act.activation() == Activation.RELU
        && spec.layers().get(i + 1) instanceof MaxPoolLayer;
  }

  private Operand<TFloat32> residual(
      Ops tf, Operand<TFloat32> x, Map<String, Variable<TFloat32>> v, ResidualBlockLayer res, boolean training, List<Update> updates) {
    double momentum = 0.99;
    double epsilon = 1e-3;
    Operand<TFloat32> y = conv(tf, x, v.get("conv1"), 3, res.stride(), Padding.SAME);
    y = tf.nn.relu(batchNorm(tf, y, v, "bn1_", momentum, epsilon, training, updates));
    y = conv(tf, y, v.get("conv2"), 3, 1, Padding.SAME);
    y = batchNorm(tf, y, v, "bn2_", momentum, epsilon, training, updates);
    Operand<TFloat32> shortcut = x;
    if (v.containsKey("shortcut")) {
      shortcut = conv(tf, x, v.get("shortcut"), 1, res.stride(), Padding.SAME);
      shortcut = batchNorm(tf, shortcut, v, "bn3_", momentum, epsilon, training, updates);
    }
    return tf.nn.relu(tf.math.add(y, shortcut));
  }

  /** A ResNet-12 block (see {@link ResNet12BlockLayer}); batch norm as Keras' defaults, as in the residual block. */
  private static Operand<TFloat32> resnet12(
      Ops tf, Operand<TFloat32> x, Map<String, Variable<TFloat32>> v, boolean training, List<Update> updates) {
    double momentum = 0.99;
    double epsilon = 1e-3;
    Operand<TFloat32> y = conv(tf, x, v.get("conv1"), 3, 1, Padding.SAME);
    y = leaky(tf, batchNorm(tf, y, v, "bn1_", momentum, epsilon, training, updates));
    y = conv(tf, y, v.get("conv2"), 3, 1, Padding.SAME);
    y = leaky(tf, batchNorm(tf, y, v, "bn2_", momentum, epsilon, training, updates));
    y = conv(tf, y, v.get("conv3"), 3, 1, Padding.SAME);
    y = batchNorm(tf, y, v, "bn3_", momentum, epsilon, training, updates);
    Operand<TFloat32> shortcut = conv(tf, x, v.get("shortcut"), 1, 1, Padding.SAME);
    shortcut = batchNorm(tf, shortcut, v, "bn4_", momentum, epsilon, training, updates);
    Operand<TFloat32> sum = leaky(tf, tf.math.add(y, shortcut));
    return training
        ? maxPoolForTraining(tf, sum, 2, 2)
        : tf.nn.maxPool(sum, window(tf, 2), window(tf, 2), "VALID");
  }

  private static Operand<TFloat32> leaky(Ops tf, Operand<TFloat32> x) {
    return tf.nn.leakyRelu(x, org.tensorflow.op.nn.LeakyRelu.alpha(0.1f));
  }

  /**
   * A convolution of {@code x} [N, H, W, C] with a {@code kernelSize} x {@code kernelSize} kernel.
   *
   * <p>A 1x1 kernel with a stride above 1 is computed as the strided sample of {@code x} followed by
   * a unit-stride 1x1 convolution, which is the same arithmetic (each output reads the one input
   * pixel at stride multiples, with no padding under SAME or VALID). The strided 1x1 convolution
   * itself is avoided because the oneDNN kernel TensorFlow Java 1.1.0 picks for its weight gradient
   * on AVX-512 CPUs ({@code jit_1x1:avx512_core}, backward_weights) corrupts the native heap when
   * the input has fewer than 16 channels: glibc then aborts the JVM ("corrupted size vs. prev_size").
   */
  private static Operand<TFloat32> conv(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> kernel, int kernelSize, int stride, Padding padding) {
    if (kernelSize == 1 && stride > 1) {
      Operand<TFloat32> sampled =
          tf.stridedSlice(
              x,
              tf.constant(new int[] {0, 0, 0, 0}),
              tf.constant(new int[] {0, 0, 0, 0}),
              tf.constant(new int[] {1, stride, stride, 1}),
              org.tensorflow.op.core.StridedSlice.beginMask(0b1111L),
              org.tensorflow.op.core.StridedSlice.endMask(0b1111L));
      return tf.nn.conv2d(sampled, kernel, List.of(1L, 1L, 1L, 1L), Padding.VALID.name());
    }
    long s = stride;
    return tf.nn.conv2d(x, kernel, List.of(1L, s, s, 1L), padding.name());
  }

  private static Operand<org.tensorflow.types.TInt32> window(Ops tf, int size) {
    return tf.constant(new int[] {1, size, size, 1});
  }

  /**
   * Max-pooling for the training path, as TensorFlow's original {@code MaxPool} op, whose window
   * and strides are attributes. TensorFlow Java only wraps {@code MaxPoolV2}, which takes them as
   * tensors. On a oneDNN CPU build only the original op and its gradient are rewritten to oneDNN
   * kernels: the generic {@code MaxPoolGradV2} kernel cost a Conv-4 training step (28x28, 128
   * examples) 27 ms of 83, oneDNN's gradient 3 ms. The inference path keeps {@code MaxPoolV2}:
   * oneDNN's forward pooling is slower for small batches (Conv-4 forward at batch 1: 1,370 against
   * 1,820 calls per second with the generic kernel, equal at 256). Both ops compute the same
   * function and any TensorFlow runtime loads either.
   */
  private static Operand<TFloat32> maxPoolForTraining(Ops tf, Operand<TFloat32> x, int size, int stride) {
    GraphOperation op =
        (GraphOperation)
            tf.scope()
                .opBuilder("MaxPool", "MaxPool")
                .addInput(x.asOutput())
                .setAttr("ksize", new long[] {1, size, size, 1})
                .setAttr("strides", new long[] {1, stride, stride, 1})
                .setAttr("padding", "VALID")
                .build();
    return op.output(0);
  }

  /**
   * {@code FusedBatchNormV3} in training mode on an NHWC batch: outputs the normalised batch (0),
   * the batch mean (1) and the unbiased batch variance (2). One kernel for what the plain ops do in
   * about ten passes over the activations (oneDNN's on a oneDNN build): with batch norm after each
   * convolution, the plain ops nearly doubled a Conv-4 training step (101 against 54 ms at 128
   * examples without batch norm). Its gradient is in TensorFlow's C API.
   */
  private static GraphOperation fusedTrainingBatchNorm(
      Ops tf, Operand<TFloat32> x, Operand<TFloat32> gamma, Operand<TFloat32> beta, double epsilon) {
    // In training the op takes no population statistics: empty tensors stand for them.
    Operand<TFloat32> none = tf.constant(new float[0]);
    return (GraphOperation)
        tf.scope()
            .opBuilder("FusedBatchNormV3", "FusedBatchNormV3")
            .addInput(x.asOutput())
            .addInput(gamma.asOutput())
            .addInput(beta.asOutput())
            .addInput(none.asOutput())
            .addInput(none.asOutput())
            .setAttr("epsilon", (float) epsilon)
            .setAttr("is_training", true)
            .setAttr("data_format", "NHWC")
            .build();
  }

  /**
   * Normalises over every axis but the last, with the batch's mean and (biased) variance in
   * training and the moving averages in inference. Training on images runs TensorFlow's fused
   * kernel ({@link #fusedTrainingBatchNorm}); vectors and inference use plain ops, whose gradients
   * TensorFlow's C API (which TensorFlow Java's gradients use) all has.
   */
  private static Operand<TFloat32> batchNorm(
      Ops tf,
      Operand<TFloat32> x,
      Map<String, Variable<TFloat32>> v,
      String prefix,
      double momentum,
      double epsilon,
      boolean training,
      List<Update> updates) {
    Variable<TFloat32> gamma = v.get(prefix + "gamma");
    Variable<TFloat32> beta = v.get(prefix + "beta");
    Variable<TFloat32> movingMean = v.get(prefix + "moving_mean");
    Variable<TFloat32> movingVariance = v.get(prefix + "moving_variance");
    int rank = x.shape().numDimensions();
    if (training && rank == 4) {
      GraphOperation op = fusedTrainingBatchNorm(tf, x, gamma, beta, epsilon);
      // The op reports the unbiased variance, n / (n - 1) times the biased one it normalised with
      // (the same when n = 1); the moving average keeps the biased one, as the plain-op path does.
      Operand<TFloat32> n =
          tf.dtypes.cast(
              tf.math.div(tf.size(x), tf.constant((int) x.shape().get(3))), TFloat32.class);
      Operand<TFloat32> unbiased = op.output(2);
      Operand<TFloat32> biased =
          tf.math.div(tf.math.mul(unbiased, tf.math.maximum(tf.math.sub(n, tf.constant(1f)), tf.constant(1f))), n);
      addMovingAverages(tf, updates, movingMean, movingVariance, op.output(1), biased, momentum);
      return op.output(0);
    }
    Operand<TFloat32> mean;
    Operand<TFloat32> variance;
    if (training) {
      int[] axes = new int[rank - 1];
      for (int a = 0; a < axes.length; a++) {
        axes[a] = a;
      }
      mean = tf.math.mean(x, tf.constant(axes));
      variance = tf.math.mean(tf.math.square(tf.math.sub(x, mean)), tf.constant(axes));
      addMovingAverages(tf, updates, movingMean, movingVariance, mean, variance, momentum);
    } else {
      mean = movingMean;
      variance = movingVariance;
    }
    Operand<TFloat32> scale = tf.math.mul(gamma, tf.math.rsqrt(tf.math.add(variance, tf.constant((float) epsilon))));
    return tf.math.add(tf.math.mul(tf.math.sub(x, mean), scale), beta);
  }

  /** The moving-average updates of batch norm's statistics, from the batch's {@code mean} and {@code variance}. */
  private static void addMovingAverages(
      Ops tf,
      List<Update> updates,
      Variable<TFloat32> movingMean,
      Variable<TFloat32> movingVariance,
      Operand<TFloat32> mean,
      Operand<TFloat32> variance,
      double momentum) {
    Operand<TFloat32> m = tf.constant((float) momentum);
    Operand<TFloat32> oneMinus = tf.constant((float) (1 - momentum));
    updates.add(new Update(movingMean, tf.math.add(tf.math.mul(movingMean, m), tf.math.mul(tf.stopGradient(mean), oneMinus))));
    updates.add(new Update(movingVariance, tf.math.add(tf.math.mul(movingVariance, m), tf.math.mul(tf.stopGradient(variance), oneMinus))));
  }

  private Operand<TFloat32> dropout(Ops tf, Operand<TFloat32> x, double rate, int layer) {
    Operand<TFloat32> uniform =
        tf.random.randomUniform(tf.shape(x), TFloat32.class, RandomUniform.seed(seed * 31 + 7), RandomUniform.seed2((long) layer + 1));
    // The mask depends only on random draws, so no gradient flows through the comparison.
    Operand<TFloat32> keep = tf.dtypes.cast(tf.math.greaterEqual(uniform, tf.constant((float) rate)), TFloat32.class);
    return tf.math.mul(x, tf.math.mul(keep, tf.constant((float) (1 / (1 - rate)))));
  }

  private static Operand<TFloat32> activate(Ops tf, Operand<TFloat32> x, Activation activation) {
    switch (activation) {
      case RELU:
        return tf.nn.relu(x);
      case SIGMOID:
        return tf.math.sigmoid(x);
      case TANH:
        return tf.math.tanh(x);
      case LEAKY_RELU:
        return tf.nn.leakyRelu(x);
      case ELU:
        return tf.nn.elu(x);
      default:
        throw new IllegalStateException("no graph builder for activation " + activation);
    }
  }
}
