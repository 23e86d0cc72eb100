package io.siamese.core.train;


/**
 * The learning rate of each optimizer step, as Keras' {@code LearningRateSchedule} and PyTorch's
 * {@code LRScheduler} give it: pass one to an optimizer ({@link
 * OptimizerSpec#adam(LearningRateSchedule)} and its siblings) and the model feeds {@code
 * rate(step)} to every training step.
 *
 * <pre>{@code
 * TrainingConfig config = TrainingConfig.builder().epochs(10).stepsPerEpoch(200).batchSize(64).build();
 * LearningRateSchedule lr =
 *     LearningRateSchedule.warmup(100, LearningRateSchedule.cosineDecay(1e-3, config.totalSteps() - 100, 1e-5));
 * SiameseModel.builder()...optimizer(OptimizerSpec.adam(lr))...
 * }</pre>
 *
 * <p><b>Which step.</b> {@code step} counts the training steps the model has applied before this
 * one, from 0, over the model's whole life: it goes on across {@code fit} calls, and a model
 * saved after {@code n} steps and loaded again continues at step {@code n} (as Keras' {@code
 * optimizer.iterations}). A step that {@code fit} refuses because its loss is not finite is not
 * counted; early stopping that restores the weights of an earlier epoch does not turn the count
 * back.
 *
 * <p><b>Your own.</b> This is a functional interface: {@code step -> step < 1000 ? 1e-3 : 1e-4}
 * is a schedule. It must give a finite rate {@code >= 0} for every step (fit fails naming the step
 * otherwise), and it should be a pure function of the step. A saved model keeps the ready-made
 * schedules below; of a schedule of your own it keeps only the rate of the step it was saved at,
 * which the loaded model then trains with as a constant.
 *
 * <p>The ready-made schedules are immutable values with {@code equals}, and reject bad arguments
 * with an {@link IllegalArgumentException} naming the value. Rates are in the optimizer's units
 * (the step size of SGD); the model feeds them to TensorFlow as float32.
 */
@FunctionalInterface
public interface LearningRateSchedule {

  /**
   * The learning rate of training step {@code step}.
   *
   * @param step the number of steps this model applied before this one, from 0
   * @return a finite rate {@code >= 0}
   * @throws IllegalArgumentException if {@code step < 0} (the ready-made schedules)
   */
  double rate(long step);

  /**
   * The same rate for every step.
   *
   * @param rate finite and {@code > 0}
   */
  static LearningRateSchedule constant(double rate) {
    return new LearningRateSchedules.Constant(rate);
  }

  /**
   * Multiplies the rate by {@code factor} every {@code everySteps} steps (PyTorch's {@code
   * StepLR}, Keras' {@code ExponentialDecay(staircase=True)}): {@code initial * factor^floor(step /
   * everySteps)}.
   *
   * @param initial the rate of steps {@code 0 .. everySteps - 1}; finite and {@code > 0}
   * @param factor in {@code (0, 1]}, e.g. 0.5 to halve
   * @param everySteps {@code >= 1}
   */
  static LearningRateSchedule stepDecay(double initial, double factor, long everySteps) {
    return new LearningRateSchedules.StepDecay(initial, factor, everySteps);
  }

  /**
   * Smooth exponential decay (Keras' {@code ExponentialDecay}): {@code initial * decayRate^(step /
   * decaySteps)}, the fraction not rounded down.
   *
   * @param initial the rate of step 0; finite and {@code > 0}
   * @param decayRate the factor per {@code decaySteps} steps, in {@code (0, 1]}
   * @param decaySteps {@code >= 1}
   */
  static LearningRateSchedule exponentialDecay(double initial, double decayRate, long decaySteps) {
    return new LearningRateSchedules.ExponentialDecay(initial, decayRate, decaySteps);
  }

  /**
   * Cosine annealing from {@code initial} to {@code minRate} over {@code totalSteps} steps, then
   * {@code minRate} (PyTorch's {@code CosineAnnealingLR} without restarts; Keras' {@code
   * CosineDecay} with {@code alpha = minRate / initial}): {@code minRate + (initial - minRate) * (1
   * + cos(pi * min(step, totalSteps) / totalSteps)) / 2}.
   *
   * @param initial the rate of step 0; finite and {@code > 0}
   * @param totalSteps steps until the rate reaches {@code minRate}, {@code >= 1}; e.g. {@link
   *     TrainingConfig#totalSteps()}
   * @param minRate the final rate, in {@code [0, initial]}
   */
  static LearningRateSchedule cosineDecay(double initial, long totalSteps, double minRate) {
    return new LearningRateSchedules.CosineDecay(initial, totalSteps, minRate);
  }

  /**
   * A linear warm-up before {@code then}: step {@code s < steps} trains at {@code then.rate(0) *
   * (s + 1) / steps}, so the first step is small but not wasted and step {@code steps - 1} reaches
   * {@code then.rate(0)}; from step {@code steps} on, {@code then} runs from its own step 0 ({@code
   * then.rate(s - steps)}), as in Keras' {@code CosineDecay(warmup_steps=...)}.
   *
   * @param steps warm-up steps, {@code >= 1}
   * @param then the schedule after the warm-up
   */
  static LearningRateSchedule warmup(long steps, LearningRateSchedule then) {
    return new LearningRateSchedules.Warmup(steps, then);
  }

  /**
   * A one-line text form of a ready-made schedule that {@link #parse} reads back (e.g. {@code
   * cosineDecay 0.001 5000 0.0}), as a saved model stores it; empty for a schedule of your own.
   */
  static java.util.Optional<String> describe(LearningRateSchedule schedule) {
    return LearningRateSchedules.describe(schedule);
  }

  /**
   * The schedule {@link #describe} wrote as {@code text}.
   *
   * @throws IllegalArgumentException naming the text if it is not a schedule
   */
  static LearningRateSchedule parse(String text) {
    return LearningRateSchedules.parse(text);
  }
}
