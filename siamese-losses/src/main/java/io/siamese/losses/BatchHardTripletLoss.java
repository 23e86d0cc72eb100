package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * The batch-hard triplet loss (Hermans, Beyer and Leibe 2017; TensorFlow Addons' {@code
 * triplet_hard_loss}): each anchor {@code a} of a labelled batch is paired with its hardest
 * positive and its hardest negative,
 *
 * <pre>
 *   hp_a = max { D_ap : y_p = y_a, p != a }      hn_a = min { D_an : y_n != y_a }
 *   l_a  = max(hp_a - hn_a + margin, 0)          (hard margin, the default)
 *   l_a  = log(1 + exp(hp_a - hn_a))             (soft margin, {@link #softMargin()})
 * </pre>
 *
 * and the loss is the {@link Reduction#MEAN} over all {@code B} anchors (or their {@link
 * Reduction#SUM}, or {@link Reduction#MEAN_OVER_NONZERO}). Defaults, those of TensorFlow Addons:
 * margin 1.0, non-squared {@link Distances#EUCLIDEAN}. (TensorFlow Addons before 0.8, and {@code
 * tf.contrib} before it, used squared distances; pass {@link Distances#SQUARED_EUCLIDEAN} to match
 * those.) The gradient reaches only the hardest pairs; where several pairs tie for hardest it is
 * shared among them.
 *
 * <p>Labels are class ids, shape {@code [B]}. An anchor without a positive or without a negative in
 * the batch has no triplet: its term is 0, and it still counts in the mean over {@code B}. So a
 * batch of one class, or of singletons only, or of one example gives 0 and a zero gradient, never
 * NaN. (TensorFlow Addons gives such an anchor {@code hp = 0} and {@code hn =} its farthest example
 * instead; the two agree on every batch in which each anchor has a positive and a negative, such as
 * a P x K batch with {@code P, K >= 2}.)
 *
 * <pre>{@code
 * BatchLoss loss = BatchHardTripletLoss.create();
 * // 1-D embeddings 0, 0.5, 2, 3 with labels 0, 0, 1, 1: hp = 0.5, 0.5, 1, 1 and
 * // hn = 2, 1.5, 1.5, 2.5, so only anchor 2 costs (1 - 1.5 + 1 = 0.5) and the mean is 0.125.
 * // BatchHardTripletLoss.softMargin() on the same batch: 0.297541...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call.
 */
public final class BatchHardTripletLoss extends AbstractBatchLoss {
  private static final double DEFAULT_MARGIN = 1.0;

  private final double margin;
  private final boolean soft;

  private BatchHardTripletLoss(
      double margin, boolean soft, Distance distance, Reduction reduction) {
    super(distance, reduction);
    this.margin = margin;
    this.soft = soft;
  }

  /** TensorFlow Addons' defaults: margin 1.0, {@link Distances#EUCLIDEAN}, mean over anchors. */
  public static BatchHardTripletLoss create() {
    return builder().build();
  }

  /**
   * The soft-margin variant {@code log(1 + exp(hp - hn))}, which has no margin and never stops
   * pushing: {@link Distances#EUCLIDEAN}, mean over anchors.
   */
  public static BatchHardTripletLoss softMargin() {
    return builder().soft().build();
  }

  /**
   * A builder; margin (1.0) or soft margin, distance ({@link Distances#EUCLIDEAN}) and reduction
   * ({@link Reduction#MEAN}) may each be set once.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The margin, in units of {@link #distance()}; not used by the soft-margin variant. */
  public double margin() {
    return margin;
  }

  /** Whether this is the soft-margin variant. */
  public boolean isSoft() {
    return soft;
  }

  /** Terms of shape {@code [B]}, one per anchor; 0 for an anchor without a triplet. */
  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    Operand<T> d = batch.distances();
    Operand<T> gap =
        tf.math.sub(
            batch.maskedMax(d, batch.isPositive(), 1), batch.maskedMin(d, batch.isNegative(), 1));
    Operand<T> perAnchor =
        soft ? tf.math.softplus(gap) : batch.hinge(tf.math.add(gap, batch.constant(margin)));
    Operand<TBool> valid = tf.math.logicalAnd(batch.hasPositive(), batch.hasNegative());
    Operand<T> values = tf.select(valid, perAnchor, tf.zerosLike(perAnchor));
    return Terms.of(values, batch.everyAnchor());
  }

  /** Equal when the margin, softness, distance and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof BatchHardTripletLoss t
        && Double.compare(margin, t.margin) == 0
        && soft == t.soft
        && distance().equals(t.distance())
        && reduction() == t.reduction();
  }

  @Override
  public int hashCode() {
    return Objects.hash(margin, soft, distance(), reduction());
  }

  /**
   * For example {@code BatchHardTripletLoss(margin 1.0, euclidean, MEAN)} or {@code (soft, ...)}.
   */
  @Override
  public String toString() {
    return "BatchHardTripletLoss("
        + (soft ? "soft" : "margin " + margin)
        + ", "
        + distance().name()
        + ", "
        + reduction()
        + ")";
  }

  /** Settings of a {@link BatchHardTripletLoss}; each may be set at most once. */
  public static final class Builder {
    private Double margin;
    private boolean soft;
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
     * Use the soft margin {@code log(1 + exp(hp - hn))}; cannot be combined with {@link #margin}.
     *
     * @throws IllegalStateException if soft was already set
     */
    public Builder soft() {
      Settings.once(soft ? "soft" : null, "soft margin");
      this.soft = true;
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
     * The reduction over anchors: {@link Reduction#MEAN} if not set, or {@link Reduction#SUM} or
     * {@link Reduction#MEAN_OVER_NONZERO}.
     *
     * @throws IllegalArgumentException for {@link Reduction#NONE}
     * @throws IllegalStateException if the reduction was already set
     */
    public Builder reduction(Reduction reduction) {
      Settings.once(this.reduction, "reduction");
      this.reduction = Settings.scalarReduction(reduction);
      return this;
    }

    /**
     * The loss; the builder may be used again, and gives an equal loss.
     *
     * @throws IllegalArgumentException if both a margin and the soft margin were set
     */
    public BatchHardTripletLoss build() {
      if (soft && margin != null) {
        throw new IllegalArgumentException(
            "the soft-margin loss has no margin, but margin was set to " + margin);
      }
      return new BatchHardTripletLoss(
          margin == null ? DEFAULT_MARGIN : margin,
          soft,
          distance == null ? Distances.EUCLIDEAN : distance,
          reduction == null ? Reduction.MEAN : reduction);
    }
  }
}
