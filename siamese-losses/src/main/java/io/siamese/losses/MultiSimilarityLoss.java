package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * The multi-similarity loss of Wang et al. (2019), with its pair mining. On the cosine similarity
 * {@code S_ij = 1 - D_ij} ({@link Distances#COSINE}) of a labelled batch, each anchor {@code i}
 * keeps the informative pairs
 *
 * <pre>
 *   P'_i = { j positive of i : S_ij - epsilon &lt; max_{k negative of i} S_ik }
 *   N'_i = { k negative of i : S_ik + epsilon &gt; min_{j positive of i} S_ij }
 * </pre>
 *
 * (all positives and negatives without mining), and costs
 *
 * <pre>
 *   l_i = 1/alpha * log(1 + sum_{j in P'_i} exp(-alpha (S_ij - base)))
 *       + 1/beta  * log(1 + sum_{k in N'_i} exp( beta (S_ik - base)))
 * </pre>
 *
 * The loss is the {@link Reduction#MEAN} over all {@code B} anchors (or their {@link
 * Reduction#SUM}, or {@link Reduction#MEAN_OVER_NONZERO}). Defaults, those of
 * pytorch-metric-learning's {@code MultiSimilarityLoss} and {@code MultiSimilarityMiner}: alpha 2,
 * beta 50, base 0.5, epsilon 0.1. The sums are taken as log-sum-exp with the maximum factored out,
 * so large alpha or beta do not overflow. Mining is not differentiated.
 *
 * <p>Labels are class ids, shape {@code [B]}. An empty {@code P'_i} or {@code N'_i} contributes 0;
 * with mining, an anchor without negatives keeps no positive and vice versa, so a batch of one
 * class or of singletons gives 0. Never NaN. TensorFlow Addons' {@code MultiSimilarityLoss} uses
 * {@code max(x_i . x_j, 0)} of embeddings it assumes normalised instead of the cosine, base 1.0 and
 * no mining by default; it agrees with {@code builder().base(1.0).noMining()} on normalised
 * embeddings with non-negative cosines.
 *
 * <pre>{@code
 * BatchLoss loss = MultiSimilarityLoss.builder().base(1.0).noMining().build();
 * // TensorFlow Addons' docstring example: embeddings [1], [1], [0] with three distinct labels.
 * // Anchors 0 and 1 have one negative of similarity 1: log(1 + e^0) / 50 each; anchor 2's are
 * // at similarity 0: log(1 + 2 e^-50) / 50, about 0. Mean: 2 ln 2 / 150 = 0.0092419624...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call.
 */
public final class MultiSimilarityLoss extends AbstractBatchLoss {
  private static final double DEFAULT_ALPHA = 2;
  private static final double DEFAULT_BETA = 50;
  private static final double DEFAULT_BASE = 0.5;
  private static final double DEFAULT_EPSILON = 0.1;

  private final double alpha;
  private final double beta;
  private final double base;
  private final double epsilon;
  private final boolean mining;

  private MultiSimilarityLoss(Builder b) {
    super(Distances.COSINE, b.reduction == null ? Reduction.MEAN : b.reduction);
    this.alpha = b.alpha == null ? DEFAULT_ALPHA : b.alpha;
    this.beta = b.beta == null ? DEFAULT_BETA : b.beta;
    this.base = b.base == null ? DEFAULT_BASE : b.base;
    this.epsilon = b.epsilon == null ? DEFAULT_EPSILON : b.epsilon;
    this.mining = !b.noMining;
  }

  /** alpha 2, beta 50, base 0.5, mining with epsilon 0.1, mean over anchors. */
  public static MultiSimilarityLoss create() {
    return builder().build();
  }

  /**
   * A builder; alpha (2), beta (50), base (0.5), epsilon (0.1) or no mining, and reduction ({@link
   * Reduction#MEAN}) may each be set once.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The scale of the positive term. */
  public double alpha() {
    return alpha;
  }

  /** The scale of the negative term. */
  public double beta() {
    return beta;
  }

  /** The similarity {@code lambda} around which pairs are weighed. */
  public double base() {
    return base;
  }

  /** The mining margin; not used without mining. */
  public double epsilon() {
    return epsilon;
  }

  /** Whether pairs are mined before weighting. */
  public boolean isMining() {
    return mining;
  }

  /** Terms of shape {@code [B]}, one per anchor. */
  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    Operand<T> s = tf.math.sub(batch.constant(1.0), batch.distances());
    Operand<TBool> pos = batch.isPositive();
    Operand<TBool> neg = batch.isNegative();
    if (mining) {
      Operand<T> hardestNeg = tf.expandDims(batch.maskedMax(s, neg, 1), tf.constant(1));
      Operand<T> hardestPos = tf.expandDims(batch.maskedMin(s, pos, 1), tf.constant(1));
      Operand<T> eps = batch.constant(epsilon);
      Operand<TBool> keepPos = tf.math.less(tf.math.sub(s, eps), hardestNeg);
      Operand<TBool> keepNeg = tf.math.greater(tf.math.add(s, eps), hardestPos);
      pos = tf.math.logicalAnd(pos, keepPos);
      neg = tf.math.logicalAnd(neg, keepNeg);
    }
    Operand<T> centred = tf.math.sub(s, batch.constant(base));
    Operand<T> posTerm =
        term(tf, batch, tf.math.mul(batch.constant(-alpha), centred), pos, 1 / alpha);
    Operand<T> negTerm = term(tf, batch, tf.math.mul(batch.constant(beta), centred), neg, 1 / beta);
    return Terms.of(tf.math.add(posTerm, negTerm), batch.everyAnchor());
  }

  /** {@code scale * log(1 + sum_{mask} exp(z))} per row, 0 for a row with an empty mask. */
  private static <T extends TNumber> Operand<T> term(
      Ops tf, PairwiseBatch<T> batch, Operand<T> z, Operand<TBool> mask, double scale) {
    Operand<T> value =
        tf.math.mul(tf.math.softplus(batch.maskedLogSumExp(z, mask, 1)), batch.constant(scale));
    return tf.select(tf.reduceAny(mask, tf.constant(1)), value, tf.zerosLike(value));
  }

  /** Equal when every setting is. */
  @Override
  public boolean equals(Object o) {
    return o instanceof MultiSimilarityLoss m
        && Double.compare(alpha, m.alpha) == 0
        && Double.compare(beta, m.beta) == 0
        && Double.compare(base, m.base) == 0
        && Double.compare(epsilon, m.epsilon) == 0
        && mining == m.mining
        && reduction() == m.reduction();
  }

  @Override
  public int hashCode() {
    return Objects.hash(alpha, beta, base, epsilon, mining, reduction());
  }

  /** For example {@code MultiSimilarityLoss(alpha 2.0, beta 50.0, base 0.5, epsilon 0.1, MEAN)}. */
  @Override
  public String toString() {
    return "MultiSimilarityLoss(alpha "
        + alpha
        + ", beta "
        + beta
        + ", base "
        + base
        + (mining ? ", epsilon " + epsilon : ", no mining")
        + ", "
        + reduction()
        + ")";
  }

  /** Settings of a {@link MultiSimilarityLoss}; each may be set at most once. */
  public static final class Builder {
    private Double alpha;
    private Double beta;
    private Double base;
    private Double epsilon;
    private boolean noMining;
    private Reduction reduction;

    private Builder() {}

    /**
     * The scale of the positive term; 2 if not set.
     *
     * @throws IllegalArgumentException if {@code alpha} is not finite and {@code > 0}
     * @throws IllegalStateException if alpha was already set
     */
    public Builder alpha(double alpha) {
      Settings.once(this.alpha, "alpha");
      this.alpha = Settings.positive("alpha", alpha);
      return this;
    }

    /**
     * The scale of the negative term; 50 if not set.
     *
     * @throws IllegalArgumentException if {@code beta} is not finite and {@code > 0}
     * @throws IllegalStateException if beta was already set
     */
    public Builder beta(double beta) {
      Settings.once(this.beta, "beta");
      this.beta = Settings.positive("beta", beta);
      return this;
    }

    /**
     * The similarity margin {@code lambda}; 0.5 if not set (the paper uses 1 on some benchmarks).
     *
     * @throws IllegalArgumentException if {@code base} is not finite
     * @throws IllegalStateException if base was already set
     */
    public Builder base(double base) {
      Settings.once(this.base, "base");
      this.base = Settings.finite("base", base);
      return this;
    }

    /**
     * The mining margin; 0.1 if not set. Cannot be combined with {@link #noMining()}.
     *
     * @throws IllegalArgumentException if {@code epsilon} is not finite and {@code >= 0}
     * @throws IllegalStateException if epsilon was already set
     */
    public Builder epsilon(double epsilon) {
      Settings.once(this.epsilon, "epsilon");
      this.epsilon = Settings.nonNegative("epsilon", epsilon);
      return this;
    }

    /**
     * Weigh every positive and negative pair, without mining (pytorch-metric-learning's loss
     * without its miner).
     *
     * @throws IllegalStateException if no mining was already set
     */
    public Builder noMining() {
      Settings.once(noMining ? "no mining" : null, "mining");
      this.noMining = true;
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
     * @throws IllegalArgumentException if both epsilon and no mining were set
     */
    public MultiSimilarityLoss build() {
      if (noMining && epsilon != null) {
        throw new IllegalArgumentException(
            "epsilon is the mining margin, but mining is off and epsilon was set to " + epsilon);
      }
      return new MultiSimilarityLoss(this);
    }
  }
}
