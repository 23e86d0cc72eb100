package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
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
 * example) gives 0 and a zero gradient, never NaN.
 *
 * <p>Cost: the triplets are never built one by one. Each anchor's negatives are sorted by distance
 * once ({@code TopKV2}); for a positive pair {@code (a, p)} the violating negatives are then the
 * first {@code k_ap} of the sorted row, those with {@code D_an < D_ap + margin}, found by binary
 * search ({@code LowerBound}), and their terms sum to {@code k_ap (D_ap + margin)} minus a prefix
 * sum of the row ({@code Cumsum}). So the loss takes {@code O(B^2 log B)} time and {@code O(B^2)}
 * memory where the triplet tensor takes {@code B^3} of both (134 million entries at {@code B =
 * 512}); at {@code B = 512} its forward and backward pass cost about 7% of a Conv-4 training step
 * on the same batch ({@code LossBenchmark}). The value is the same sum in another order (in float32
 * within about {@code 1e-7} of float64 at {@code B = 512}, as before), and the gradient with
 * respect to each distance is the same count of violating triplets. {@link #termsOf} gives one
 * term, the already-reduced loss ({@code [1]}, mask {@code [1]}), not {@code [B, B, B]} triplet
 * terms.
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

  /**
   * One term, shape {@code [1]} with mask {@code [1]}: the loss itself, already reduced over the
   * triplets, which are never built one by one (see the class comment). Every {@link Reduction}
   * leaves a single term as it is, so {@link #call} returns it.
   */
  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    PairSums<T> sums = pairSums(tf, batch);
    Operand<T> total = sumOverPositivePairs(tf, batch, sums.hinges());
    Operand<T> loss;
    switch (reduction()) {
      case SUM:
        loss = total;
        break;
      case MEAN:
        loss = safeDivide(tf, batch, total, sumOverPositivePairs(tf, batch, sums.negatives()));
        break;
      case MEAN_OVER_NONZERO:
        loss = safeDivide(tf, batch, total, sumOverPositivePairs(tf, batch, sums.violating()));
        break;
      default:
        throw new IllegalStateException("unknown reduction " + reduction());
    }
    Operand<TInt32> one = tf.constant(new int[] {1});
    return Terms.of(tf.reshape(loss, one), tf.reshape(batch.constant(1.0), one));
  }

  /**
   * Per anchor and positive, shape {@code [B, B]} each: {@code hinges} is {@code sum_n max(D_ap -
   * D_an + margin, 0)} over the negatives {@code n} of {@code a}, {@code violating} how many of
   * those terms are {@code > 0}, {@code negatives} how many negatives {@code a} has (the triplets
   * the pair stands for). Meaningful where {@code (a, p)} is a positive pair; finite everywhere.
   */
  record PairSums<T extends TNumber>(
      Operand<T> hinges, Operand<T> violating, Operand<T> negatives) {}

  /**
   * The per-pair sums of the triplet terms in {@code O(B^2 log B)}: with the negatives of {@code a}
   * sorted by distance, those that violate the margin for {@code (a, p)} are the first {@code k_ap}
   * of them, those with {@code D_an < D_ap + margin}, found by binary search, and their terms sum
   * to {@code k_ap (D_ap + margin) - (D_an1 + ... + D_ank)}, a prefix sum of the sorted row.
   */
  <T extends TNumber> PairSums<T> pairSums(Ops tf, PairwiseBatch<T> batch) {
    SortedNegatives<T> sorted = SortedNegatives.of(tf, batch);
    Operand<T> reach = tf.math.add(batch.distances(), batch.constant(margin)); // [a, p]
    Operand<TInt32> violating = sorted.countBelow(reach); // [a, p]
    Operand<T> k = tf.dtypes.cast(violating, reach.type());
    // A sum of positive terms: the clamp only keeps the rounding of the difference from going
    // below 0 when every term is tiny.
    Operand<T> hinges =
        batch.hinge(
            tf.math.sub(tf.math.mul(k, reach), sorted.pick(sorted.prefixSums(), violating)));
    Operand<T> negatives =
        tf.math.add(
            tf.zerosLike(reach),
            tf.expandDims(tf.dtypes.cast(sorted.counts(), reach.type()), tf.constant(1)));
    return new PairSums<>(hinges, k, negatives);
  }

  private static <T extends TNumber> Operand<T> sumOverPositivePairs(
      Ops tf, PairwiseBatch<T> batch, Operand<T> perPair) {
    return tf.reduceSum(tf.math.mul(perPair, batch.positives()), tf.constant(new int[] {0, 1}));
  }

  /** {@code total / max(count, 1)}: no triplet (or none violating) means a total of 0, not NaN. */
  private static <T extends TNumber> Operand<T> safeDivide(
      Ops tf, PairwiseBatch<T> batch, Operand<T> total, Operand<T> count) {
    return tf.math.div(total, tf.math.maximum(count, batch.constant(1.0)));
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
