package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Graph;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.framework.optimizers.Momentum;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.framework.optimizers.RMSProp;

/**
 * Which of TensorFlow Java's framework optimizers trains a model, and its settings. Immutable
 * value; the model creates the optimizer in its own graph.
 */
public final class OptimizerSpec {
  private enum Kind {
    ADAM,
    SGD,
    MOMENTUM,
    RMSPROP
  }

  private final Kind kind;
  private final float learningRate;
  private final float momentum;

  private OptimizerSpec(Kind kind, float learningRate, float momentum) {
    checkArgument(
        Float.isFinite(learningRate) && learningRate > 0,
        "learning rate must be finite and > 0, got %s",
        learningRate);
    checkArgument(
        Float.isFinite(momentum) && momentum >= 0 && momentum < 1,
        "momentum must be in [0, 1), got %s",
        momentum);
    this.kind = kind;
    this.learningRate = learningRate;
    this.momentum = momentum;
  }

  /** Adam (Kingma and Ba) with beta1 0.9, beta2 0.999, epsilon 1e-8; a good default is 1e-3. */
  public static OptimizerSpec adam(double learningRate) {
    return new OptimizerSpec(Kind.ADAM, (float) learningRate, 0f);
  }

  /** Plain stochastic gradient descent. */
  public static OptimizerSpec sgd(double learningRate) {
    return new OptimizerSpec(Kind.SGD, (float) learningRate, 0f);
  }

  /** Stochastic gradient descent with classical momentum, e.g. 0.9. */
  public static OptimizerSpec sgdWithMomentum(double learningRate, double momentum) {
    return new OptimizerSpec(Kind.MOMENTUM, (float) learningRate, (float) momentum);
  }

  /** RMSProp with TensorFlow's defaults (decay 0.9, no momentum, epsilon 1e-10). */
  public static OptimizerSpec rmsProp(double learningRate) {
    return new OptimizerSpec(Kind.RMSPROP, (float) learningRate, 0f);
  }

  /** The step size. */
  public double learningRate() {
    return learningRate;
  }

  /** A one-line description that {@link #parse} reads back, e.g. {@code adam 0.001 0.0}. */
  String describe() {
    return kind.name().toLowerCase(java.util.Locale.ROOT) + " " + learningRate + " " + momentum;
  }

  static OptimizerSpec parse(String description) {
    String[] parts = description.trim().split(" ");
    checkArgument(parts.length == 3, "bad optimizer description '%s'", description);
    Kind kind;
    try {
      kind = Kind.valueOf(parts[0].toUpperCase(java.util.Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown optimizer '" + parts[0] + "'", e);
    }
    return new OptimizerSpec(kind, Float.parseFloat(parts[1]), Float.parseFloat(parts[2]));
  }

  Optimizer create(Graph graph) {
    switch (kind) {
      case ADAM:
        return new Adam(graph, learningRate);
      case SGD:
        return new GradientDescent(graph, learningRate);
      case MOMENTUM:
        return new Momentum(graph, learningRate, momentum);
      case RMSPROP:
        return new RMSProp(graph, learningRate);
      default:
        throw new IllegalStateException("unknown optimizer " + kind);
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OptimizerSpec other
        && kind == other.kind
        && learningRate == other.learningRate
        && momentum == other.momentum;
  }

  @Override
  public int hashCode() {
    return (kind.hashCode() * 31 + Float.hashCode(learningRate)) * 31 + Float.hashCode(momentum);
  }

  @Override
  public String toString() {
    String name = kind.name().toLowerCase(java.util.Locale.ROOT);
    return kind == Kind.MOMENTUM
        ? name + "(lr " + learningRate + ", momentum " + momentum + ")"
        : name + "(lr " + learningRate + ")";
  }
}
