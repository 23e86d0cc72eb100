package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * The triplet loss with semi-hard negative mining of FaceNet (Schroff, Kalenichenko and Philbin
 * 2015; TensorFlow Addons' {@code triplet_semihard_loss}): for each positive pair {@code (a, p)} of
 * a labelled batch, the negative is the closest one that is still farther from the anchor than the
 * positive, or, if there is none, the farthest negative:
 *
 * <pre>
 *   n*_ap = argmin { D_an : y_n != y_a, D_an &gt; D_ap }     (strictly farther), else
 *   n*_ap = argmax { D_an : y_n != y_a }
 *   l_ap  = max(D_ap - D_an* + margin, 0)
 * </pre>
 *
 * and the loss is the {@link Reduction#MEAN} over the positive pairs ({@code a != p}, both orders),
 * or their {@link Reduction#SUM}, or {@link Reduction#MEAN_OVER_NONZERO}. Defaults, those of
 * TensorFlow Addons: margin 1.0, non-squared {@link Distances#EUCLIDEAN} (Addons before 0.8 used
 * squared distances: pass {@link Distances#SQUARED_EUCLIDEAN} to match those). Which negative is
 * picked is not differentiated; the gradient flows through {@code D_ap} and {@code D_an*}.
 *
 * <p>Labels are class ids, shape {@code [B]}. Documented outcomes where the reference gives NaN or
 * an arbitrary value: a batch without any positive pair (all labels distinct, or one example) gives
 * 0 with a zero gradient (TensorFlow Addons divides 0 by 0); a batch of a single class has no
 * negatives, and each of its pairs costs 0 but counts in the mean (Addons charges {@code margin +
 * D_ap}), so it gives 0 too. On every batch with at least two classes and one positive pair the
 * values agree with TensorFlow Addons'.
 *
 * <pre>{@code
 * BatchLoss loss = SemiHardTripletLoss.create();
 * // 1-D embeddings 0, 0.5, 2, 3 with labels 0, 0, 1, 1 (4 positive pairs): only (a=2, p=3)
 * // costs, with D_ap = 1 and semi-hard negative 1 (D = 1.5): 1 - 1.5 + 1 = 0.5; mean 0.125.
 * }</pre>
 *
 * <p>Cost: each anchor's negatives are sorted by distance once ({@code TopKV2}) and each pair's
 * negative is found by a binary search of that row ({@code UpperBound}), so the loss takes {@code
 * O(B^2 log B)} time and {@code O(B^2)} memory, a few {@code [B, B]} tensors (1 MB each at {@code B
 * = 512} in float32), where comparing every triplet would take {@code B^3} of both. At {@code B =
 * 512} its forward and backward pass cost about 7% of a Conv-4 training step on the same batch
 * ({@code LossBenchmark}). Where negatives tie exactly for the pick, the gradient reaches one of
 * them instead of being shared among them; the value is the same.
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call.
 */
public final class SemiHardTripletLoss extends AbstractBatchLoss {
  private static final double DEFAULT_MARGIN = 1.0;

  private final double margin;

  private SemiHardTripletLoss(double margin, Distance distance, Reduction reduction) {
    super(distance, reduction);
    this.margin = margin;
  }

  /** TensorFlow Addons' defaults: margin 1.0, {@link Distances#EUCLIDEAN}, mean over pairs. */
  public static SemiHardTripletLoss create() {
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
   * The distance {@code D_an*} from each anchor to the negative this loss picks for the pair {@code
   * (a, p)}, shape {@code [B, B]}; meaningful where {@code (a, p)} is a positive pair and {@code a}
   * has a negative.
   */
  <T extends TNumber> Operand<T> chosenNegativeDistances(Ops tf, PairwiseBatch<T> batch) {
    SortedNegatives<T> sorted = SortedNegatives.of(tf, batch);
    // The sorted position of the first negative strictly farther than the positive: the count of
    // negatives at or below D_ap. Past the row's last negative (none is farther), the farthest.
    Operand<TInt32> firstFarther = sorted.countAtMost(batch.distances()); // [a, p]
    Operand<TInt32> last =
        tf.math.maximum(tf.math.sub(sorted.counts(), tf.constant(1)), tf.constant(0)); // [a]
    Operand<TInt32> position = tf.math.minimum(firstFarther, tf.expandDims(last, tf.constant(1)));
    return sorted.pick(batch.distances(), sorted.pick(sorted.order(), position));
  }

  /** Terms of shape {@code [B, B]} indexed (anchor, positive), positive pairs masked. */
  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    Operand<T> d = batch.distances();
    Operand<T> perPair =
        batch.hinge(
            tf.math.add(
                tf.math.sub(d, chosenNegativeDistances(tf, batch)), batch.constant(margin)));
    Operand<T> values =
        tf.select(
            tf.expandDims(batch.hasNegative(), tf.constant(1)), perPair, tf.zerosLike(perPair));
    return Terms.of(values, batch.positives());
  }

  /** Equal when the margin, distance and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SemiHardTripletLoss t
        && Double.compare(margin, t.margin) == 0
        && distance().equals(t.distance())
        && reduction() == t.reduction();
  }

  @Override
  public int hashCode() {
    return Objects.hash(margin, distance(), reduction());
  }

  /** For example {@code SemiHardTripletLoss(margin 1.0, euclidean, MEAN)}. */
  @Override
  public String toString() {
    return "SemiHardTripletLoss(margin "
        + margin
        + ", "
        + distance().name()
        + ", "
        + reduction()
        + ")";
  }

  /** Settings of a {@link SemiHardTripletLoss}; each may be set at most once. */
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
     * The reduction over positive pairs: {@link Reduction#MEAN} if not set, or {@link
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
    public SemiHardTripletLoss build() {
      return new SemiHardTripletLoss(
          margin == null ? DEFAULT_MARGIN : margin,
          distance == null ? Distances.EUCLIDEAN : distance,
          reduction == null ? Reduction.MEAN : reduction);
    }
  }
}
