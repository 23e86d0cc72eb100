package io.siamese.losses;

import java.util.Arrays;
import java.util.SplittableRandom;

/** The ready-made {@link ParameterInitializer}s, as values with equality and a readable name. */
final class Initializers {
  private Initializers() {}

  static double standardNormal(SplittableRandom random) {
    // 1 - u lies in (0, 1], so the logarithm is finite.
    double u1 = 1.0 - random.nextDouble();
    double u2 = random.nextDouble();
    return StrictMath.sqrt(-2.0 * StrictMath.log(u1)) * StrictMath.cos(2.0 * StrictMath.PI * u2);
  }

  static float[] normal(long[] shape, SplittableRandom random, double std) {
    float[] v = new float[size(shape)];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (std * standardNormal(random));
    }
    return v;
  }

  private static int size(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    if (n > LossParameter.MAX_SIZE) {
      throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " is too large");
    }
    return (int) n;
  }

  /** {@code {fanIn, fanOut}} as PyTorch computes them. */
  private static double[] fans(long[] shape, String who) {
    if (shape.length < 2) {
      throw new IllegalArgumentException(
          who + " needs a parameter of rank >= 2, got shape " + Arrays.toString(shape));
    }
    double receptive = 1;
    for (int i = 2; i < shape.length; i++) {
      receptive *= shape[i];
    }
    return new double[] {shape[1] * receptive, shape[0] * receptive};
  }

  record Normal(double standardDeviation) implements ParameterInitializer {
    @Override
    public float[] values(long[] shape, SplittableRandom random) {
      return normal(shape, random, standardDeviation);
    }

    @Override
    public String toString() {
      return "normal(" + standardDeviation + ")";
    }
  }

  record XavierNormal() implements ParameterInitializer {
    static final XavierNormal INSTANCE = new XavierNormal();

    @Override
    public float[] values(long[] shape, SplittableRandom random) {
      double[] f = fans(shape, "xavierNormal");
      return normal(shape, random, Math.sqrt(2.0 / (f[0] + f[1])));
    }

    @Override
    public String toString() {
      return "xavierNormal";
    }
  }

  record KaimingNormalFanOut() implements ParameterInitializer {
    static final KaimingNormalFanOut INSTANCE = new KaimingNormalFanOut();

    @Override
    public float[] values(long[] shape, SplittableRandom random) {
      double[] f = fans(shape, "kaimingNormalFanOut");
      return normal(shape, random, Math.sqrt(2.0 / f[1]));
    }

    @Override
    public String toString() {
      return "kaimingNormalFanOut";
    }
  }

  record Constant(double value) implements ParameterInitializer {
    @Override
    public float[] values(long[] shape, SplittableRandom random) {
      float[] v = new float[size(shape)];
      Arrays.fill(v, (float) value);
      return v;
    }

    @Override
    public String toString() {
      return "constant(" + value + ")";
    }
  }
}
