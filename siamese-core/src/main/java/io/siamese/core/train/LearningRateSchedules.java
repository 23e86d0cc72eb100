package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.Optional;

/**
 * The ready-made {@link LearningRateSchedule}s, and their one-line text form for {@code
 * model.properties}: {@code constant 0.001}, {@code stepDecay 0.1 0.5 1000}, {@code
 * exponentialDecay 0.1 0.96 1000}, {@code cosineDecay 0.001 5000 0.0}, {@code warmup 100
 * <schedule>}. Doubles are written with {@link Double#toString}, so they read back exactly.
 */
final class LearningRateSchedules {
  private LearningRateSchedules() {}

  private static void checkStep(long step) {
    checkArgument(step >= 0, "step must be >= 0, got %s", step);
  }

  private static void checkInitial(double initial) {
    checkArgument(
        Double.isFinite(initial) && initial > 0, "initial learning rate must be finite and > 0, got %s", initial);
  }

  record Constant(double value) implements LearningRateSchedule {
    Constant {
      checkArgument(Double.isFinite(value) && value > 0, "learning rate must be finite and > 0, got %s", value);
    }

    @Override
    public double rate(long step) {
      checkStep(step);
      return value;
    }

    @Override
    public String toString() {
      return "constant(" + value + ")";
    }
  }

  record StepDecay(double initial, double factor, long everySteps) implements LearningRateSchedule {
    StepDecay {
      checkInitial(initial);
      checkArgument(factor > 0 && factor <= 1, "step-decay factor must be in (0, 1], got %s", factor);
      checkArgument(everySteps >= 1, "step-decay everySteps must be >= 1, got %s", everySteps);
    }

    @Override
    public double rate(long step) {
      checkStep(step);
      return initial * Math.pow(factor, step / everySteps);
    }

    @Override
    public String toString() {
      return "stepDecay(" + initial + ", x" + factor + " every " + everySteps + " steps)";
    }
  }

  record ExponentialDecay(double initial, double decayRate, long decaySteps) implements LearningRateSchedule {
    ExponentialDecay {
      checkInitial(initial);
      checkArgument(decayRate > 0 && decayRate <= 1, "exponential decayRate must be in (0, 1], got %s", decayRate);
      checkArgument(decaySteps >= 1, "exponential decaySteps must be >= 1, got %s", decaySteps);
    }

    @Override
    public double rate(long step) {
      checkStep(step);
      return initial * Math.pow(decayRate, (double) step / decaySteps);
    }

    @Override
    public String toString() {
      return "exponentialDecay(" + initial + ", x" + decayRate + " per " + decaySteps + " steps)";
    }
  }

  record CosineDecay(double initial, long totalSteps, double minRate) implements LearningRateSchedule {
    CosineDecay {
      checkInitial(initial);
      checkArgument(totalSteps >= 1, "cosine-decay totalSteps must be >= 1, got %s", totalSteps);
      checkArgument(
          minRate >= 0 && minRate <= initial,
          "cosine-decay minRate must be in [0, initial = %s], got %s",
          initial,
          minRate);
    }

    @Override
    public double rate(long step) {
      checkStep(step);
      double progress = Math.min(step, totalSteps) / (double) totalSteps;
      return minRate + (initial - minRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
    }

    @Override
    public String toString() {
      return "cosineDecay(" + initial + " to " + minRate + " over " + totalSteps + " steps)";
    }
  }

  record Warmup(long steps, LearningRateSchedule then) implements LearningRateSchedule {
    Warmup {
      checkArgument(steps >= 1, "warm-up steps must be >= 1, got %s", steps);
      checkNotNull(then, "the schedule after the warm-up");
    }

    @Override
    public double rate(long step) {
      checkStep(step);
      return step < steps ? then.rate(0) * (step + 1) / steps : then.rate(step - steps);
    }

    @Override
    public String toString() {
      return "warmup(" + steps + " steps, then " + then + ")";
    }
  }

  /** The text form of a ready-made schedule; empty for one of the caller's own. */
  static Optional<String> describe(LearningRateSchedule s) {
    if (s instanceof Constant c) {
      return Optional.of("constant " + c.value());
    } else if (s instanceof StepDecay d) {
      return Optional.of("stepDecay " + d.initial() + " " + d.factor() + " " + d.everySteps());
    } else if (s instanceof ExponentialDecay d) {
      return Optional.of("exponentialDecay " + d.initial() + " " + d.decayRate() + " " + d.decaySteps());
    } else if (s instanceof CosineDecay d) {
      return Optional.of("cosineDecay " + d.initial() + " " + d.totalSteps() + " " + d.minRate());
    } else if (s instanceof Warmup w) {
      return describe(w.then()).map(then -> "warmup " + w.steps() + " " + then);
    }
    return Optional.empty();
  }

  /**
   * Reads what {@link #describe} wrote.
   *
   * @throws IllegalArgumentException naming the text if it is not a schedule
   */
  static LearningRateSchedule parse(String text) {
    String[] t = text.trim().split(" ");
    try {
      switch (t[0]) {
        case "constant":
          checkArgument(t.length == 2, "bad schedule '%s'", text);
          return new Constant(Double.parseDouble(t[1]));
        case "stepDecay":
          checkArgument(t.length == 4, "bad schedule '%s'", text);
          return new StepDecay(Double.parseDouble(t[1]), Double.parseDouble(t[2]), Long.parseLong(t[3]));
        case "exponentialDecay":
          checkArgument(t.length == 4, "bad schedule '%s'", text);
          return new ExponentialDecay(Double.parseDouble(t[1]), Double.parseDouble(t[2]), Long.parseLong(t[3]));
        case "cosineDecay":
          checkArgument(t.length == 4, "bad schedule '%s'", text);
          return new CosineDecay(Double.parseDouble(t[1]), Long.parseLong(t[2]), Double.parseDouble(t[3]));
        case "warmup":
          checkArgument(t.length > 2, "bad schedule '%s'", text);
          return new Warmup(Long.parseLong(t[1]), parse(String.join(" ", Arrays.copyOfRange(t, 2, t.length))));
        default:
          throw new IllegalArgumentException("unknown learning-rate schedule '" + text + "'");
      }
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad schedule '" + text + "': " + e.getMessage(), e);
    }
  }
}
