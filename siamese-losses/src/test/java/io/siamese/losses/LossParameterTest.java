package io.siamese.losses;

import static io.siamese.losses.ContrastiveLossTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link LossParameter} and the ready-made {@link ParameterInitializer}s. */
class LossParameterTest {

  /** Box-Muller over SplittableRandom, written again from its definition. */
  private static float[] referenceNormal(long seed, String name, int n, double std) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.US_ASCII)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    SplittableRandom r = new SplittableRandom(seed ^ h);
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      double u1 = 1 - r.nextDouble();
      double u2 = r.nextDouble();
      v[i] = (float) (std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return v;
  }

  @Test
  void initialValuesAreAFunctionOfTheSeedTheNameAndTheShape() {
    LossParameter p =
        LossParameter.of("class_weights", new long[] {4, 3}, ParameterInitializer.normal(2));
    float[] a = p.initialValues(42);
    assertEquals(12, a.length);
    assertArrayEquals(a, p.initialValues(42));
    float[] expected = referenceNormal(42, "class_weights", 12, 2);
    for (int i = 0; i < 12; i++) {
      // StrictMath and Math may differ in the last bit.
      assertEquals(expected[i], a[i], 1e-6 * Math.max(1, Math.abs(expected[i])));
    }
    assertFalse(Arrays.equals(a, p.initialValues(43)));
    LossParameter renamed =
        LossParameter.of("proxies", new long[] {4, 3}, ParameterInitializer.normal(2));
    assertFalse(Arrays.equals(a, renamed.initialValues(42)));
  }

  private static double[] moments(float[] v) {
    double mean = 0;
    for (float f : v) {
      mean += f;
    }
    mean /= v.length;
    double var = 0;
    int withinOne = 0;
    for (float f : v) {
      var += (f - mean) * (f - mean);
    }
    double std = Math.sqrt(var / v.length);
    for (float f : v) {
      withinOne += Math.abs(f - mean) <= std ? 1 : 0;
    }
    return new double[] {mean, std, (double) withinOne / v.length};
  }

  @Test
  void theInitializersDrawFromTheirDistributions() {
    // [200, 300]: fanOut = 200 classes, fanIn = 300 floats; 60 000 draws, so the standard error
    // of the mean is std / 245 and of the standard deviation about std / 346.
    long[] shape = {200, 300};
    double[][] cases = {
      {1.0, 0}, {Math.sqrt(2.0 / 500), 1}, {Math.sqrt(2.0 / 200), 2},
    };
    ParameterInitializer[] inits = {
      ParameterInitializer.normal(1.0),
      ParameterInitializer.xavierNormal(),
      ParameterInitializer.kaimingNormalFanOut()
    };
    for (int c = 0; c < inits.length; c++) {
      double std = cases[c][0];
      double[] m = moments(LossParameter.of("w", shape, inits[c]).initialValues(7));
      assertEquals(0, m[0], 5 * std / 245, inits[c] + " mean");
      assertEquals(std, m[1], 5 * std / 346, inits[c] + " standard deviation");
      assertEquals(0.6827, m[2], 0.01, inits[c] + " share within one standard deviation");
    }
    float[] constant =
        LossParameter.of("b", new long[0], ParameterInitializer.constant(-0.25)).initialValues(1);
    assertArrayEquals(new float[] {-0.25f}, constant);
    LossParameter zero = LossParameter.of("z", new long[] {2}, ParameterInitializer.normal(0));
    assertEquals(0f, zero.initialValues(3)[1]);
  }

  @Test
  void badParametersAndInitializersAreRejected() {
    ParameterInitializer n = ParameterInitializer.normal(1);
    for (String bad : new String[] {"", "Weights", "1st", "class weights", "a-b", "x".repeat(65)}) {
      assertMessage(
          IllegalArgumentException.class,
          () -> LossParameter.of(bad, new long[] {1}, n),
          "parameter name must be lower case letters");
    }
    assertMessage(
        IllegalArgumentException.class,
        () -> LossParameter.of("w", new long[] {3, 0}, n),
        "parameter w must have dimensions >= 1, got [3, 0]");
    assertMessage(
        IllegalArgumentException.class,
        () -> LossParameter.of("w", new long[] {1L << 20, 1L << 12}, n),
        "parameter w of shape [1048576, 4096] has more than 2147483639 entries");
    assertMessage(
        IllegalArgumentException.class,
        () ->
            LossParameter.of("w", new long[] {5}, ParameterInitializer.xavierNormal())
                .initialValues(0),
        "xavierNormal needs a parameter of rank >= 2, got shape [5]");
    assertMessage(
        IllegalStateException.class,
        () -> LossParameter.of("w", new long[] {2, 2}, (s, r) -> new float[3]).initialValues(0),
        "the initializer of w returned 3 values for shape [2, 2], which needs 4");
    assertMessage(
        IllegalStateException.class,
        () ->
            LossParameter.of("w", new long[] {2}, (s, r) -> new float[] {0, Float.NaN})
                .initialValues(0),
        "the initializer of w returned NaN at position 1");
    assertMessage(
        IllegalArgumentException.class,
        () -> ParameterInitializer.normal(-1),
        "standardDeviation must be finite and >= 0, got -1.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> ParameterInitializer.constant(Double.POSITIVE_INFINITY),
        "value must be finite, got Infinity");
  }

  @Test
  void parametersAreValues() {
    long[] shape = {2, 3};
    LossParameter p = LossParameter.of("w", shape, ParameterInitializer.xavierNormal());
    shape[0] = 9;
    assertArrayEquals(new long[] {2, 3}, p.shape());
    p.shape()[1] = 9;
    assertArrayEquals(new long[] {2, 3}, p.shape());
    assertEquals(6, p.size());
    assertEquals("w [2, 3] xavierNormal", p.toString());
    assertEquals(p, LossParameter.of("w", new long[] {2, 3}, ParameterInitializer.xavierNormal()));
    assertEquals(
        p.hashCode(),
        LossParameter.of("w", new long[] {2, 3}, ParameterInitializer.xavierNormal()).hashCode());
    assertNotEquals(
        p, LossParameter.of("w", new long[] {3, 2}, ParameterInitializer.xavierNormal()));
    assertNotEquals(p, LossParameter.of("w", new long[] {2, 3}, ParameterInitializer.normal(1)));
    assertEquals(ParameterInitializer.normal(0.5), ParameterInitializer.normal(0.5));
    assertEquals("kaimingNormalFanOut", ParameterInitializer.kaimingNormalFanOut().toString());
  }
}
