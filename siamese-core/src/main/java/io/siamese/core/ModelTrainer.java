package io.siamese.core;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.internal.Checks;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import io.siamese.data.ExampleShape;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The training state of one model: the lock that serialises {@code fit} calls and saves, the step
 * count the learning-rate schedule reads, the rate of the last step, and the version of the
 * weights that caches (the Koch head, the digest) compare against.
 */
final class ModelTrainer {
  private final EncoderSpec encoder;
  private final LossBinding binding;
  private final OptimizerSpec optimizer;
  private final long seed;
  private final GraphSession session;
  private final ModelGraph graph;
  private final Lock lock = new ReentrantLock();
  /** Number of fit calls so far; guarded by lock. */
  private long fitCalls;
  /** Training steps applied over the model's life, the schedule's step; written under lock. */
  private volatile long steps;
  /** The rate of the last step applied, NaN before the first; guarded by lock. */
  private double lastRate = Double.NaN;
  /** Advanced whenever training or a restore changes the variables. */
  private volatile long weightsVersion;

  ModelTrainer(EncoderSpec encoder, LossBinding binding, OptimizerSpec optimizer, long seed, GraphSession session, ModelGraph graph) {
    this.encoder = encoder;
    this.binding = binding;
    this.optimizer = optimizer;
    this.seed = seed;
    this.session = session;
    this.graph = graph;
  }

  /** Runs one {@code fit} call on {@code batches}, holding the lock. */
  TrainingHistory fit(SiameseModel model, TrainingBatches batches, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(config, "config");
    checkNotNull(listeners, "listeners");
    checkState(binding.batchKind() == batches.kind, "%s trains on %s", binding.loss(), binding.batchKind().items);
    ExampleShape shape = encoder.inputShape();
    Checks.sameShape(batches.data.shape(), shape, "the training sampler's dataset");
    config.validation().ifPresent(v -> Checks.sameShape(v.dataset().shape(), shape, "the validation sampler's dataset"));
    config.oneShotValidation().ifPresent(v -> Checks.sameShape(v.dataset().shape(), shape, "the validation episode sampler's dataset"));
    return locked(() -> session.use(() -> {
      // Seeded from the model and advanced across fit calls, so a run repeats exactly.
      SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + fitCalls++);
      return new TrainingLoop(model, this, batches, config, List.of(listeners), random).run();
    }));
  }

  /** Runs {@code work} holding the training lock: after a running {@code fit}, unless called from its listener. */
  <T> T locked(Supplier<T> work) {
    lock.lock();
    try {
      return work.get();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The learning rate of the next step, from the schedule.
   *
   * @throws IllegalArgumentException if the schedule gives a rate that is not finite and >= 0
   */
  double scheduledRate() {
    LearningRateSchedule schedule = optimizer.schedule();
    long step = steps;
    double rate = schedule.rate(step);
    if (!(rate >= 0 && Float.isFinite((float) rate))) {
      throw new IllegalArgumentException(
          "the learning-rate schedule " + schedule + " gave " + rate + " for step " + step
              + "; rates must be finite (as float32) and >= 0");
    }
    return rate;
  }

  /** Runs one step of {@code batches}' current batch; NaN when it was stopped, nothing changed. */
  double runStep(TrainingBatches batches, float rate) {
    return graph.runStep(
        session.session(), batches.examples, batches.examplesPerStep(), batches.kind, batches.pairLabels,
        batches.classLabels, rate, encoder);
  }

  /** Counts a step that was applied at {@code rate}. */
  void stepApplied(double rate) {
    steps++;
    lastRate = rate;
    weightsVersion++;
  }

  long steps() {
    return steps;
  }

  /** Sets the step count of a loaded model. */
  void steps(long count) {
    steps = count;
  }

  /** The rate to save: the last step's, or the first step's before any. */
  double rateToSave() {
    return Double.isNaN(lastRate) ? optimizer.learningRate() : lastRate;
  }

  long weightsVersion() {
    return weightsVersion;
  }

  /** Records that the variables were set from outside training. */
  void weightsChanged() {
    weightsVersion++;
  }
}
