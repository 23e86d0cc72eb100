package io.siamese.core.train;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Each ready-made schedule against its formula worked in plain Java, and its arguments. */
class LearningRateScheduleTest {

  @Test
  void constantIsTheSameAtEveryStep() {
    LearningRateSchedule s = LearningRateSchedule.constant(1e-3);
    for (long step : new long[] {0, 1, 999, Long.MAX_VALUE}) {
      assertEquals(1e-3, s.rate(step), 0);
    }
  }

  @Test
  void stepDecayHalvesEveryHundredSteps() {
    LearningRateSchedule s = LearningRateSchedule.stepDecay(0.1, 0.5, 100);
    assertEquals(0.1, s.rate(0), 0);
    assertEquals(0.1, s.rate(99), 0);
    assertEquals(0.05, s.rate(100), 0);
    assertEquals(0.05, s.rate(199), 0);
    assertEquals(0.025, s.rate(200), 0);
    assertEquals(0.1 / 1024, s.rate(1000), 1e-18);
  }

  @Test
  void exponentialDecayIsSmooth() {
    LearningRateSchedule s = LearningRateSchedule.exponentialDecay(0.1, 0.96, 1000);
    assertEquals(0.1, s.rate(0), 0);
    assertEquals(0.1 * Math.pow(0.96, 0.5), s.rate(500), 1e-15);
    assertEquals(0.096, s.rate(1000), 1e-15);
    assertEquals(0.1 * 0.96 * 0.96, s.rate(2000), 1e-15);
  }

  @Test
  void cosineDecayFallsFromInitialToMinimumAndStays() {
    LearningRateSchedule s = LearningRateSchedule.cosineDecay(1e-3, 100, 1e-5);
    assertEquals(1e-3, s.rate(0), 1e-18);
    // Half-way the cosine is 0: the mean of the two ends.
    assertEquals((1e-3 + 1e-5) / 2, s.rate(50), 1e-15);
    // A quarter of the way: 1e-5 + (1e-3 - 1e-5) * (1 + cos(pi / 4)) / 2.
    assertEquals(1e-5 + 0.99e-3 * (1 + Math.sqrt(0.5)) / 2, s.rate(25), 1e-15);
    assertEquals(1e-5, s.rate(100), 1e-18);
    assertEquals(1e-5, s.rate(10_000), 1e-18);
    double previous = Double.POSITIVE_INFINITY;
    for (long step = 0; step <= 100; step++) {
      assertTrue(s.rate(step) <= previous, "not decreasing at step " + step);
      previous = s.rate(step);
    }
    assertEquals(0.0, LearningRateSchedule.cosineDecay(0.5, 10, 0).rate(10), 1e-17);
  }

  @Test
  void warmupRisesLinearlyThenRunsTheScheduleFromItsStart() {
    LearningRateSchedule s = LearningRateSchedule.warmup(4, LearningRateSchedule.stepDecay(0.8, 0.5, 10));
    assertEquals(0.2, s.rate(0), 1e-15);
    assertEquals(0.4, s.rate(1), 1e-15);
    assertEquals(0.6, s.rate(2), 1e-15);
    assertEquals(0.8, s.rate(3), 1e-15);
    assertEquals(0.8, s.rate(4), 1e-15);
    assertEquals(0.8, s.rate(13), 1e-15);
    assertEquals(0.4, s.rate(14), 1e-15);
    // Any schedule may follow a warm-up, a lambda too.
    LearningRateSchedule custom = LearningRateSchedule.warmup(2, step -> 1.0 / (step + 1));
    assertEquals(0.5, custom.rate(0), 0);
    assertEquals(1.0, custom.rate(1), 0);
    assertEquals(1.0, custom.rate(2), 0);
    assertEquals(0.5, custom.rate(3), 0);
  }

  @Test
  void badArgumentsAreNamed() {
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.constant(0), "learning rate must be finite and > 0, got 0.0");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.stepDecay(Double.NaN, 0.5, 1), "initial learning rate must be finite and > 0, got NaN");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.stepDecay(0.1, 0, 1), "step-decay factor must be in (0, 1], got 0.0");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.stepDecay(0.1, 1.5, 1), "got 1.5");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.stepDecay(0.1, 0.5, 0), "step-decay everySteps must be >= 1, got 0");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.exponentialDecay(0.1, 0.96, -5), "exponential decaySteps must be >= 1, got -5");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.exponentialDecay(0.1, 2, 5), "exponential decayRate must be in (0, 1], got 2.0");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.cosineDecay(1e-3, 0, 0), "cosine-decay totalSteps must be >= 1, got 0");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.cosineDecay(1e-3, 10, 0.01), "cosine-decay minRate must be in [0, initial = 0.001], got 0.01");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.warmup(0, LearningRateSchedule.constant(1)), "warm-up steps must be >= 1, got 0");
    assertMessage(NullPointerException.class, () -> LearningRateSchedule.warmup(5, null), "the schedule after the warm-up");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedule.constant(1).rate(-1), "step must be >= 0, got -1");
  }

  @Test
  void readableValuesWithEquality() {
    assertEquals("constant(0.001)", LearningRateSchedule.constant(1e-3).toString());
    assertEquals("stepDecay(0.1, x0.5 every 100 steps)", LearningRateSchedule.stepDecay(0.1, 0.5, 100).toString());
    assertEquals("exponentialDecay(0.1, x0.96 per 1000 steps)", LearningRateSchedule.exponentialDecay(0.1, 0.96, 1000).toString());
    assertEquals("cosineDecay(0.001 to 0.0 over 5000 steps)", LearningRateSchedule.cosineDecay(1e-3, 5000, 0).toString());
    assertEquals(
        "warmup(100 steps, then cosineDecay(0.001 to 0.0 over 5000 steps))",
        LearningRateSchedule.warmup(100, LearningRateSchedule.cosineDecay(1e-3, 5000, 0)).toString());
    assertEquals(LearningRateSchedule.cosineDecay(1e-3, 5000, 0), LearningRateSchedule.cosineDecay(1e-3, 5000, 0));
    assertNotEquals(LearningRateSchedule.cosineDecay(1e-3, 5000, 0), LearningRateSchedule.cosineDecay(1e-3, 5001, 0));
    assertEquals(OptimizerSpec.adam(1e-3), OptimizerSpec.adam(LearningRateSchedule.constant(1e-3)));
    assertEquals("adam(lr 0.001)", OptimizerSpec.adam(1e-3).toString());
    assertEquals(
        "momentum(lr stepDecay(0.1, x0.1 every 30 steps), momentum 0.9)",
        OptimizerSpec.sgdWithMomentum(LearningRateSchedule.stepDecay(0.1, 0.1, 30), 0.9).toString());
  }

  @Test
  void theReadyMadeSchedulesReadBackExactlyFromTheirText() {
    List<LearningRateSchedule> all =
        List.of(
            LearningRateSchedule.constant(3e-4),
            LearningRateSchedule.stepDecay(0.1, 0.3, 7),
            LearningRateSchedule.exponentialDecay(1.0 / 3, 0.96, 1000),
            LearningRateSchedule.cosineDecay(1e-3, 12345, 1e-6),
            LearningRateSchedule.warmup(10, LearningRateSchedule.warmup(3, LearningRateSchedule.cosineDecay(0.1, 5, 0))));
    for (LearningRateSchedule s : all) {
      String text = LearningRateSchedules.describe(s).orElseThrow();
      assertEquals(s, LearningRateSchedules.parse(text), text);
    }
    assertTrue(LearningRateSchedules.describe(step -> 0.1).isEmpty());
    assertTrue(LearningRateSchedules.describe(LearningRateSchedule.warmup(3, step -> 0.1)).isEmpty());
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedules.parse("linear 0.1"), "unknown learning-rate schedule 'linear 0.1'");
    assertMessage(IllegalArgumentException.class, () -> LearningRateSchedules.parse("cosineDecay 0.1 x 0"), "bad schedule 'cosineDecay 0.1 x 0'");
  }
}
