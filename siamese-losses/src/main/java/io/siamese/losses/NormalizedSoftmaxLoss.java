package io.siamese.losses;

import java.util.List;
import java.util.Objects;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * The normalised softmax loss (Zhai and Wu 2019, "Classification is a strong baseline for deep
 * metric learning"; Wang et al. 2017, NormFace): a softmax classifier over all {@code C} training
 * classes whose logits are the cosines between the embedding and each class's weight vector,
 * divided by a temperature.
 *
 * <pre>
 *   cos_ic = x_i . w_c / (|x_i| |w_c|)          (W = class_weights, [C, E], owned by the model)
 *   l_i    = -log( exp(cos_iy / T) / sum_c exp(cos_ic / T) ),   the mean over the batch
 * </pre>
 *
 * <p>Defaults, those of pytorch-metric-learning's {@code NormalizedSoftmaxLoss} (which normalises
 * both the embeddings and the weights): temperature {@code T = 0.05}, class weights initialised
 * {@code N(0, 1)}. A temperature {@code T} is the scale {@code 1/T} of {@link CosFaceLoss} without
 * a margin. The softmax is taken with the maximum logit factored out.
 *
 * <p><b>Degenerate cases</b>, all finite: as for {@link ArcFaceLoss}: a batch of one class is
 * classified against every class's weights; a class never sampled is only pushed away; an empty
 * batch gives 0; a zero embedding has cosine 0 with every class; a label outside {@code [0, C)}
 * fails the run.
 *
 * <pre>{@code
 * LearnedParameterLoss loss = NormalizedSoftmaxLoss.builder(2).temperature(1).build();
 * // x = (1, 0) of class 0, W = [(1, 1), (0, 1)]: cos = (0.7071, 0),
 * // loss = -log(e^0.7071 / (e^0.7071 + 1)) = 0.4008...
 * }</pre>
 *
 * <p>Immutable and stateless: the {@link Ops} and the class weights are passed per call.
 */
public final class NormalizedSoftmaxLoss extends AbstractLearnedParameterLoss {
  private static final double DEFAULT_TEMPERATURE = 0.05;

  private final double temperature;

  private NormalizedSoftmaxLoss(int classes, double temperature) {
    super(classes, Distances.COSINE);
    this.temperature = temperature;
  }

  /** A builder for {@code classes} classes; the temperature (0.05) may be set once. */
  public static Builder builder(int classes) {
    return new Builder(classes);
  }

  /** The temperature {@code T} that divides the cosines; smaller is sharper. */
  public double temperature() {
    return temperature;
  }

  /** {@code class_weights}, shape {@code [C, E]}, initialised {@code N(0, 1)}. */
  @Override
  public List<LossParameter> parameters(int embeddingSize) {
    return List.of(ArcFaceLoss.classWeights(classes(), embeddingSize));
  }

  @Override
  protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
    Operand<T> logits = tf.math.div(in.cosines(in.parameter(0)), in.constant(temperature));
    return in.mean(in.crossEntropy(logits));
  }

  /** Equal when the classes and temperature are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof NormalizedSoftmaxLoss n
        && classes() == n.classes()
        && Double.compare(temperature, n.temperature) == 0;
  }

  @Override
  public int hashCode() {
    return Objects.hash(classes(), temperature);
  }

  /** For example {@code NormalizedSoftmaxLoss(10 classes, temperature 0.05)}. */
  @Override
  public String toString() {
    return "NormalizedSoftmaxLoss(" + classes() + " classes, temperature " + temperature + ")";
  }

  /** Settings of a {@link NormalizedSoftmaxLoss}; each may be set at most once. */
  public static final class Builder {
    private final int classes;
    private Double temperature;

    private Builder(int classes) {
      this.classes = classes;
    }

    /**
     * The temperature; 0.05 if not set.
     *
     * @throws IllegalArgumentException if {@code temperature} is not in {@code [1e-6, inf)}
     * @throws IllegalStateException if the temperature was already set
     */
    public Builder temperature(double temperature) {
      Settings.once(this.temperature, "temperature");
      Settings.positive("temperature", temperature);
      if (temperature < 1 / ArcFaceLoss.MAX_SCALE) {
        throw new IllegalArgumentException(
            "temperature must be >= " + 1 / ArcFaceLoss.MAX_SCALE + ", got " + temperature);
      }
      this.temperature = temperature;
      return this;
    }

    /**
     * The loss; the builder may be used again, and gives an equal loss.
     *
     * @throws IllegalArgumentException if {@code classes < 2}
     */
    public NormalizedSoftmaxLoss build() {
      return new NormalizedSoftmaxLoss(
          ArcFaceLoss.classCount(classes),
          temperature == null ? DEFAULT_TEMPERATURE : temperature);
    }
  }
}
