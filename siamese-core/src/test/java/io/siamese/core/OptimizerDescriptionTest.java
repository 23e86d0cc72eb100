package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import org.junit.jupiter.api.Test;

/** How model.properties describes an optimizer and reads it back. */
class OptimizerDescriptionTest {
  @Test
  void anOptimizerReadsBackWithItsSchedule() {
    OptimizerSpec spec = OptimizerSpec.rmsProp(LearningRateSchedule.exponentialDecay(0.01, 0.5, 100));
    assertEquals(spec, ModelDescription.parseOptimizer(ModelDescription.describe(spec, Double.NaN), ModelDescription.describeSchedule(spec).orElseThrow()));
    OptimizerSpec constant = OptimizerSpec.sgdWithMomentum(0.05, 0.9);
    assertEquals("momentum 0.05 0.9", ModelDescription.describe(constant, Double.NaN));
    assertTrue(ModelDescription.describeSchedule(constant).isEmpty());
    assertEquals(constant, ModelDescription.parseOptimizer(ModelDescription.describe(constant, Double.NaN), null));
    // A line written before schedules existed (a float's text) reads as the constant it names.
    assertEquals(0.001f, (float) ModelDescription.parseOptimizer("adam 0.001 0.0", null).learningRate());
    // A schedule of the caller's own is kept as the rate it gave last.
    OptimizerSpec custom = OptimizerSpec.adam(step -> 1e-3 / (1 + step));
    assertEquals("adam 2.5E-4 0.0", ModelDescription.describe(custom, 2.5e-4));
    assertEquals(OptimizerSpec.adam(2.5e-4), ModelDescription.parseOptimizer(ModelDescription.describe(custom, 2.5e-4), null));
  }
}
