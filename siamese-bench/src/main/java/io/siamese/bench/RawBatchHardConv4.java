package io.siamese.bench;

import java.util.ArrayList;
import java.util.List;
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
import org.tensorflow.op.core.ReduceMax;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A Conv-4 training step with the batch-hard triplet loss hand-written in raw TensorFlow Java, the
 * way TensorFlow Addons' {@code triplet_hard_loss} is written: one labelled batch through the
 * encoder, all pairwise Euclidean distances (by {@code |a|^2 + |b|^2 - 2 a.b}), each anchor's
 * farthest positive and nearest negative found by masking, the hinge with margin 1 averaged over
 * the anchors, Adam 1e-3. The baseline of {@link TrainingStepBenchmark}'s batch-hard rows; the
 * library's {@code BatchHardTripletLoss} computes the same loss on every P x K batch.
 */
final class RawBatchHardConv4 implements AutoCloseable {
  private final Graph graph = new Graph();
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Placeholder<TInt32> labels;
  private final Operand<TFloat32> loss;
  private final Op train;
  private final int side;

  /**
   * @param config the session's configuration, the same as the library's in the same benchmark
   * @param pooling the max-pooling op (see {@link RawPooling})
   */
  RawBatchHardConv4(int side, int filters, ConfigProto config, RawPooling pooling) {
    this.side = side;
    Ops tf = Ops.create(graph);
    input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, 1)));
    labels = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    List<Variable<TFloat32>> kernels = new ArrayList<>();
    List<Variable<TFloat32>> biases = new ArrayList<>();
    long channels = 1;
    for (int block = 0; block < 4; block++) {
      Ops init = tf.withInitScope();
      Operand<TFloat32> w =
          init.math.mul(
              init.random.statelessRandomNormal(
                  init.constant(new long[] {3, 3, channels, filters}), init.constant(new long[] {block, 5}), TFloat32.class),
              init.constant(0.1f));
      kernels.add(tf.withName("k" + block).variable(w));
      biases.add(tf.withName("b" + block).variable(init.zeros(init.constant(new long[] {filters}), TFloat32.class)));
      channels = filters;
    }
    Operand<TFloat32> h = input;
    int size = side;
    for (int block = 0; block < 4; block++) {
      h = tf.nn.conv2d(h, kernels.get(block), List.of(1L, 1L, 1L, 1L), "SAME");
      h = tf.nn.relu(tf.nn.biasAdd(h, biases.get(block)));
      h = pooling.maxPool2x2(tf, h);
      size /= 2;
    }
    Operand<TFloat32> e = tf.reshape(h, tf.constant(new int[] {-1, size * size * filters}));

    // Pairwise distances [B, B]; the square root only where positive, so its gradient stays finite.
    Operand<TFloat32> sq = tf.reduceSum(tf.math.square(e), tf.constant(1));
    Operand<TFloat32> dot = tf.linalg.matMul(e, e, MatMul.transposeB(true));
    Operand<TFloat32> d2 =
        tf.math.maximum(
            tf.math.sub(
                tf.math.add(tf.expandDims(sq, tf.constant(1)), tf.expandDims(sq, tf.constant(0))),
                tf.math.mul(tf.constant(2f), dot)),
            tf.constant(0f));
    Operand<TBool> positive = tf.math.greater(d2, tf.constant(0f));
    Operand<TFloat32> d =
        tf.select(positive, tf.math.sqrt(tf.select(positive, d2, tf.constant(1f))), tf.zerosLike(d2));

    // TensorFlow Addons' masking: distances are >= 0, so zeroing the other classes leaves the
    // farthest positive as the row maximum (the anchor itself adds a 0), and lifting the anchor's
    // own class by the row maximum leaves the nearest negative as the row minimum.
    Operand<TFloat32> same =
        tf.dtypes.cast(
            tf.math.equal(tf.expandDims(labels, tf.constant(1)), tf.expandDims(labels, tf.constant(0))),
            TFloat32.class);
    Operand<TFloat32> hardestPositive = tf.reduceMax(tf.math.mul(d, same), tf.constant(1));
    Operand<TFloat32> rowMax = tf.reduceMax(d, tf.constant(1), ReduceMax.keepDims(true));
    Operand<TFloat32> hardestNegative =
        tf.reduceMin(tf.math.add(d, tf.math.mul(rowMax, same)), tf.constant(1));
    Operand<TFloat32> hinge =
        tf.math.maximum(
            tf.math.add(tf.math.sub(hardestPositive, hardestNegative), tf.constant(1f)), tf.constant(0f));
    loss = tf.math.mean(hinge, tf.constant(0));
    train = new Adam(graph, 1e-3f).minimize(loss);
    session = TfSupport.openSession(graph, config);
  }

  /**
   * One Adam step on {@code count} examples stored back to back in {@code flat}, with class ids
   * {@code classIds}; returns the loss before the update.
   */
  float step(float[] flat, int[] classIds, int count) {
    try (TFloat32 x =
            TFloat32.tensorOf(
                Shape.of(count, side, side, 1), DataBuffers.of(flat, true, false).narrow((long) count * side * side));
        TInt32 y = TInt32.tensorOf(Shape.of(count), DataBuffers.of(classIds, true, false).narrow(count));
        Result r = session.runner().feed(input, x).feed(labels, y).fetch(loss).addTarget(train).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }

  @Override
  public void close() {
    session.close();
    graph.close();
  }
}
