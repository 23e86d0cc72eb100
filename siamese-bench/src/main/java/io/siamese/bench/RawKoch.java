package io.siamese.bench;

import io.siamese.core.encoder.EncoderSpec;
import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;

/**
 * The encoder of Koch, Zemel and Salakhutdinov (2015) hand-written in raw TensorFlow Java ops, the
 * baseline of {@code EncoderForwardBenchmark}'s {@code koch} rows: the layers of {@code
 * EncoderSpec.koch} on a {@code side x side x 1} image (105 in the paper): conv 64@10x10, ReLU,
 * max-pool 2 - conv 128@7x7, ReLU, max-pool 2 - conv 128@4x4, ReLU, max-pool 2 - conv 256@4x4,
 * ReLU (all stride 1, VALID), flatten (9,216 floats at 105x105), dense 4,096, sigmoid. 38.9
 * million parameters; 1.82 GFLOP per image at 105x105.
 *
 * <p>Initialised as {@link RawConv4} is (stateless normal draws times a constant, zero biases),
 * with He's standard deviation {@code sqrt(2 / fan-in)} so that the activations neither vanish
 * nor overflow through the sigmoid.
 */
final class RawKoch implements RawEncoder {
  private static final int[][] CONVS = {{64, 10}, {128, 7}, {128, 4}, {256, 4}}; // filters, kernel
  private static final int DENSE = 4096;

  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Operand<TFloat32> output;
  private final int side;

  /**
   * @param side the image side, at least 77
   * @param config the session's configuration, the same as the library's in the same benchmark
   * @param pooling the max-pooling op (see {@link RawPooling})
   */
  RawKoch(int side, ConfigProto config, RawPooling pooling) {
    this.side = side;
    Ops tf = Ops.create(graph);
    input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, 1)));
    Operand<TFloat32> x = input;
    long channels = 1;
    int size = side;
    for (int i = 0; i < CONVS.length; i++) {
      int filters = CONVS[i][0];
      int kernel = CONVS[i][1];
      Variable<TFloat32> w = weights(tf, i, kernel * kernel * channels, kernel, kernel, channels, filters);
      Variable<TFloat32> b = tf.variable(tf.withInitScope().zeros(tf.constant(new long[] {filters}), TFloat32.class));
      x = tf.nn.conv2d(x, w, List.of(1L, 1L, 1L, 1L), "VALID");
      x = tf.nn.relu(tf.nn.biasAdd(x, b));
      size = size - kernel + 1;
      if (i < CONVS.length - 1) {
        x = pooling.maxPool2x2(tf, x);
        size /= 2;
      }
      channels = filters;
    }
    int flat = size * size * (int) channels;
    x = tf.reshape(x, tf.constant(new int[] {-1, flat}));
    Variable<TFloat32> w = weights(tf, CONVS.length, flat, flat, DENSE);
    Variable<TFloat32> b = tf.variable(tf.withInitScope().zeros(tf.constant(new long[] {DENSE}), TFloat32.class));
    output = tf.math.sigmoid(tf.math.add(tf.linalg.matMul(x, w), b));
    session = TfSupport.openSession(graph, config);
  }

  /** A variable of {@code shape} drawn from a seeded normal of standard deviation sqrt(2 / fanIn). */
  private static Variable<TFloat32> weights(Ops tf, int layer, long fanIn, long... shape) {
    Ops init = tf.withInitScope();
    Operand<TFloat32> normal =
        init.random.statelessRandomNormal(init.constant(shape), init.constant(new long[] {layer, 11}), TFloat32.class);
    return tf.variable(init.math.mul(normal, init.constant((float) Math.sqrt(2.0 / fanIn))));
  }

  @Override
  public void embed(float[] flat, int count, float[] out) {
    try (TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(count, side, side, 1),
                DataBuffers.of(flat, true, false).narrow((long) count * side * side));
        Result r = session.runner().feed(input, x).fetch(output).run()) {
      ((TFloat32) r.get(0)).copyTo(DataBuffers.of(out, false, false).narrow((long) count * DENSE));
    }
  }

  @Override
  public int inputSize() {
    return side * side;
  }

  @Override
  public int outputSize() {
    return DENSE;
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
