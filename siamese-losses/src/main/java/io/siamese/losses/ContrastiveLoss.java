package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The contrastive loss of Hadsell, Chopra and LeCun (2006) on the distance {@code d} of each pair:
 *
 * <pre>
 *   l_i = s_i * d_i^2 + (1 - s_i) * max(margin - d_i, 0)^2
 * </pre>
 *
 * where {@code s_i} is 1 for a similar pair and 0 for a dissimilar one, then reduced over the batch
 * ({@link Reduction#MEAN} by default). Similar pairs are pulled together; dissimilar pairs are
 * pushed apart until they are {@code margin} away. {@code d} is whatever {@link #distance()}
 * returns (non-squared {@link Distances#EUCLIDEAN} by default), and {@code margin} is in the same
 * units; with {@link Distances#SQUARED_EUCLIDEAN} the similar term is the fourth power of the
 * Euclidean distance.
 *
 * <p><b>Labels.</b> The label convention is part of the loss and must be chosen explicitly: with
 * {@link PairLabelConvention#SIMILAR_IS_ONE} (TensorFlow Addons, Keras) a label 1 means similar;
 * with {@link PairLabelConvention#SIMILAR_IS_ZERO} (the 2006 paper) a label 0 does. Only the
 * meaning of the label changes: the formula above is the same for both. In particular the paper's
 * factor 1/2 on both terms is <em>not</em> applied under either convention, so the numbers match
 * TensorFlow Addons' {@code contrastive_loss} and are twice the paper's. Labels must be exactly 0
 * or 1; other values are not checked (they are only known when the graph runs) and interpolate
 * between the two terms.
 *
 * <pre>{@code
 * PairLoss loss = ContrastiveLoss.similarIsOne();          // margin 1, Euclidean, mean
 * PairLoss paper = ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO)
 *     .margin(2.0)
 *     .distance(Distances.EUCLIDEAN)
 *     .reduction(Reduction.SUM)
 *     .build();
 * Operand<TFloat32> value = loss.call(tf, left, right, labels);   // [B, E], [B, E], [B] -> []
 * }</pre>
 *
 * <p>Worked example (Euclidean, margin 1, {@code similarIsOne()}): a similar pair 0.5 apart costs
 * 0.5^2 = 0.25; a dissimilar pair 0.25 apart costs (1 - 0.25)^2 = 0.5625; their mean is 0.40625.
 *
 * <p>Immutable and stateless: the {@link Ops} is passed per call, so one instance serves any graph
 * and any floating type.
 */
public final class ContrastiveLoss implements PairLoss {
  private static final double DEFAULT_MARGIN = 1.0;

  private final PairLabelConvention convention;
  private final double margin;
  private final Distance distance;
  private final Reduction reduction;

  private ContrastiveLoss(Builder b) {
    this.convention = b.convention;
    this.margin = b.marginSet ? b.margin : DEFAULT_MARGIN;
    this.distance = b.distance == null ? Distances.EUCLIDEAN : b.distance;
    this.reduction = b.reduction == null ? Reduction.MEAN : b.reduction;
  }

  /**
   * The TensorFlow Addons configuration: label 1 = similar, margin 1.0, {@link
   * Distances#EUCLIDEAN}, {@link Reduction#MEAN}.
   */
  public static ContrastiveLoss similarIsOne() {
    return builder(PairLabelConvention.SIMILAR_IS_ONE).build();
  }

  /**
   * Label 1 = similar, the given margin, {@link Distances#EUCLIDEAN}, {@link Reduction#MEAN}.
   *
   * @param margin finite and {@code > 0}, in units of the Euclidean distance
   * @throws IllegalArgumentException if {@code margin} is not finite and positive
   */
  public static ContrastiveLoss similarIsOne(double margin) {
    return builder(PairLabelConvention.SIMILAR_IS_ONE).margin(margin).build();
  }

  /**
   * A builder for labels in {@code convention}. The convention is required because the two in use
   * are opposite; margin (1.0), distance ({@link Distances#EUCLIDEAN}) and reduction ({@link
   * Reduction#MEAN}) are optional and each may be set once.
   *
   * @throws NullPointerException if {@code convention} is null
   */
  public static Builder builder(PairLabelConvention convention) {
    return new Builder(convention);
  }

  @Override
  public PairLabelConvention labelConvention() {
    return convention;
  }

  @Override
  public Distance distance() {
    return distance;
  }

  /** The distance beyond which dissimilar pairs cost nothing, in units of {@link #distance()}. */
  public double margin() {
    return margin;
  }

  /** How the per-pair terms are combined into the returned value. */
  public Reduction reduction() {
    return reduction;
  }

  /**
   * Builds the loss into the graph of {@code tf}.
   *
   * @param left embeddings of each pair's first example, shape {@code [B, E]}
   * @param right embeddings of each pair's second example, shape {@code [B, E]}
   * @param labels 0 or 1 per pair in {@link #labelConvention()}, shape {@code [B]}
   * @return a scalar, or the per-pair terms of shape {@code [B]} for {@link Reduction#NONE}
   * @throws IllegalArgumentException if the static shapes are known and do not fit
   */
  @Override
  public <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels) {
    Objects.requireNonNull(tf, "tf");
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Objects.requireNonNull(labels, "labels");
    // Checked here as well as in the distance, so the message names this call's arguments and a
    // custom Distance that skips its checks is still covered.
    Distances.checkPaired(left, right, "left", "right");
    Distances.checkRank(labels, 1, "labels");
    Distances.checkSameDim(labels, 0, left, 0, "labels and embeddings differ in batch size");

    Operand<T> d = distance.rowwise(tf, left, right);
    Operand<T> similar = convention.similarMask(tf, labels);
    Operand<T> dissimilar = tf.math.sub(Distances.scalar(tf, 1.0, similar), similar);
    Operand<T> gap = tf.math.sub(Distances.scalar(tf, margin, d), d);
    Operand<T> hinge = tf.math.maximum(gap, tf.zerosLike(gap));
    Operand<T> perPair =
        tf.math.add(
            tf.math.mul(similar, tf.math.square(d)),
            tf.math.mul(dissimilar, tf.math.square(hinge)));
    return reduction.apply(tf, perPair);
  }

  /** Equal when the convention, margin, distance and reduction are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ContrastiveLoss c
        && convention == c.convention
        && Double.compare(margin, c.margin) == 0
        && distance.equals(c.distance)
        && reduction == c.reduction;
  }

  @Override
  public int hashCode() {
    return Objects.hash(convention, margin, distance, reduction);
  }

  /** For example {@code ContrastiveLoss(SIMILAR_IS_ONE, margin 1.0, euclidean, MEAN)}. */
  @Override
  public String toString() {
    return "ContrastiveLoss("
        + convention
        + ", margin "
        + margin
        + ", "
        + distance.name()
        + ", "
        + reduction
        + ")";
  }

  /** Settings of a {@link ContrastiveLoss}; each may be set at most once. */
  public static final class Builder {
    private final PairLabelConvention convention;
    private boolean marginSet;
    private double margin;
    private Distance distance;
    private Reduction reduction;

    private Builder(PairLabelConvention convention) {
      this.convention =
          Objects.requireNonNull(
              convention,
              "the label convention must be chosen (SIMILAR_IS_ONE or SIMILAR_IS_ZERO)");
    }

    /**
     * The margin, in units of the distance; 1.0 if not set.
     *
     * @throws IllegalArgumentException if {@code margin} is not finite and {@code > 0}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double margin) {
      if (marginSet) {
        throw new IllegalStateException("margin was already set to " + this.margin);
      }
      if (!(Double.isFinite(margin) && margin > 0)) {
        throw new IllegalArgumentException("margin must be finite and > 0, got " + margin);
      }
      this.margin = margin;
      this.marginSet = true;
      return this;
    }

    /**
     * The distance; {@link Distances#EUCLIDEAN} if not set.
     *
     * @throws IllegalStateException if the distance was already set
     */
    public Builder distance(Distance distance) {
      if (this.distance != null) {
        throw new IllegalStateException("distance was already set to " + this.distance.name());
      }
      this.distance = Objects.requireNonNull(distance, "distance");
      return this;
    }

    /**
     * The reduction; {@link Reduction#MEAN} if not set.
     *
     * @throws IllegalStateException if the reduction was already set
     */
    public Builder reduction(Reduction reduction) {
      if (this.reduction != null) {
        throw new IllegalStateException("reduction was already set to " + this.reduction);
      }
      this.reduction = Objects.requireNonNull(reduction, "reduction");
      return this;
    }

    /** The loss; the builder may be used again, and gives an equal loss. */
    public ContrastiveLoss build() {
      return new ContrastiveLoss(this);
    }
  }
}
