package io.siamese.losses;

import java.util.SplittableRandom;

/**
 * Computes the initial values of a {@link LossParameter} in plain Java, deterministically: the
 * values may depend only on the shape and on what is drawn from the random stream given.
 *
 * <p>The ready-made initializers follow PyTorch's {@code torch.nn.init}, which the reference
 * implementations of the losses use. Their normal draws come from a Box-Muller transform over
 * {@link SplittableRandom#nextDouble()} computed with {@link StrictMath}, so they are the same on
 * every JVM and platform.
 *
 * <p>For a shape of rank 2 or more, {@code fanOut = shape[0] * r} and {@code fanIn = shape[1] * r},
 * with {@code r} the product of the remaining dimensions (PyTorch's convention): for a class-weight
 * matrix {@code [C, E]}, the fan-out is the number of classes and the fan-in the embedding size.
 */
@FunctionalInterface
public interface ParameterInitializer {

  /**
   * The initial values of a parameter of {@code shape}, row-major.
   *
   * @param shape the parameter's shape, every dimension {@code >= 1}; the caller's copy
   * @param random the only source of randomness to use
   * @return exactly as many finite values as the shape has entries
   */
  float[] values(long[] shape, SplittableRandom random);

  /**
   * Independent draws from the normal distribution with mean 0 and this standard deviation: {@code
   * torch.nn.init.normal_} with {@code std = 1} is the default of pytorch-metric-learning's
   * ArcFace, CosFace and normalised-softmax weights.
   *
   * @throws IllegalArgumentException if {@code standardDeviation} is not finite and {@code >= 0}
   */
  static ParameterInitializer normal(double standardDeviation) {
    return new Initializers.Normal(Settings.nonNegative("standardDeviation", standardDeviation));
  }

  /**
   * Glorot/Xavier normal: {@code N(0, 2 / (fanIn + fanOut))}, {@code torch.nn.init.xavier_normal_}
   * with gain 1.
   *
   * @throws IllegalArgumentException (from {@link #values}) for a shape of rank below 2
   */
  static ParameterInitializer xavierNormal() {
    return Initializers.XavierNormal.INSTANCE;
  }

  /**
   * He/Kaiming normal over the fan-out: {@code N(0, 2 / fanOut)}, {@code
   * torch.nn.init.kaiming_normal_(mode="fan_out")} (gain {@code sqrt 2}): the default of
   * pytorch-metric-learning's Proxy-Anchor proxies, {@code std = sqrt(2 / C)} for {@code [C, E]}.
   *
   * @throws IllegalArgumentException (from {@link #values}) for a shape of rank below 2
   */
  static ParameterInitializer kaimingNormalFanOut() {
    return Initializers.KaimingNormalFanOut.INSTANCE;
  }

  /**
   * Every entry {@code value}.
   *
   * @throws IllegalArgumentException if {@code value} is not finite
   */
  static ParameterInitializer constant(double value) {
    return new Initializers.Constant(Settings.finite("value", value));
  }

  /**
   * A draw from the standard normal distribution by the Box-Muller transform over two uniform
   * draws of {@code random}, computed with {@link StrictMath} so that it is the same everywhere;
   * for initializers of one's own.
   */
  static double standardNormal(SplittableRandom random) {
    return Initializers.standardNormal(random);
  }
}
