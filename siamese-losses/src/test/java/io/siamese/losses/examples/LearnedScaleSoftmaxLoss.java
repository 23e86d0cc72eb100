package io.siamese.losses.examples;

import io.siamese.losses.AbstractLearnedParameterLoss;
import io.siamese.losses.Distances;
import io.siamese.losses.LossInputs;
import io.siamese.losses.LossParameter;
import io.siamese.losses.ParameterInitializer;
import java.util.List;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A normalised softmax whose scale is learned too (NormFace, Wang et al. 2017): {@code l_i =
 * -log softmax(s cos_i)_y} with {@code cos_ic} the cosine between embedding {@code i} and the
 * weights of class {@code c}, and {@code s = exp(log_scale)}, so that the scale stays positive;
 * the mean over the batch. Two parameters: {@code class_weights [C, E]} and {@code log_scale []}.
 */
public final class LearnedScaleSoftmaxLoss extends AbstractLearnedParameterLoss {
  private final double initialScale;

  public LearnedScaleSoftmaxLoss(int classes, double initialScale) {
    super(classes, Distances.COSINE);
    if (!(initialScale > 0 && Double.isFinite(initialScale))) {
      throw new IllegalArgumentException("initialScale must be > 0, got " + initialScale);
    }
    this.initialScale = initialScale;
  }

  @Override
  public List<LossParameter> parameters(int embeddingSize) {
    return List.of(
        LossParameter.of(
            "class_weights",
            new long[] {classes(), embeddingSize},
            ParameterInitializer.xavierNormal()),
        LossParameter.of(
            "log_scale", new long[0], ParameterInitializer.constant(Math.log(initialScale))));
  }

  @Override
  protected <T extends TNumber> Operand<T> loss(Ops tf, LossInputs<T> in) {
    Operand<T> cos = in.cosines(in.parameter("class_weights")); // [B, C]
    Operand<T> scale = tf.math.exp(in.parameter("log_scale")); // []
    return in.mean(in.crossEntropy(tf.math.mul(cos, scale)));
  }
}
