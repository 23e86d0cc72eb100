package io.siamese.losses;

import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The contrastive loss of Hadsell, Chopra and LeCun (2006) on the distance {@code d} of each pair:
 *
 * <pre>
 *   l = s * d^2 + (1 - s) * max(margin - d, 0)^2
 * </pre>
 *
 * where {@code s} is 1 for a similar pair and 0 for a dissimilar one, then reduced over the batch
 * ({@link Reduction#MEAN} by default). Similar pairs are pulled together; dissimilar pairs are
 * pushed apart until they are {@code margin} away.
 *
 * <p><b>Labels.</b> The label convention is part of the loss and must be chosen explicitly: with
 * {@link PairLabelConvention#SIMILAR_IS_ONE} (TensorFlow Addons, Keras) a label 1 means similar;
 * with {@link PairLabelConvention#SIMILAR_IS_ZERO} (the 2006 paper) a label 0 does. Only the meaning
 * of the label changes: the formula above is the same for both (the paper's factor 1/2 on both terms
 * is not applied), so the numbers match TensorFlow Addons' {@code contrastive_loss}.
 *
 * <pre>{@code
 * PairLoss loss = ContrastiveLoss.similarIsOne();          // margin 1, Euclidean, mean
 * PairLoss paper = ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO).margin(2.0).build();
 * }</pre>
 *
 * <p>Worked example (Euclidean, margin 1): a similar pair 0.5 apart costs 0.25; a dissimilar pair
 * 0.25 apart costs (1 - 0.25)^2 = 0.5625; their mean is 0.40625.
 *
 * <p>Immutable and stateless: one instance serves any graph.
 */
public final class ContrastiveLoss implements PairLoss {
  private final PairLabelConvention convention;
  private final double margin;
  private final Distance distance;
  private final Reduction reduction;

  private ContrastiveLoss(Builder b) {
    this.convention = b.convention;
    this.margin = Double.isNaN(b.margin) ? 1.0 : b.margin;
    this.distance = b.distance == null ? Distances.EUCLIDEAN : b.distance;
    this.reduction = b.reduction == null ? Reduction.MEAN : b.reduction;
  }

  /** Labels 1 = similar, margin 1, Euclidean distance, mean over the batch. */
  public static ContrastiveLoss similarIsOne() {
    return builder(PairLabelConvention.SIMILAR_IS_ONE).build();
  }

  /** Labels 1 = similar, the given margin, Euclidean distance, mean over the batch. */
  public static ContrastiveLoss similarIsOne(double margin) {
    return builder(PairLabelConvention.SIMILAR_IS_ONE).margin(margin).build();
  }

  /** A builder for labels in {@code convention}; margin, distance and reduction are optional. */
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

  /** The distance beyond which dissimilar pairs cost nothing. */
  public double margin() {
    return margin;
  }

  /** How the per-pair terms are combined. */
  public Reduction reduction() {
    return reduction;
  }

  @Override
  public <T extends TNumber> Operand<T> call(
      Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels) {
    Objects.requireNonNull(tf, "tf");
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Objects.requireNonNull(labels, "labels");
    Distances.checkRank(labels, 1, "labels");
    Operand<T> d = distance.rowwise(tf, left, right);
    Operand<T> similar = convention.similarMask(tf, labels);
    Operand<T> gap = tf.math.sub(Distances.scalar(tf, margin, d), d);
    Operand<T> hinge = tf.math.maximum(gap, tf.zerosLike(gap));
    Operand<T> perPair =
        tf.math.add(
            tf.math.mul(similar, tf.math.square(d)),
            tf.math.mul(tf.math.sub(Distances.scalar(tf, 1.0, similar), similar), tf.math.square(hinge)));
    return reduction.apply(tf, perPair);
  }

  @Override
  public String toString() {
    return "ContrastiveLoss(" + convention + ", margin " + margin + ", " + distance + ", "
        + reduction + ")";
  }

  /** Settings of a {@link ContrastiveLoss}; each may be set once. */
  public static final class Builder {
    private final PairLabelConvention convention;
    private double margin = Double.NaN;
    private Distance distance;
    private Reduction reduction;

    private Builder(PairLabelConvention convention) {
      this.convention = Objects.requireNonNull(convention, "the label convention must be chosen");
    }

    /** The margin, finite and {@code > 0}; 1.0 if not set. */
    public Builder margin(double margin) {
      if (!Double.isNaN(this.margin)) {
        throw new IllegalStateException("margin was already set to " + this.margin);
      }
      if (!(Double.isFinite(margin) && margin > 0)) {
        throw new IllegalArgumentException("margin must be finite and > 0, got " + margin);
      }
      this.margin = margin;
      return this;
    }

    /** The distance; {@link Distances#EUCLIDEAN} if not set. */
    public Builder distance(Distance distance) {
      if (this.distance != null) {
        throw new IllegalStateException("distance was already set to " + this.distance);
      }
      this.distance = Objects.requireNonNull(distance, "distance");
      return this;
    }

    /** The reduction; {@link Reduction#MEAN} if not set. */
    public Builder reduction(Reduction reduction) {
      if (this.reduction != null) {
        throw new IllegalStateException("reduction was already set to " + this.reduction);
      }
      this.reduction = Objects.requireNonNull(reduction, "reduction");
      return this;
    }

    /** The loss. */
    public ContrastiveLoss build() {
      return new ContrastiveLoss(this);
    }
  }
}
