package io.siamese.bench;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.random.StatelessRandomNormal;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The Conv-4 encoder hand-written in raw TensorFlow Java ops, as a performance engineer would
 * write it without this library: the baseline that measures the cost of the library's
 * abstraction. Same layers, same shapes, same feed and fetch from Java arrays. Weights are normal
 * with standard deviation 0.1, biases zero.
 */
final class RawConv4 implements RawEncoder {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Operand<TFloat32> output;
  private final int side;
  private final int outputSize;

  /**
   * @param config the session's configuration, the same as the library's in the same benchmark
   *     (see {@link TfSupport#threads})
   * @param pooling the max-pooling op (see {@link RawPooling})
   */
  RawConv4(int side, int filters, ConfigProto config, RawPooling pooling) {
    this.side = side;
    Ops tf = Ops.create(graph);
    input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, 1)));
    Operand<TFloat32> x = input;
    long channels = 1;
    int size = side;
    for (int block = 0; block < 4; block++) {
      Ops init = tf.withInitScope();
      StatelessRandomNormal<TFloat32> w =
          init.random.statelessRandomNormal(
              init.constant(new long[] {3, 3, channels, filters}),
              init.constant(new long[] {block, 7}),
              TFloat32.class);
      var kernel = tf.variable(init.math.mul(w, init.constant(0.1f)));
      var bias = tf.variable(init.zeros(init.constant(new long[] {filters}), TFloat32.class));
      x = tf.nn.conv2d(x, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
      x = tf.nn.relu(tf.nn.biasAdd(x, bias));
      x = pooling.maxPool2x2(tf, x);
      channels = filters;
      size /= 2;
    }
    outputSize = size * size * filters;
    output = tf.reshape(x, tf.constant(new int[] {-1, outputSize}));
    session = TfSupport.openSession(graph, config);
  }

  @Override
  public void embed(float[] flat, int count, float[] out) {
    try (TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(count, side, side, 1),
                DataBuffers.of(flat, true, false).narrow((long) count * side * side));
        Result r = session.runner().feed(input, x).fetch(output).run()) {
      ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false).narrow((long) count * outputSize));
    }
  }

  @Override
  public int inputSize() {
    return side * side;
  }

  @Override
  public int outputSize() {
    return outputSize;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
