package io.siamese.losses.examples;

import io.siamese.losses.AbstractBatchLoss;
import io.siamese.losses.Distances;
import io.siamese.losses.PairwiseBatch;
import io.siamese.losses.Reduction;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The margin loss of Wu et al. (2017) with a fixed boundary {@code beta}: over every pair of
 * distinct examples, {@code l_ij = max(0, margin + y_ij (D_ij - beta))}, {@code y_ij = +1} for a
 * positive pair and {@code -1} for a negative one; the mean over those pairs.
 */
public final class MarginLoss extends AbstractBatchLoss {
  private final double margin;
  private final double beta;

  public MarginLoss(double margin, double beta) {
    super(Distances.EUCLIDEAN, Reduction.MEAN);
    if (!(margin >= 0 && beta > 0 && Double.isFinite(margin + beta))) {
      throw new IllegalArgumentException("need margin >= 0, beta > 0: " + margin + ", " + beta);
    }
    this.margin = margin;
    this.beta = beta;
  }

  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    Operand<T> sign = tf.math.sub(batch.positives(), batch.negatives()); // +1, -1, 0 on diagonal
    Operand<T> offset = tf.math.sub(batch.distances(), batch.constant(beta));
    Operand<T> values = batch.hinge(tf.math.add(batch.constant(margin), tf.math.mul(sign, offset)));
    return Terms.of(values, tf.math.add(batch.positives(), batch.negatives()));
  }
}
