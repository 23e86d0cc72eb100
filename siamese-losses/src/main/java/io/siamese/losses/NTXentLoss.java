package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The normalised-temperature cross-entropy loss, NT-Xent (Chen et al. 2020, SimCLR), also known as
 * InfoNCE (van den Oord et al. 2018) and, with temperature 1 and dot products, the multi-class
 * N-pair loss (Sohn 2016). Each positive pair {@code (a, p)} of a labelled batch is a softmax
 * classification of {@code p} against the negatives of {@code a}:
 *
 * <pre>
 *   s_ij  = -D_ij / temperature           (with cosine distance: cos(x_i, x_j) / temperature,
 *                                          up to a constant that the softmax cancels)
 *   l_ap  = -log( exp(s_ap) / (exp(s_ap) + sum_{n : y_n != y_a} exp(s_an)) )
 * </pre>
 *
 * and the loss is the {@link Reduction#MEAN} over the positive pairs (or their {@link
 * Reduction#SUM}, or {@link Reduction#MEAN_OVER_NONZERO}). This is pytorch-metric-learning's {@code
 * NTXentLoss}: other positives of the anchor are not in the denominator. Defaults: {@link
 * Distances#COSINE} and temperature 0.07, as there. The log-sum-exp is taken with the maximum
 * factored out, so a small temperature does not overflow.
 *
 * <p>Labels are class ids, shape {@code [B]}; SimCLR's two augmented views of one image share a
 * label. A batch without a positive pair gives 0; an anchor without negatives (a batch of one
 * class) has nothing to tell its positive from, and its pairs cost 0. Never NaN.
 *
 * <pre>{@code
 * BatchLoss loss = NTXentLoss.builder().temperature(1.0).build();
 * // Embeddings (1,0), (1,0), (0,1), (0,1) with labels 0, 0, 1, 1: each positive pair has cosine
 * // 1 and two negatives of cosine 0, so every term is -log(e / (e + 2)) = 0.551444...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call.
 */
public final class NTXentLoss extends AbstractBatchLoss {
  private static final double DEFAULT_TEMPERATURE = 0.07;

  private final double temperature;

  private NTXentLoss(double temperature, Distance distance, Reduction reduction) {
    super(distance, reduction);
    this.temperature = temperature;
  }

  /** Temperature 0.07, {@link Distances#COSINE}, mean over positive pairs. */
  public static NTXentLoss create() {
    return builder().build();
  }

  /**
   * A builder; temperature (0.07), distance ({@link Distances#COSINE}) and reduction ({@link
   * Reduction#MEAN}) may each be set once.
   */
  public static Builder builder() {
    return new Builder();
  }

  /** The temperature that divides the similarities; smaller is sharper. */
  public double temperature() {
    return temperature;
  }

  /** Terms of shape {@code [B, B]} indexed (anchor, positive), positive pairs masked. */
  @Override
  protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
    Operand<T> logits = tf.math.div(tf.math.neg(batch.distances()), batch.constant(temperature));
    // -log(e^s / (e^s + sum e^n)) = log(1 + e^(lse(n) - s)) = softplus(lse(n) - s).
    Operand<T> negatives = batch.maskedLogSumExp(logits, batch.isNegative(), 1);
    Operand<T> perPair =
        tf.math.softplus(tf.math.sub(tf.expandDims(negatives, tf.constant(1)), logits));
    Operand<T> values =
        tf.select(
            tf.expandDims(batch.hasNegative(), tf.constant(1)), perPair, tf.zerosLike(perPair));
    return Terms.of(values, batch.positives());
  }

  /** Equal when the temperature, distance and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NTXentLoss t
        && Double.compare(temperature, t.temperature) == 0
        && distance().equals(t.distance())
        && reduction() == t.reduction();
  }

  @Override
  public int hashCode() {
    return Objects.hash(temperature, distance(), reduction());
  }

  /** For example {@code NTXentLoss(temperature 0.07, cosine, MEAN)}. */
  @Override
  public String toString() {
    return "NTXentLoss(temperature "
        + temperature
        + ", "
        + distance().name()
        + ", "
        + reduction()
        + ")";
  }

  /** Settings of an {@link NTXentLoss}; each may be set at most once. */
  public static final class Builder {
    private Double temperature;
    private Distance distance;
    private Reduction reduction;

    private Builder() {}

    /**
     * The temperature; 0.07 if not set. SimCLR uses 0.1 to 0.5.
     *
     * @throws IllegalArgumentException if {@code temperature} is not finite and {@code > 0}
     * @throws IllegalStateException if the temperature was already set
     */
    public Builder temperature(double temperature) {
      Settings.once(this.temperature, "temperature");
      this.temperature = Settings.positive("temperature", temperature);
      return this;
    }

    /**
     * The distance, whose negative is the similarity; {@link Distances#COSINE} if not set.
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
    public NTXentLoss build() {
      return new NTXentLoss(
          temperature == null ? DEFAULT_TEMPERATURE : temperature,
          distance == null ? Distances.COSINE : distance,
          reduction == null ? Reduction.MEAN : reduction);
    }
  }
}
