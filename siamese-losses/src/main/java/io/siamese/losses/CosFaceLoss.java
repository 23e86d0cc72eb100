package io.siamese.losses;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * CosFace, the additive cosine margin loss of Wang et al. (2018, "CosFace: large margin cosine loss
 * for deep face recognition"), also called AM-softmax: a softmax classifier over all {@code C}
 * training classes on the hypersphere, with a margin {@code m} subtracted from the cosine between
 * an embedding and its own class's weight vector.
 *
 * <pre>
 *   cos_ic = x_i . w_c / (|x_i| |w_c|)          (W = class_weights, [C, E], owned by the model)
 *   z_ic   = s * (cos_ic - m [c == y_i])
 *   l_i    = -log( exp(z_iy) / sum_c exp(z_ic) ),   the loss is the mean over the batch
 * </pre>
 *
 * <p>Defaults, those of pytorch-metric-learning's {@code CosFaceLoss} and the paper: margin {@code
 * m = 0.35}, scale {@code s = 64}, class weights initialised {@code N(0, 1)}. The target logit
 * falls monotonically with the angle, so no large-angle rule is needed (compare {@link
 * ArcFaceLoss}). The softmax is taken with the maximum logit factored out.
 *
 * <p><b>Degenerate cases</b>, all finite: as for {@link ArcFaceLoss}: a batch of one class is
 * classified against every class's weights; a class never sampled is only pushed away; an empty
 * batch gives 0; a zero embedding has cosine 0 with every class; a label outside {@code [0, C)}
 * fails the run.
 *
 * <pre>{@code
 * LearnedParameterLoss loss = CosFaceLoss.builder(2).scale(1).margin(0.35).build();
 * // x = (1, 0) of class 0, W = [(1, 1), (0, 1)]: cos = (0.7071, 0), z = (0.3571, 0),
 * // loss = -log(e^0.3571 / (e^0.3571 + 1)) = 0.5305...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} and the class weights are passed per call.
 */
public final class CosFaceLoss extends AbstractLearnedParameterLoss {
  private static final double DEFAULT_MARGIN = 0.35;

  private final double margin;
  private final double scale;

  private CosFaceLoss(int classes, double margin, double scale) {
    super(classes, Distances.COSINE);
    this.margin = margin;
    this.scale = scale;
  }

  /** A builder for {@code classes} classes; margin (0.35) and scale (64) may each be set once. */
  public static Builder builder(int classes) {
    return new Builder(classes);
  }

  /** The additive cosine margin {@code m}. */
  public double margin() {
    return margin;
  }

  /** The scale {@code s} of the logits. */
  public double scale() {
    return scale;
  }

  /** {@code class_weights}, shape {@code [C, E]}, initialised {@code N(0, 1)}. */
  @Override
  public List<LossParameter> parameters(int embeddingSize) {
    return List.of(ArcFaceLoss.classWeights(classes(), embeddingSize));
  }

  @Override
  protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
    Operand<T> cos = in.cosines(in.parameter(0));
    Operand<T> shifted = tf.math.sub(cos, tf.math.mul(in.targets(), in.constant(margin)));
    return in.mean(in.crossEntropy(tf.math.mul(shifted, in.constant(scale))));
  }

  /** Equal when the classes, margin and scale are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof CosFaceLoss c
        && classes() == c.classes()
        && Double.compare(margin, c.margin) == 0
        && Double.compare(scale, c.scale) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classes(), margin, scale);
  }

  /** For example {@code CosFaceLoss(10 classes, margin 0.35, scale 64.0)}. */
  @Override
  public String toString() {
    return "CosFaceLoss(" + classes() + " classes, margin " + margin + ", scale " + scale + ")";
  }

  /** Settings of a {@link CosFaceLoss}; each may be set at most once. */
  public static final class Builder {
    private final int classes;
    private Double margin;
    private Double scale;

    private Builder(int classes) {
      this.classes = classes;
    }

    /**
     * The additive cosine margin; 0.35 if not set.
     *
     * @throws IllegalArgumentException if {@code margin} is not in {@code [0, 2]} (cosines differ
     *     by at most 2)
     * @throws IllegalStateException if the margin was already set
     */
    public Builder margin(double margin) {
      Settings.once(this.margin, "margin");
      if (!(margin >= 0 && margin <= 2)) {
        throw new IllegalArgumentException("margin must be in [0, 2], got " + margin);
      }
      this.margin = margin;
      return this;
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
     * The loss; the builder may be used again, and gives an equal loss.
     *
     * @throws IllegalArgumentException if {@code classes < 2}
     */
    public CosFaceLoss build() {
      return new CosFaceLoss(
          ArcFaceLoss.classCount(classes),
          margin == null ? DEFAULT_MARGIN : margin,
          scale == null ? ArcFaceLoss.DEFAULT_SCALE : scale);
    }
  }
}
