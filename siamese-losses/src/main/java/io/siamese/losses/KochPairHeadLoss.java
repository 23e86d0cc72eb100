package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * The learned-metric pair head of Koch, Zemel and Salakhutdinov (2015) with its binary
 * cross-entropy loss. The probability that two embeddings {@code h1}, {@code h2} show the same
 * class is
 *
 * <pre>
 *   z = sum_j alpha_j |h1_j - h2_j| + b          (the logit)
 *   p = sigmoid(z)
 *   l = -(y log p + (1 - y) log(1 - p))          with y = 1 for a same-class pair
 * </pre>
 *
 * then reduced over the batch ({@link Reduction#MEAN} by default). The cross-entropy is computed
 * from the logit, as {@code max(z, 0) - z y + log(1 + exp(-|z|))}, so it is finite for any {@code
 * z} and its gradient is exactly {@code sigmoid(z) - y}, also at {@code z = 0}.
 *
 * <p><b>The head's weights belong to the model.</b> A loss is stateless, so {@code alpha} (shape
 * {@code [E]}) and {@code b} (a scalar) are operands that the caller passes to every call: the
 * model creates them as variables, trains them with the encoder, saves them with it and passes the
 * same operands to {@link #similarity} at inference. Koch et al. learn them jointly with the
 * encoder; with {@code alpha = -1} and {@code b = 0} the head is a fixed, decreasing function of
 * the L1 distance.
 *
 * <p><b>Labels.</b> As for {@link ContrastiveLoss}, the convention is chosen explicitly: with
 * {@link PairLabelConvention#SIMILAR_IS_ONE} (Koch et al., Keras' binary cross-entropy) a label 1
 * means same class; with {@link PairLabelConvention#SIMILAR_IS_ZERO} a label 0 does. Either way
 * {@code p} is the probability of "same".
 *
 * <pre>{@code
 * KochPairHeadLoss loss = KochPairHeadLoss.similarIsOne();
 * Operand<TFloat32> value = loss.call(tf, h1, h2, labels, alpha, bias);  // [B,E] x2, [B], [E], []
 * // h1 = (1, 2), h2 = (0, 0), alpha = (0.5, -1), b = 1, same class:
 * // z = 0.5 - 2 + 1 = -0.5, p = sigmoid(-0.5) = 0.377541, loss = -log p = 0.974077.
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} and the head's weights are passed per call.
 */
public final class KochPairHeadLoss {
  private final PairLabelConvention convention;
  private final Reduction reduction;

  private KochPairHeadLoss(PairLabelConvention convention, Reduction reduction) {
    this.convention = convention;
    this.reduction = reduction;
  }

  /** Label 1 = same class, {@link Reduction#MEAN}: Koch et al.'s setting. */
  public static KochPairHeadLoss similarIsOne() {
    return builder(PairLabelConvention.SIMILAR_IS_ONE).build();
  }

  /**
   * A builder for labels in {@code convention}; the reduction ({@link Reduction#MEAN}) may be set
   * once.
   *
   * @throws NullPointerException if {@code convention} is null
   */
  public static Builder builder(PairLabelConvention convention) {
    return new Builder(convention);
  }

  /** What a label of 1 means to this loss. */
  public PairLabelConvention labelConvention() {
    return convention;
  }

  /** How the per-pair terms are combined. */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * The logit {@code z = sum_j alpha_j |h1_j - h2_j| + b} of each pair.
   *
   * @param h1 shape {@code [B, E]}
   * @param h2 shape {@code [B, E]}
   * @param alpha the head's weights, shape {@code [E]}
   * @param bias the head's bias, a scalar
   * @return shape {@code [B]}
   * @throws IllegalArgumentException if the static shapes are known and do not fit
   */
  public <T extends TNumber> Operand<T> logits(
      Ops tf, Operand<T> h1, Operand<T> h2, Operand<T> alpha, Operand<T> bias) {
    Objects.requireNonNull(tf, "tf");
    Objects.requireNonNull(h1, "h1");
    Objects.requireNonNull(h2, "h2");
    Objects.requireNonNull(alpha, "alpha");
    Objects.requireNonNull(bias, "bias");
    Distances.checkPaired(h1, h2, "h1", "h2");
    Distances.checkRank(alpha, 1, "alpha");
    Distances.checkRank(bias, 0, "bias");
    Distances.checkSameDim(alpha, 0, h1, 1, "alpha and the embeddings differ in size");
    Operand<T> diff =
        tf.math.sub(Distances.requireFinite(tf, h1, "h1"), Distances.requireFinite(tf, h2, "h2"));
    Operand<T> weighted = tf.math.mul(tf.math.abs(diff), alpha);
    return tf.math.add(tf.reduceSum(weighted, tf.constant(1)), bias);
  }

  /**
   * The probability {@code p = sigmoid(z)} that each pair shows the same class: what a one-shot
   * classifier ranks candidates by (higher is more similar).
   *
   * @return shape {@code [B]}, in {@code (0, 1)}
   * @throws IllegalArgumentException if the static shapes are known and do not fit
   * @see #logits
   */
  public <T extends TNumber> Operand<T> similarity(
      Ops tf, Operand<T> h1, Operand<T> h2, Operand<T> alpha, Operand<T> bias) {
    return tf.math.sigmoid(logits(tf, h1, h2, alpha, bias));
  }

  /**
   * Builds the loss into the graph of {@code tf}.
   *
   * @param h1 embeddings of each pair's first example, shape {@code [B, E]}
   * @param h2 embeddings of each pair's second example, shape {@code [B, E]}
   * @param labels 0 or 1 per pair in {@link #labelConvention()}, shape {@code [B]}
   * @param alpha the head's weights, shape {@code [E]}, owned by the model
   * @param bias the head's bias, a scalar, owned by the model
   * @return a scalar, or the per-pair terms of shape {@code [B]} for {@link Reduction#NONE}
   * @throws IllegalArgumentException if the static shapes are known and do not fit
   */
  public <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> h1, Operand<T> h2, Operand<T> labels, Operand<T> alpha, Operand<T> bias) {
    Objects.requireNonNull(labels, "labels");
    Operand<T> z = logits(tf, h1, h2, alpha, bias);
    Distances.checkRank(labels, 1, "labels");
    Distances.checkSameDim(labels, 0, h1, 0, "labels and embeddings differ in batch size");
    Operand<T> y = convention.similarMask(tf, labels);
    // The selects, not max(z, 0) and |z|, give the exact derivative sigmoid(z) - y at z = 0 too.
    Operand<TBool> nonNegative = tf.math.greaterEqual(z, tf.zerosLike(z));
    Operand<T> relu = tf.select(nonNegative, z, tf.zerosLike(z));
    Operand<T> negAbs = tf.select(nonNegative, tf.math.neg(z), z);
    Operand<T> perPair =
        tf.math.add(tf.math.sub(relu, tf.math.mul(z, y)), tf.math.log1p(tf.math.exp(negAbs)));
    return reduction.apply(tf, perPair);
  }

  /** Equal when the convention and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof KochPairHeadLoss k
        && convention == k.convention
        && reduction == k.reduction;
  }

  @Override
  public int hashCode() {
    return Objects.hash(convention, reduction);
  }

  /** For example {@code KochPairHeadLoss(SIMILAR_IS_ONE, MEAN)}. */
  @Override
  public String toString() {
    return "KochPairHeadLoss(" + convention + ", " + reduction + ")";
  }

  /** Settings of a {@link KochPairHeadLoss}; each may be set at most once. */
  public static final class Builder {
    private final PairLabelConvention convention;
    private Reduction reduction;

    private Builder(PairLabelConvention convention) {
      this.convention =
          Objects.requireNonNull(
              convention,
              "the label convention must be chosen (SIMILAR_IS_ONE or SIMILAR_IS_ZERO)");
    }

    /**
     * The reduction; {@link Reduction#MEAN} if not set.
     *
     * @throws IllegalStateException if the reduction was already set
     */
    public Builder reduction(Reduction reduction) {
      Settings.once(this.reduction, "reduction");
      this.reduction = Objects.requireNonNull(reduction, "reduction");
      return this;
    }

    /** The loss; the builder may be used again, and gives an equal loss. */
    public KochPairHeadLoss build() {
      return new KochPairHeadLoss(convention, reduction == null ? Reduction.MEAN : reduction);
    }
  }
}
