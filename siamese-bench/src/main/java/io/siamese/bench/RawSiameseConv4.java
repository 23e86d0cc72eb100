package io.siamese.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * A Siamese Conv-4 training step hand-written in raw TensorFlow Java, the way the TensorFlow
 * tutorials lay out twins: two input placeholders, the encoder applied to each with shared
 * variables, contrastive loss on the Euclidean distance, Adam. The baseline of the training-step
 * benchmark.
 */
final class RawSiameseConv4 implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> left;
  private final Placeholder<TFloat32> right;
  private final Placeholder<TFloat32> labels;
  private final Operand<TFloat32> loss;
  private final Op train;
  private final int side;

  /**
   * @param config the session's configuration, the same as the library's in the same benchmark
   *     (see {@link TfSupport#threads})
   * @param pooling the max-pooling op (see {@link RawPooling})
   */
  RawSiameseConv4(int side, int filters, ConfigProto config, RawPooling pooling) {
    this.side = side;
    Ops tf = Ops.create(graph);
    left = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, 1)));
    right = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, 1)));
    labels = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    List<Variable<TFloat32>> kernels = new ArrayList<>();
    List<Variable<TFloat32>> biases = new ArrayList<>();
    long channels = 1;
    for (int block = 0; block < 4; block++) {
      Ops init = tf.withInitScope();
      Operand<TFloat32> w =
          init.math.mul(
              init.random.statelessRandomNormal(
                  init.constant(new long[] {3, 3, channels, filters}), init.constant(new long[] {block, 3}), TFloat32.class),
              init.constant(0.1f));
      kernels.add(tf.withName("k" + block).variable(w));
      biases.add(tf.withName("b" + block).variable(init.zeros(init.constant(new long[] {filters}), TFloat32.class)));
      channels = filters;
    }
    Operand<TFloat32> a = encode(tf, left, kernels, biases, pooling);
    Operand<TFloat32> b = encode(tf, right, kernels, biases, pooling);
    Operand<TFloat32> d2 = tf.reduceSum(tf.math.square(tf.math.sub(a, b)), tf.constant(1));
    Operand<TBool> positive = tf.math.greater(d2, tf.zerosLike(d2));
    Operand<TFloat32> d =
        tf.select(positive, tf.math.sqrt(tf.select(positive, d2, tf.constant(1f))), tf.zerosLike(d2));
    Operand<TFloat32> hinge = tf.math.maximum(tf.math.sub(tf.constant(1f), d), tf.zerosLike(d));
    Operand<TFloat32> perPair =
        tf.math.add(
            tf.math.mul(labels, tf.math.square(d)),
            tf.math.mul(tf.math.sub(tf.constant(1f), labels), tf.math.square(hinge)));
    loss = tf.math.mean(perPair, tf.constant(0));
    train = new Adam(graph, 1e-3f).minimize(loss);
    session = TfSupport.openSession(graph, config);
  }

  private Operand<TFloat32> encode(
      Ops tf, Operand<TFloat32> x, List<Variable<TFloat32>> kernels, List<Variable<TFloat32>> biases, RawPooling pooling) {
    Operand<TFloat32> h = x;
    int size = side;
    for (int block = 0; block < 4; block++) {
      h = tf.nn.conv2d(h, kernels.get(block), List.of(1L, 1L, 1L, 1L), "SAME");
      h = tf.nn.relu(tf.nn.biasAdd(h, biases.get(block)));
      h = pooling.maxPool2x2(tf, h);
      size /= 2;
    }
    return tf.reshape(h, tf.constant(new int[] {-1, size * size * (int) kernels.get(3).shape().get(3)}));
  }

  /** One Adam step on {@code count} pairs; returns the loss before the update. */
  float step(float[] leftFlat, float[] rightFlat, float[] pairLabels, int count) {
    return step(leftFlat, rightFlat, pairLabels, count, null, null);
  }

  /**
   * One Adam step as {@link #step(float[], float[], float[], int)}, run with {@code options}
   * (tracing, say) when not null; the run's metadata goes to {@code metadata} when not null.
   */
  float step(
      float[] leftFlat, float[] rightFlat, float[] pairLabels, int count, RunOptions options, Consumer<RunMetadata> metadata) {
    long n = (long) count * side * side;
    try (TFloat32 l = TFloat32.tensorOf(Shape.of(count, side, side, 1), DataBuffers.of(leftFlat, true, false).narrow(n));
        TFloat32 r = TFloat32.tensorOf(Shape.of(count, side, side, 1), DataBuffers.of(rightFlat, true, false).narrow(n));
        TFloat32 y = TFloat32.tensorOf(Shape.of(count), DataBuffers.of(pairLabels, true, false).narrow(count))) {
      Session.Runner runner = session.runner().feed(left, l).feed(right, r).feed(labels, y).fetch(loss).addTarget(train);
      if (options != null) {
        runner.setOptions(options);
      }
      try (Result res = metadata != null ? runner.runAndFetchMetadata() : runner.run()) {
        if (metadata != null) {
          res.getMetadata().ifPresent(metadata);
        }
        return ((TFloat32) res.get(0)).getFloat();
      }
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
