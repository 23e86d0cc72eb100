package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * What {@link AbstractBatchLoss} hands to a subclass: one labelled batch, its pairwise distances
 * and which pairs are positive (same class, not the same example) or negative (different class),
 * plus the masked reductions that online mining needs, written so that every one has a finite
 * gradient.
 *
 * <p>Shapes: {@code B} examples of dimension {@code E}; {@link #distances()} and the pair masks are
 * {@code [B, B]} with the anchor as row; {@link #hasPositive()} and {@link #hasNegative()} are
 * {@code [B]}. Everything is of the embeddings' type {@code T}, except the {@link TBool} masks.
 *
 * <p>One instance lives for one {@link AbstractBatchLoss#call call} and holds that call's {@link
 * Ops}; do not keep it. All of it is built into the graph when the batch is made, but TensorFlow
 * runs only what the loss's value depends on.
 *
 * <pre>{@code
 * // Inside AbstractBatchLoss.terms(tf, batch): the hardest positive of each anchor.
 * Operand<T> hardest = batch.maskedMax(batch.distances(), batch.isPositive(), 1);   // [B]
 * }</pre>
 *
 * @param <T> the floating type of the embeddings
 */
public final class PairwiseBatch<T extends TNumber> {
  private final Ops tf;
  private final Operand<T> embeddings;
  private final Operand<TInt32> labels;
  private final Operand<T> distances;
  private final Operand<TBool> isPositive;
  private final Operand<TBool> isNegative;
  private final Operand<TBool> hasPositive;
  private final Operand<TBool> hasNegative;

  PairwiseBatch(Ops tf, Operand<T> embeddings, Operand<TInt32> labels, Distance distance) {
    this.tf = tf;
    this.embeddings = embeddings;
    this.labels = labels;
    this.distances = distance.pairwise(tf, embeddings);
    Operand<TBool> same =
        tf.math.equal(tf.expandDims(labels, tf.constant(1)), tf.expandDims(labels, tf.constant(0)));
    Operand<TInt32> n = tf.gather(tf.shape(labels), tf.constant(0), tf.constant(0));
    Operand<TInt32> idx = tf.range(tf.constant(0), n, tf.constant(1));
    Operand<TBool> self =
        tf.math.equal(tf.expandDims(idx, tf.constant(1)), tf.expandDims(idx, tf.constant(0)));
    this.isPositive = tf.math.logicalAnd(same, tf.math.logicalNot(self));
    this.isNegative = tf.math.logicalNot(same);
    this.hasPositive = tf.reduceAny(isPositive, tf.constant(1));
    this.hasNegative = tf.reduceAny(isNegative, tf.constant(1));
  }

  /** The embeddings, shape {@code [B, E]}. */
  public Operand<T> embeddings() {
    return embeddings;
  }

  /** The class labels, shape {@code [B]}. */
  public Operand<TInt32> labels() {
    return labels;
  }

  /**
   * {@code D_ij}, the loss's {@link Distance} between examples {@code i} and {@code j}, shape
   * {@code [B, B]}, with a zero diagonal.
   */
  public Operand<T> distances() {
    return distances;
  }

  /** True where {@code i != j} and the labels are equal: {@code (i, j)} is a positive pair. */
  public Operand<TBool> isPositive() {
    return isPositive;
  }

  /** True where the labels differ: {@code j} is a negative of anchor {@code i}. */
  public Operand<TBool> isNegative() {
    return isNegative;
  }

  /** {@link #isPositive()} as 1 and 0 of type {@code T}, shape {@code [B, B]}. */
  public Operand<T> positives() {
    return asNumbers(isPositive);
  }

  /** {@link #isNegative()} as 1 and 0 of type {@code T}, shape {@code [B, B]}. */
  public Operand<T> negatives() {
    return asNumbers(isNegative);
  }

  /** True for an anchor with at least one positive in the batch, shape {@code [B]}. */
  public Operand<TBool> hasPositive() {
    return hasPositive;
  }

  /** True for an anchor with at least one negative in the batch, shape {@code [B]}. */
  public Operand<TBool> hasNegative() {
    return hasNegative;
  }

  /** 1 for every anchor, of type {@code T}, shape {@code [B]}: the mask of per-anchor terms. */
  public Operand<T> everyAnchor() {
    return tf.fill(tf.shape(labels), constant(1.0));
  }

  /** A scalar constant of type {@code T}. */
  public Operand<T> constant(double value) {
    return Distances.scalar(tf, value, embeddings);
  }

  /** A boolean mask as 1 and 0 of type {@code T}. */
  public Operand<T> asNumbers(Operand<TBool> mask) {
    return tf.dtypes.cast(mask, embeddings.type());
  }

  /** {@code max(x, 0)} elementwise. */
  public Operand<T> hinge(Operand<T> x) {
    return tf.math.maximum(x, tf.zerosLike(x));
  }

  /**
   * The maximum of {@code x} along {@code axis} over the entries where {@code mask} is true. A row
   * with no such entry gives a finite value below every entry of {@code x}, with no gradient; mask
   * such rows out of the terms. The gradient reaches only the entries that attain the maximum.
   *
   * @param x any shape; {@code mask} and {@code x} may broadcast against each other
   * @param axis the axis to reduce, which disappears from the result
   */
  public Operand<T> maskedMax(Operand<T> x, Operand<TBool> mask, int axis) {
    Operand<T> low = tf.stopGradient(outside(x, false));
    return tf.reduceMax(tf.select(mask, x, low), tf.constant(axis));
  }

  /**
   * The minimum of {@code x} along {@code axis} over the entries where {@code mask} is true; a row
   * with no such entry gives a finite value above every entry of {@code x}, with no gradient.
   *
   * @see #maskedMax
   */
  public Operand<T> maskedMin(Operand<T> x, Operand<TBool> mask, int axis) {
    Operand<T> high = tf.stopGradient(outside(x, true));
    return tf.reduceMin(tf.select(mask, x, high), tf.constant(axis));
  }

  /**
   * {@code log(sum exp(x))} along {@code axis} over the entries where {@code mask} is true,
   * computed without overflow (the row's maximum is taken out first) and without NaN in the
   * backward pass. A row with no such entry gives the finite value that {@link #maskedMax} gives
   * it, instead of {@code log 0}; mask such rows out of the terms. Combine with {@code softplus}
   * for {@code log(1 + sum exp(x))}.
   *
   * @param x any shape; {@code mask} must have the shape of {@code x}, or broadcast to it
   * @param axis the axis to reduce, which disappears from the result
   */
  public Operand<T> maskedLogSumExp(Operand<T> x, Operand<TBool> mask, int axis) {
    Operand<T> max = tf.stopGradient(maskedMax(x, mask, axis));
    Operand<T> shifted = tf.math.sub(x, tf.expandDims(max, tf.constant(axis)));
    Operand<T> zeros = tf.zerosLike(shifted);
    // Double select: unselected entries see exp(0), so no inf meets a zero gradient as 0 * inf.
    Operand<T> exp = tf.select(mask, tf.math.exp(tf.select(mask, shifted, zeros)), zeros);
    Operand<T> sum = tf.reduceSum(exp, tf.constant(axis));
    // A selected row sums to at least exp(0) = 1; an empty one to exactly 0.
    Operand<TBool> any = tf.math.greater(sum, constant(0.5));
    Operand<T> safe = tf.select(any, sum, constant(1.0));
    return tf.math.add(max, tf.math.log(safe));
  }

  /** A scalar strictly below ({@code above == false}) or above every entry of {@code x}. */
  private Operand<T> outside(Operand<T> x, boolean above) {
    Operand<T> flat = tf.reshape(x, tf.constant(new int[] {-1}));
    Operand<T> edge =
        above ? tf.reduceMax(flat, tf.constant(0)) : tf.reduceMin(flat, tf.constant(0));
    Operand<T> step = tf.math.add(tf.math.abs(edge), constant(1.0));
    return above ? tf.math.add(edge, step) : tf.math.sub(edge, step);
  }

  static <T extends TNumber> PairwiseBatch<T> of(
      Ops tf, Operand<T> embeddings, Operand<TInt32> labels, Distance distance) {
    return new PairwiseBatch<>(
        Objects.requireNonNull(tf, "tf"),
        Objects.requireNonNull(embeddings, "embeddings"),
        Objects.requireNonNull(labels, "labels"),
        Objects.requireNonNull(distance, "distance"));
  }
}
