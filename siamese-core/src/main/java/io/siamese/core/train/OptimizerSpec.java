package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Locale;
import java.util.Objects;

/**
 * Which optimizer trains a model, with its learning rate or {@link LearningRateSchedule}. Immutable
 * value; the model creates the optimizer in its own graph.
 *
 * <pre>{@code
 * OptimizerSpec.adam(1e-3)                                             // constant rate
 * OptimizerSpec.adam(LearningRateSchedule.cosineDecay(1e-3, 5000, 0))  // scheduled, as in Keras
 * OptimizerSpec.sgdWithMomentum(LearningRateSchedule.stepDecay(0.1, 0.1, 3000), 0.9)
 * }</pre>
 *
 * <p>The update rules are TensorFlow Java's framework optimizers (Adam, GradientDescent,
 * Momentum, RMSProp) with their defaults, rewritten so that the learning rate is fed per step; at
 * a constant rate they compute what the framework's do. The framework's Adam orders the update of
 * its powers of beta by chance and so varies from run to run; this one always gives its most
 * frequent result, in which step {@code t} corrects its bias with {@code beta^(t+1)}.
 */
public final class OptimizerSpec {
  /** The update rule. */
  public enum Kind {
    /** Adam (Kingma and Ba). */
    ADAM,
    /** Plain stochastic gradient descent. */
    SGD,
    /** Gradient descent with momentum. */
    MOMENTUM,
    /** RMSProp with TensorFlow's defaults. */
    RMSPROP
  }

  private final Kind kind;
  private final LearningRateSchedule schedule;
  private final float momentum;

  private OptimizerSpec(Kind kind, LearningRateSchedule schedule, float momentum) {
    checkNotNull(schedule, "schedule");
    checkArgument(
        Float.isFinite(momentum) && momentum >= 0 && momentum < 1,
        "momentum must be in [0, 1), got %s",
        momentum);
    this.kind = kind;
    this.schedule = schedule;
    this.momentum = momentum;
  }

  /** Adam (Kingma and Ba) with beta1 0.9, beta2 0.999, epsilon 1e-8; a good default is 1e-3. */
  public static OptimizerSpec adam(double learningRate) {
    return adam(LearningRateSchedule.constant(learningRate));
  }

  /** Adam with a scheduled learning rate; see {@link #adam(double)}. */
  public static OptimizerSpec adam(LearningRateSchedule schedule) {
    return new OptimizerSpec(Kind.ADAM, schedule, 0f);
  }

  /** Plain stochastic gradient descent: {@code w -= rate * gradient}. */
  public static OptimizerSpec sgd(double learningRate) {
    return sgd(LearningRateSchedule.constant(learningRate));
  }

  /** Plain stochastic gradient descent with a scheduled learning rate. */
  public static OptimizerSpec sgd(LearningRateSchedule schedule) {
    return new OptimizerSpec(Kind.SGD, schedule, 0f);
  }

  /**
   * Stochastic gradient descent with classical momentum, e.g. 0.9: {@code a = momentum * a +
   * gradient; w -= rate * a}.
   */
  public static OptimizerSpec sgdWithMomentum(double learningRate, double momentum) {
    return sgdWithMomentum(LearningRateSchedule.constant(learningRate), momentum);
  }

  /** Stochastic gradient descent with classical momentum and a scheduled learning rate. */
  public static OptimizerSpec sgdWithMomentum(LearningRateSchedule schedule, double momentum) {
    return new OptimizerSpec(Kind.MOMENTUM, schedule, (float) momentum);
  }

  /** RMSProp with TensorFlow's defaults (decay 0.9, no momentum, epsilon 1e-10). */
  public static OptimizerSpec rmsProp(double learningRate) {
    return rmsProp(LearningRateSchedule.constant(learningRate));
  }

  /** RMSProp with TensorFlow's defaults and a scheduled learning rate. */
  public static OptimizerSpec rmsProp(LearningRateSchedule schedule) {
    return new OptimizerSpec(Kind.RMSPROP, schedule, 0f);
  }

  /** The step size of the first step: {@code schedule().rate(0)}; the rate itself if constant. */
  public double learningRate() {
    return schedule.rate(0);
  }

  /** The learning rate of each step; a {@link LearningRateSchedule#constant} for a fixed rate. */
  public LearningRateSchedule schedule() {
    return schedule;
  }

  /** Whether the rate is the same for every step. */
  public boolean isConstant() {
    return schedule instanceof LearningRateSchedules.Constant;
  }

  /** The update rule. */
  public Kind kind() {
    return kind;
  }

  /** The momentum of {@link Kind#MOMENTUM}; 0 for the others. */
  public float momentum() {
    return momentum;
  }

  /**
   * The optimizer {@code kind} with this schedule and momentum, as a saved model describes it.
   *
   * @throws IllegalArgumentException if the momentum is not in [0, 1)
   */
  public static OptimizerSpec of(Kind kind, LearningRateSchedule schedule, float momentum) {
    checkNotNull(kind, "kind");
    return new OptimizerSpec(kind, schedule, momentum);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OptimizerSpec other
        && kind == other.kind
        && schedule.equals(other.schedule)
        && momentum == other.momentum;
  }

  @Override
  public int hashCode() {
    return Objects.hash(kind, schedule, momentum);
  }

  /** For example {@code adam(lr 0.001)}, {@code momentum(lr cosineDecay(...), momentum 0.9)}. */
  @Override
  public String toString() {
    String name = kind.name().toLowerCase(Locale.ROOT);
    String lr = isConstant() ? String.valueOf((float) learningRate()) : schedule.toString();
    return kind == Kind.MOMENTUM
        ? name + "(lr " + lr + ", momentum " + momentum + ")"
        : name + "(lr " + lr + ")";
  }
}
