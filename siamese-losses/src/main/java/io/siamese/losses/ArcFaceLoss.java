package io.siamese.losses;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TBool;
import org.tensorflow.types.family.TNumber;

/**
 * ArcFace, the additive angular margin loss of Deng et al. (2019, "ArcFace: additive angular
 * margin loss for deep face recognition"): a softmax classifier over all {@code C} training classes
 * on the hypersphere, with a margin {@code m} added to the angle between an embedding and its own
 * class's weight vector.
 *
 * <pre>
 *   cos_ic = x_i . w_c / (|x_i| |w_c|)             (W = class_weights, [C, E], owned by the model)
 *   theta  = arccos(cos_iy)                         (y = y_i, the example's class)
 *   t_i    = cos(theta + m)            if theta &lt;= pi - m
 *          = cos_iy - m sin m          otherwise     ({@link LargeAngle#LINEAR_FALLBACK})
 *   z_ic   = s * (c == y ? t_i : cos_ic)
 *   l_i    = -log( exp(z_iy) / sum_c exp(z_ic) ),   the loss is the mean over the batch
 * </pre>
 *
 * <p>Defaults, those of pytorch-metric-learning's {@code ArcFaceLoss}: margin 28.6 degrees ({@code
 * 0.4992} rad; the paper's 0.5 rad), scale {@code s = 64}, class weights initialised {@code N(0,
 * 1)}. Past {@code theta = pi - m}, {@code cos(theta + m)} would rise again and reward moving away
 * from the class; like pytorch-metric-learning (and the paper's code, by default) this loss then
 * uses the CosFace-like {@code cos theta - m sin m}, which keeps the target logit falling with the
 * angle. {@link LargeAngle#EASY_MARGIN} (the paper's code's option) applies the margin only where
 * {@code cos theta > 0} and leaves the target's cosine as it is elsewhere.
 *
 * <p>{@code cos(theta + m)} is computed as {@code cos theta cos m - sin theta sin m} with
 * {@code sin theta = sqrt(1 - cos^2 theta)}, not through {@code arccos}, whose derivative is
 * infinite at {@code cos theta = +-1}. Where {@code 1 - cos^2 theta < 1e-6} (within 0.06 degrees
 * of the class vector or its opposite) the value is the same but {@code sin theta} passes no
 * gradient, so the gradient stays finite and bounded when an embedding points at its class. The
 * softmax is taken with the maximum logit factored out.
 *
 * <p><b>Degenerate cases</b>, all finite: a batch of one class is classified against the weights of
 * every other class, seen in the batch or not; a class never sampled still has its weight vector
 * pushed away from the examples of other classes; an empty batch gives 0; a zero embedding has
 * cosine 0 with every class. Labels must be dense ids in {@code [0, C)}; any other label fails the
 * run with an error naming the range.
 *
 * <pre>{@code
 * LearnedParameterLoss loss = ArcFaceLoss.builder(2).scale(1).margin(0.5).build();
 * // x = (1, 0) of class 0, W = [(1, 1), (0, 1)]: cos = (0.7071, 0), theta = pi/4,
 * // t = cos(pi/4 + 0.5) = 0.2815, loss = -log(e^0.2815 / (e^0.2815 + e^0)) = 0.5623...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} and the class weights are passed per call.
 */
public final class ArcFaceLoss extends AbstractLearnedParameterLoss {
  static final double DEFAULT_MARGIN = Math.toRadians(28.6);
  static final double DEFAULT_SCALE = 64;
  static final double MAX_SCALE = 1e6;

  /** What the target logit is where {@code theta + m} would pass {@code pi}. */
  public enum LargeAngle {
    /**
     * {@code cos theta - m sin m} where {@code theta > pi - m}: pytorch-metric-learning's ArcFace
     * and the default of the paper's code; the target logit falls monotonically with the angle.
     */
    LINEAR_FALLBACK,
    /**
     * The margin only where {@code cos theta > 0}; the plain {@code cos theta} elsewhere: the
     * paper's code's {@code easy_margin} option.
     */
    EASY_MARGIN
  }

  private final double margin;
  private final double scale;
  private final LargeAngle largeAngle;

  private ArcFaceLoss(int classes, double margin, double scale, LargeAngle largeAngle) {
    super(classes, Distances.COSINE);
    this.margin = margin;
    this.scale = scale;
    this.largeAngle = largeAngle;
  }

  /**
   * A builder for {@code classes} classes; margin (28.6 degrees), scale (64) and the large-angle
   * rule ({@link LargeAngle#LINEAR_FALLBACK}) may each be set once.
   */
  public static Builder builder(int classes) {
    return new Builder(classes);
  }

  /** The additive angular margin {@code m}, in radians. */
  public double margin() {
    return margin;
  }

  /** The scale {@code s} of the logits: the radius of the hypersphere. */
  public double scale() {
    return scale;
  }

  /** What the target logit is where {@code theta + m} would pass {@code pi}. */
  public LargeAngle largeAngle() {
    return largeAngle;
  }

  /** {@code class_weights}, shape {@code [C, E]}, initialised {@code N(0, 1)}. */
  @Override
  public List<LossParameter> parameters(int embeddingSize) {
    return List.of(classWeights(classes(), embeddingSize));
  }

  @Override
  protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
    Operand<T> cos = in.cosines(in.parameter(0));
    return in.mean(in.crossEntropy(logits(tf, in, cos, margin, scale, largeAngle)));
  }

  /** {@code class_weights [rows, E]} drawn from {@code N(0, 1)}. */
  static LossParameter classWeights(long rows, int embeddingSize) {
    if (embeddingSize < 1) {
      throw new IllegalArgumentException("embeddingSize must be >= 1, got " + embeddingSize);
    }
    return LossParameter.of(
        "class_weights", new long[] {rows, embeddingSize}, ParameterInitializer.normal(1.0));
  }

  /** The scaled logits {@code [B, C]} with ArcFace's margin on each example's target cosine. */
  static <T extends TNumber> Operand<T> logits(
      Ops tf, LossInputs<T> in, Operand<T> cos, double margin, double scale, LargeAngle rule) {
    Operand<T> c = in.target(cos); // [B]
    Operand<T> oneMinusSq = tf.math.sub(in.constant(1.0), tf.math.square(c));
    Operand<TBool> steep = tf.math.less(oneMinusSq, in.constant(1e-6));
    // The double select keeps sqrt away from 0 on the branch that carries the gradient; near
    // cos = +-1 the value comes from the other branch, which carries none.
    Operand<T> flowing =
        tf.math.sqrt(tf.select(steep, in.constant(1.0), oneMinusSq));
    Operand<T> frozen =
        tf.stopGradient(tf.math.sqrt(tf.math.maximum(oneMinusSq, tf.zerosLike(oneMinusSq))));
    Operand<T> sin = tf.select(steep, frozen, flowing);
    Operand<T> phi =
        tf.math.sub(
            tf.math.mul(c, in.constant(Math.cos(margin))),
            tf.math.mul(sin, in.constant(Math.sin(margin))));
    Operand<T> t;
    if (rule == LargeAngle.EASY_MARGIN) {
      t = tf.select(tf.math.greater(c, in.constant(0.0)), phi, c);
    } else {
      Operand<TBool> withinPi = tf.math.greaterEqual(c, in.constant(-Math.cos(margin)));
      t = tf.select(withinPi, phi, tf.math.sub(c, in.constant(margin * Math.sin(margin))));
    }
    Operand<T> withMargin = tf.select(in.isTarget(), tf.expandDims(t, tf.constant(1)), cos);
    return tf.math.mul(withMargin, in.constant(scale));
  }

  /** Equal when the classes, margin, scale and large-angle rule are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof ArcFaceLoss a
        && classes() == a.classes()
        && Double.compare(margin, a.margin) == 0
        && Double.compare(scale, a.scale) == 0
        && largeAngle == a.largeAngle;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classes(), margin, scale, largeAngle);
  }

  /** For example {@code ArcFaceLoss(10 classes, margin 0.5 rad, scale 64.0, LINEAR_FALLBACK)}. */
  @Override
  public String toString() {
    return "ArcFaceLoss("
        + classes()
        + " classes, margin "
        + margin
        + " rad, scale "
        + scale
        + ", "
        + largeAngle
        + ")";
  }

  /** Checks an angular margin in radians. */
  static double angularMargin(double radians) {
    if (!(radians >= 0 && radians <= Math.PI / 2)) {
      throw new IllegalArgumentException(
          "margin must be in [0, pi/2] radians (0 to 90 degrees), got " + radians);
    }
    return radians;
  }

  /** Checks a logit scale. */
  static double logitScale(String name, double value) {
    Settings.positive(name, value);
    if (value > MAX_SCALE) {
      throw new IllegalArgumentException(name + " must be <= " + MAX_SCALE + ", got " + value);
    }
    return value;
  }

  /** Checks a number of classes. */
  static int classCount(int classes) {
    if (classes < 2) {
      throw new IllegalArgumentException(
          "classes must be >= 2 (a softmax over one class is constant), got " + classes);
    }
    return classes;
  }

  /** Settings of an {@link ArcFaceLoss}; each may be set at most once. */
  public static final class Builder {
    private final int classes;
    private Double margin;
    private Double scale;
    private LargeAngle largeAngle;

    private Builder(int classes) {
      this.classes = classes;
    }

    /**
     * The additive angular margin in radians; 28.6 degrees ({@code 0.4992}) if not set.
     *
     * @throws IllegalArgumentException if {@code radians} is not in {@code [0, pi/2]}
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double radians) {
      Settings.once(this.margin, "margin");
      this.margin = angularMargin(radians);
      return this;
    }

    /**
     * The additive angular margin in degrees, pytorch-metric-learning's unit; 28.6 if not set.
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
      this.scale = logitScale("scale", scale);
      return this;
    }

    /**
     * What the target logit is past {@code theta = pi - m}; {@link LargeAngle#LINEAR_FALLBACK} if
     * not set.
     *
     * @throws IllegalStateException if it was already set
     */
    public Builder largeAngle(LargeAngle largeAngle) {
      Settings.once(this.largeAngle, "largeAngle");
      this.largeAngle = Objects.requireNonNull(largeAngle, "largeAngle");
      return this;
    }

    /**
     * The loss; the builder may be used again, and gives an equal loss.
     *
     * @throws IllegalArgumentException if {@code classes < 2}
     */
    public ArcFaceLoss build() {
      return new ArcFaceLoss(
          classCount(classes),
          margin == null ? DEFAULT_MARGIN : margin,
          scale == null ? DEFAULT_SCALE : scale,
          largeAngle == null ? LargeAngle.LINEAR_FALLBACK : largeAngle);
    }
  }
}
