package io.siamese.losses;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * Sub-center ArcFace (Deng et al. 2020, "Sub-center ArcFace: boosting face recognition by
 * large-scale noisy web faces"): {@link ArcFaceLoss} with {@code K} weight vectors per class, of
 * which an example is compared with the nearest, so that a class may have several modes (and noisy
 * examples gather around a sub-centre of their own instead of pulling the main one).
 *
 * <pre>
 *   W = class_weights, [C * K, E]: row c * K + k is sub-centre k of class c
 *   cos_ic = max_k  x_i . w_(cK+k) / (|x_i| |w_(cK+k)|)
 *   then ArcFace on cos_ic: theta = arccos(cos_iy), t_i = cos(theta + m) (or the fallback),
 *   z_ic = s * (c == y_i ? t_i : cos_ic),  l_i = -log softmax(z_i)_y,  the mean over the batch
 * </pre>
 *
 * <p>Defaults, those of pytorch-metric-learning's {@code SubCenterArcFaceLoss}: {@code K = 3}
 * sub-centres, margin 28.6 degrees, scale 64, the {@link ArcFaceLoss.LargeAngle#LINEAR_FALLBACK}
 * past {@code pi - m}, weights initialised {@code N(0, 1)}. The layout of the rows is
 * pytorch-metric-learning's (its {@code W} is this matrix transposed). The maximum passes the
 * gradient to the nearest sub-centre only (shared among exact ties).
 *
 * <p><b>Degenerate cases</b> as for {@link ArcFaceLoss}; in addition, a sub-centre that is never
 * the nearest of any example of its class is moved only as a negative of other classes' examples.
 * With {@code K = 1} this is {@link ArcFaceLoss}.
 *
 * <pre>{@code
 * LearnedParameterLoss loss =
 *     SubCenterArcFaceLoss.builder(2).subCentres(2).scale(1).margin(0.5).build();
 * // x = (1, 0) of class 0; sub-centres (0, 1), (1, 1) of class 0 and (0, 1), (-1, 0) of class 1:
 * // cos = (max(0, 0.7071), max(0, -1)) = (0.7071, 0): as in ArcFace's example, 0.5623...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} and the class weights are passed per call.
 */
public final class SubCenterArcFaceLoss extends AbstractLearnedParameterLoss {
  private static final int DEFAULT_SUB_CENTRES = 3;

  private final int subCentres;
  private final double margin;
  private final double scale;
  private final ArcFaceLoss.LargeAngle largeAngle;

  private SubCenterArcFaceLoss(
      int classes, int subCentres, double margin, double scale, ArcFaceLoss.LargeAngle rule) {
    super(classes, Distances.COSINE);
    this.subCentres = subCentres;
    this.margin = margin;
    this.scale = scale;
    this.largeAngle = rule;
  }

  /**
   * A builder for {@code classes} classes; sub-centres (3), margin (28.6 degrees), scale (64) and
   * the large-angle rule may each be set once.
   */
  public static Builder builder(int classes) {
    return new Builder(classes);
  }

  /** K, the weight vectors per class. */
  public int subCentres() {
    return subCentres;
  }

  /** The additive angular margin {@code m}, in radians. */
  public double margin() {
    return margin;
  }

  /** The scale {@code s} of the logits. */
  public double scale() {
    return scale;
  }

  /** What the target logit is where {@code theta + m} would pass {@code pi}. */
  public ArcFaceLoss.LargeAngle largeAngle() {
    return largeAngle;
  }

  /** {@code class_weights}, shape {@code [C * K, E]}, initialised {@code N(0, 1)}. */
  @Override
  public List<LossParameter> parameters(int embeddingSize) {
    return List.of(ArcFaceLoss.classWeights((long) classes() * subCentres, embeddingSize));
  }

  @Override
  protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
    Operand<T> all = in.cosines(in.parameter(0)); // [B, C * K]
    Operand<T> grouped = tf.reshape(all, tf.constant(new int[] {-1, classes(), subCentres}));
    Operand<T> cos = tf.reduceMax(grouped, tf.constant(2)); // [B, C]
    return in.mean(
        in.crossEntropy(ArcFaceLoss.logits(tf, in, cos, margin, scale, largeAngle)));
  }

  /** Equal when the classes, sub-centres, margin, scale and large-angle rule are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof SubCenterArcFaceLoss a
        && classes() == a.classes()
        && subCentres == a.subCentres
        && Double.compare(margin, a.margin) == 0
        && Double.compare(scale, a.scale) == 0
        && largeAngle == a.largeAngle;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classes(), subCentres, margin, scale, largeAngle);
  }

  /**
   * For example {@code SubCenterArcFaceLoss(10 classes x 3 sub-centres, margin 0.5 rad, scale
   * 64.0, LINEAR_FALLBACK)}.
   */
  @Override
  public String toString() {
    return "SubCenterArcFaceLoss("
        + classes()
        + " classes x "
        + subCentres
        + " sub-centres, margin "
        + margin
        + " rad, scale "
        + scale
        + ", "
        + largeAngle
        + ")";
  }

  /** Settings of a {@link SubCenterArcFaceLoss}; each may be set at most once. */
  public static final class Builder {
    private final int classes;
    private Integer subCentres;
    private Double margin;
    private Double scale;
    private ArcFaceLoss.LargeAngle largeAngle;

    private Builder(int classes) {
      this.classes = classes;
    }

    /**
     * K, the weight vectors per class; 3 if not set.
     *
     * @throws IllegalArgumentException if {@code subCentres < 1}
     * @throws IllegalStateException if it was already set
     */
    public Builder subCentres(int subCentres) {
      Settings.once(this.subCentres, "subCentres");
      if (subCentres < 1) {
        throw new IllegalArgumentException("subCentres must be >= 1, got " + subCentres);
      }
      this.subCentres = subCentres;
      return this;
    }

    /**
     * The additive angular margin in radians; 28.6 degrees ({@code 0.4992}) if not set.
     *
     * @throws IllegalArgumentException if {@code radians} is not in {@code [0, pi/2]}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double radians) {
      Settings.once(this.margin, "margin");
      this.margin = ArcFaceLoss.angularMargin(radians);
      return this;
    }

    /**
     * The additive angular margin in degrees; 28.6 if not set.
     *
     * @throws IllegalArgumentException if {@code degrees} is not in {@code [0, 90]}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder marginDegrees(double degrees) {
      return margin(Math.toRadians(degrees));
    }

    /**
     * The scale {@code s} of the logits; 64 if not set.
     *
     * @throws IllegalArgumentException if {@code scale} is not in {@code (0, 1e6]}
     * @throws IllegalStateException if the scale was already set
     */
    public Builder scale(double scale) {
      Settings.once(this.scale, "scale");
      this.scale = ArcFaceLoss.logitScale("scale", scale);
      return this;
    }

    /**
     * What the target logit is past {@code theta = pi - m}; {@link
     * ArcFaceLoss.LargeAngle#LINEAR_FALLBACK} if not set.
     *
     * @throws IllegalStateException if it was already set
     */
    public Builder largeAngle(ArcFaceLoss.LargeAngle largeAngle) {
      Settings.once(this.largeAngle, "largeAngle");
      this.largeAngle = Objects.requireNonNull(largeAngle, "largeAngle");
      return this;
    }

    /**
     * The loss; the builder may be used again, and gives an equal loss.
     *
     * @throws IllegalArgumentException if {@code classes < 2}, or {@code classes * subCentres}
     *     exceeds {@link Integer#MAX_VALUE}
     */
    public SubCenterArcFaceLoss build() {
      int k = subCentres == null ? DEFAULT_SUB_CENTRES : subCentres;
      int c = ArcFaceLoss.classCount(classes);
      if ((long) c * k > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "classes x subCentres must be <= " + Integer.MAX_VALUE + ", got " + c + " x " + k);
      }
      return new SubCenterArcFaceLoss(
          c,
          k,
          margin == null ? ArcFaceLoss.DEFAULT_MARGIN : margin,
          scale == null ? ArcFaceLoss.DEFAULT_SCALE : scale,
          largeAngle == null ? ArcFaceLoss.LargeAngle.LINEAR_FALLBACK : largeAngle);
    }
  }
}
