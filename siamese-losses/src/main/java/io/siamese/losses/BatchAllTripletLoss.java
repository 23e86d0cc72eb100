package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The batch-all triplet loss (Hermans, Beyer and Leibe 2017): every valid triplet of a labelled
 * batch contributes
 *
 * <pre>
 *   l_apn = max(D_ap - D_an + margin, 0)   for y_a = y_p, a != p, y_n != y_a
 * </pre>
 *
 * and the loss is their {@link Reduction#MEAN} over the valid triplets (the default), their {@link
 * Reduction#SUM}, or with {@link Reduction#MEAN_OVER_NONZERO} their mean over the triplets that
 * still violate the margin, so that easy triplets do not dilute the gradient as training goes on.
 * {@code D} is {@link #distance()} (non-squared {@link Distances#EUCLIDEAN} by default); the margin
 * is in its units (1.0 by default).
 *
 * <p>Labels are class ids, shape {@code [B]}: examples with equal labels form positive pairs. A
 * batch without any valid triplet (no two examples of one class, or only one class, or a single
 * example) gives 0 and a zero gradient, never NaN. Memory grows as {@code B^3}: at {@code B = 512}
 * the triplet tensor has 134 million entries.
 *
 * <pre>{@code
 * BatchLoss loss = BatchAllTripletLoss.create();
 * // 1-D embeddings 0, 0.5, 2, 3 with labels 0, 0, 1, 1: of the 8 valid triplets only
 * // (a=2, p=3, n=1) violates the margin, by 1 - 1.5 + 1 = 0.5, so MEAN gives 0.5 / 8 = 0.0625
 * // and MEAN_OVER_NONZERO gives 0.5.
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call.
 */
public final class BatchAllTripletLoss extends AbstractBatchLoss {
  private static final double DEFAULT_MARGIN = 1.0;

  private final double margin;

  private BatchAllTripletLoss(double margin, Distance distance, Reduction reduction) {
    super(distance, reduction);
    this.margin = margin;
  }

  /** Margin 1.0, {@link Distances#EUCLIDEAN}, {@link Reduction#MEAN} over the valid triplets. */
  public static BatchAllTripletLoss create() {
    return builder().build();
  }

  /**
   * A builder; margin (1.0), distance ({@link Distances#EUCLIDEAN}) and reduction ({@link
   * Reduction#MEAN}) may each be set once.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The margin, in units of {@link #distance()}. */
  public double margin() {
    return margin;
  }

  /** Terms of shape {@code [B, B, B]} indexed (anchor, positive, negative), valid ones masked. */
  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    Operand<T> d = batch.distances();
    Operand<T> ap = tf.expandDims(d, tf.constant(2));
    Operand<T> an = tf.expandDims(d, tf.constant(1));
    Operand<T> values = batch.hinge(tf.math.add(tf.math.sub(ap, an), batch.constant(margin)));
    Operand<T> valid =
        tf.math.mul(
            tf.expandDims(batch.positives(), tf.constant(2)),
            tf.expandDims(batch.negatives(), tf.constant(1)));
    return Terms.of(values, valid);
  }

  /** Equal when the margin, distance and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof BatchAllTripletLoss t
        && Double.compare(margin, t.margin) == 0
        && distance().equals(t.distance())
        && reduction() == t.reduction();
  }

  @Override
  public int hashCode() {
    return Objects.hash(margin, distance(), reduction());
  }

  /** For example {@code BatchAllTripletLoss(margin 1.0, euclidean, MEAN)}. */
  @Override
  public String toString() {
    return "BatchAllTripletLoss(margin "
        + margin
        + ", "
        + distance().name()
        + ", "
        + reduction()
        + ")";
  }

  /** Settings of a {@link BatchAllTripletLoss}; each may be set at most once. */
  public static final class Builder {
    private Double margin;
    private Distance distance;
    private Reduction reduction;

    private Builder() {}

    /**
     * The margin, in units of the distance; 1.0 if not set.
     *
     * @throws IllegalArgumentException if {@code margin} is not finite and {@code >= 0}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double margin) {
      Settings.once(this.margin, "margin");
      this.margin = Settings.nonNegative("margin", margin);
      return this;
    }

    /**
     * The distance; {@link Distances#EUCLIDEAN} if not set.
     *
     * @throws IllegalStateException if the distance was already set
     */
    public Builder distance(Distance distance) {
      Settings.once(this.distance, "distance");
      this.distance = Objects.requireNonNull(distance, "distance");
      return this;
    }

    /**
     * The reduction over the valid triplets: {@link Reduction#MEAN} if not set, or {@link
     * Reduction#SUM} or {@link Reduction#MEAN_OVER_NONZERO}.
     *
     * @throws IllegalArgumentException for {@link Reduction#NONE}
     * @throws IllegalStateException if the reduction was already set
     */
    public Builder reduction(Reduction reduction) {
      Settings.once(this.reduction, "reduction");
      this.reduction = Settings.scalarReduction(reduction);
      return this;
    }

    /** The loss; the builder may be used again, and gives an equal loss. */
    public BatchAllTripletLoss build() {
      return new BatchAllTripletLoss(
          margin == null ? DEFAULT_MARGIN : margin,
          distance == null ? Distances.EUCLIDEAN : distance,
          reduction == null ? Reduction.MEAN : reduction);
    }
  }
}
