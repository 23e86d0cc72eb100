package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingDivergedException;
import io.siamese.core.train.TrainingListener;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import io.siamese.losses.PairLabelConvention;
import io.siamese.losses.PairLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A schedule changes the steps a model takes, as a hand-worked oracle says.
 *
 * <p>The model: every example is {@code x = (1, 0, 0)}, the encoder one dense unit, so the
 * embedding is {@code e = w0 + b}; the loss is {@code e^2 / 2}, whose gradient is {@code e} for
 * both {@code w0} and {@code b}. A plain SGD step at rate {@code r} takes {@code e} to {@code e (1
 * - 2r)}, so after steps at rates {@code r_0 .. r_{n-1}} the embedding is {@code e_0 * prod(1 -
 * 2 r_t)}, a product worked here in plain Java from the schedule's formula.
 */
class LearningRateScheduleTrainingTest {
  private static final ExampleShape SHAPE = ExampleShape.vector(3);
  private static final float[] X = {1, 0, 0};

  @TempDir Path tmp;

  /** {@code mean(left^2) / 2}: a quadratic in the weights, whatever the labels. */
  private static final PairLoss HALF_SQUARE =
      new PairLoss() {
        @Override
        public PairLabelConvention labelConvention() {
          return PairLabelConvention.SIMILAR_IS_ONE;
        }

        @Override
        public Distance distance() {
          return Distances.EUCLIDEAN;
        }

        @Override
        public <T extends TNumber> Operand<T> call(Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels) {
          Operand<T> half = tf.dtypes.cast(tf.constant(0.5f), left.type());
          return tf.math.mul(half, tf.math.mean(tf.math.square(left), tf.constant(new int[] {0, 1})));
        }

        @Override
        public String toString() {
          return "halfSquare";
        }
      };

  private static LabeledDataset data(float value) {
    float[] f = new float[4 * 3];
    for (int i = 0; i < 4; i++) {
      f[3 * i] = value;
    }
    return LabeledDataset.of(f, new int[] {0, 0, 1, 1}, SHAPE);
  }

  private static SiameseModel model(OptimizerSpec optimizer) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.builder(SHAPE).dense(1).build())
        .loss(HALF_SQUARE)
        .optimizer(optimizer)
        .seed(7)
        .build();
  }

  private static TrainingConfig steps(int n) {
    return TrainingConfig.builder().epochs(1).stepsPerEpoch(n).batchSize(2).build();
  }

  private static double embedding(SiameseModel m) {
    return m.embed(X)[0];
  }

  /** {@code e_0 * prod_{t = from}^{to - 1} (1 - 2 r_t)}, with {@code r_t} as fed (float32). */
  private static double oracle(double e0, LongToDoubleFunction rate, long from, long to) {
    double e = e0;
    for (long t = from; t < to; t++) {
      e *= 1 - 2 * (double) (float) rate.applyAsDouble(t);
    }
    return e;
  }

  @Test
  void sgdStepsFollowTheScheduleAcrossFitCallsAndASaveAndLoad() {
    // stepDecay(0.1, 0.5, 3) by hand: 0.1 for steps 0-2, 0.05 for 3-5, 0.025 for 6-8, ...
    LongToDoubleFunction byHand = t -> 0.1 / (1L << (t / 3));
    Path dir = tmp.resolve("scheduled");
    List<Double> fed = new ArrayList<>();
    TrainingListener recorder =
        new TrainingListener() {
          @Override
          public void onBatchEnd(BatchResult batch) {
            fed.add(batch.learningRate());
          }
        };
    try (SiameseModel m = model(OptimizerSpec.sgd(LearningRateSchedule.stepDecay(0.1, 0.5, 3)))) {
      double e0 = embedding(m);
      assertTrue(Math.abs(e0) > 0.05, "a start away from the minimum: " + e0);
      m.fit(BalancedPairSampler.of(data(1), 1), steps(5), recorder);
      assertEquals(5, m.trainingSteps());
      assertEquals(oracle(e0, byHand, 0, 5), embedding(m), 1e-5 * Math.abs(e0));
      m.fit(BalancedPairSampler.of(data(1), 2), steps(4), recorder);
      assertEquals(9, m.trainingSteps());
      double after9 = oracle(e0, byHand, 0, 9);
      assertEquals(after9, embedding(m), 1e-5 * Math.abs(e0));
      for (int t = 0; t < 9; t++) {
        assertEquals((float) byHand.applyAsDouble(t), fed.get(t), 0, "the rate reported for step " + t);
      }
      // A constant rate would have gone elsewhere: the schedule did change the steps.
      assertTrue(Math.abs(oracle(e0, t -> 0.1, 0, 9) - after9) > 0.1 * Math.abs(after9));
      m.save(dir);
      try (SiameseModel loaded = SiameseModel.load(dir, HALF_SQUARE)) {
        assertEquals(9, loaded.trainingSteps());
        assertEquals(m.optimizerSpec(), loaded.optimizerSpec());
        loaded.fit(BalancedPairSampler.of(data(1), 3), steps(4));
        assertEquals(oracle(e0, byHand, 0, 13), embedding(loaded), 1e-5 * Math.abs(e0));
        assertEquals(13, loaded.trainingSteps());
      }
    }
  }

  @Test
  void aConstantRateAndTheDefaultAreTheSameSteps() {
    try (SiameseModel m = model(OptimizerSpec.sgd(0.05))) {
      double e0 = embedding(m);
      m.fit(BalancedPairSampler.of(data(1), 1), steps(6));
      assertEquals(oracle(e0, t -> 0.05, 0, 6), embedding(m), 1e-5 * Math.abs(e0));
    }
  }

  @Test
  void aScheduleOfYourOwnIsAskedForEveryStepAndSavedAsItsLastRate() throws IOException {
    LongToDoubleFunction byHand = t -> 0.2 / (t + 1);
    Path dir = tmp.resolve("custom");
    try (SiameseModel m = model(OptimizerSpec.sgd(step -> 0.2 / (step + 1)))) {
      double e0 = embedding(m);
      m.fit(BalancedPairSampler.of(data(1), 1), steps(4));
      assertEquals(oracle(e0, byHand, 0, 4), embedding(m), 1e-5 * Math.abs(e0));
      m.save(dir);
      String config = Files.readString(dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()).resolve("model.properties"));
      assertTrue(config.contains("optimizer.schedule.custom="), config);
      try (SiameseModel loaded = SiameseModel.load(dir, HALF_SQUARE)) {
        // The last step ran at 0.2 / 4 = 0.05; the loaded model goes on at that rate.
        assertEquals(OptimizerSpec.sgd(0.05), loaded.optimizerSpec());
        loaded.fit(BalancedPairSampler.of(data(1), 2), steps(2));
        assertEquals(oracle(oracle(e0, byHand, 0, 4), t -> 0.05, 4, 6), embedding(loaded), 1e-5 * Math.abs(e0));
      }
    }
  }

  @Test
  void aScheduleThatGivesABadRateStopsFitNamingTheStep() {
    try (SiameseModel m = model(OptimizerSpec.sgd(step -> step < 2 ? 0.1 : Double.NaN))) {
      double e0 = embedding(m);
      assertMessage(
          IllegalArgumentException.class,
          () -> m.fit(BalancedPairSampler.of(data(1), 1), steps(5)),
          "gave NaN for step 2; rates must be finite (as float32) and >= 0");
      assertEquals(2, m.trainingSteps());
      assertEquals(oracle(e0, t -> 0.1, 0, 2), embedding(m), 1e-5 * Math.abs(e0));
    }
    try (SiameseModel m = model(OptimizerSpec.sgd(step -> -1))) {
      assertMessage(IllegalArgumentException.class, () -> m.fit(BalancedPairSampler.of(data(1), 1), steps(1)), "gave -1.0 for step 0");
    }
  }

  /** A rejected step leaves every variable as it was: weights, slots and Adam's powers of beta. */
  @Test
  void aRejectedStepChangesNoVariableNotEvenAdamsPowers() throws IOException {
    try (SiameseModel m = model(OptimizerSpec.adam(LearningRateSchedule.cosineDecay(0.01, 100, 0)))) {
      m.fit(BalancedPairSampler.of(data(1), 1), steps(3));
      m.save(tmp.resolve("before"));
      // 3e38 squared is not a float: the loss is infinite from the first step.
      assertThrows(TrainingDivergedException.class, () -> m.fit(BalancedPairSampler.of(data(3e38f), 1), steps(2)));
      assertEquals(3, m.trainingSteps());
      m.save(tmp.resolve("after"));
      List<WeightsFile.Entry> before = weights(tmp.resolve("before"));
      List<WeightsFile.Entry> after = weights(tmp.resolve("after"));
      assertEquals(before.size(), after.size());
      assertTrue(before.stream().anyMatch(e -> e.name().equals("beta1_power")), "Adam's state is saved");
      for (int i = 0; i < before.size(); i++) {
        assertEquals(before.get(i).name(), after.get(i).name());
        assertArrayEquals(before.get(i).values(), after.get(i).values(), 0f, before.get(i).name());
      }
    }
  }

  /** A configuration from before schedules (no step count, no schedule entry) loads: step 0, a constant rate. */
  @Test
  void aModelSavedBeforeSchedulesExistedLoadsWithAConstantRate() throws IOException {
    Path dir = tmp.resolve("old");
    float[] expected;
    try (SiameseModel m = model(OptimizerSpec.adam(LearningRateSchedule.stepDecay(0.01, 0.5, 2)))) {
      m.fit(BalancedPairSampler.of(data(1), 1), steps(3));
      m.save(dir);
      expected = m.embed(X);
    }
    Path properties = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()).resolve("model.properties");
    String text = Files.readString(properties);
    assertTrue(text.contains("optimizer.schedule=stepDecay 0.01 0.5 2") && text.contains("steps=3"), text);
    String old = text.lines().filter(l -> !l.startsWith("steps=") && !l.startsWith("optimizer.schedule")).reduce("", (a, l) -> a + l + "\n");
    // The old format is written over model.properties; saves of that time had no checksum file.
    Files.writeString(properties, old);
    Files.delete(properties.resolveSibling("model.properties.sha256"));
    try (SiameseModel loaded = SiameseModel.load(dir, HALF_SQUARE)) {
      assertEquals(0, loaded.trainingSteps());
      assertEquals(OptimizerSpec.adam(0.01), loaded.optimizerSpec());
      assertArrayEquals(expected, loaded.embed(X), 0f);
      loaded.fit(BalancedPairSampler.of(data(1), 1), steps(1));
      assertEquals(1, loaded.trainingSteps());
    }
  }

  static List<WeightsFile.Entry> weights(Path dir) throws IOException {
    Path snapshot = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim());
    return WeightsFile.read(Files.readAllBytes(snapshot.resolve("weights.bin")), "weights.bin");
  }

  @Test
  void progressShowsTheLearningRate() {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    ConsoleProgressListener l =
        new ConsoleProgressListener(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8), false);
    try (SiameseModel m = model(OptimizerSpec.adam(LearningRateSchedule.constant(1e-3)))) {
      m.fit(BalancedPairSampler.of(data(1), 1), steps(1), l);
    }
    String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(out.contains("  lr 1.0e-03  "), out);
  }
}
