package io.siamese.core;

import io.siamese.core.train.OptimizerSpec;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.train.ApplyAdam;
import org.tensorflow.op.train.ApplyGradientDescent;
import org.tensorflow.op.train.ApplyMomentum;
import org.tensorflow.op.train.ApplyRmsProp;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * TensorFlow Java's framework optimizers (1.1.0) with the learning rate as an operand instead of a
 * constant, so that a schedule can feed it per step.
 *
 * <p>Each class repeats its framework counterpart op for op: the same {@code Apply*} kernel with
 * the same options, the same slots with the same names and initial values ({@code m}, {@code v},
 * {@code momentum}, {@code rms}), the same {@code beta1_power} and {@code beta2_power} variables
 * and the same defaults. Where the learning rate comes from differs, and Adam orders its update of
 * the powers, which the framework leaves to chance (see {@link Adam}). So at a constant rate the
 * updates are the framework's (a test compares them), and models saved before schedules existed,
 * whose weights files name those variables, load unchanged.
 */
final class ScheduledOptimizers {
  /**
   * The optimizer {@code spec} names, in {@code graph}, reading its step size from {@code
   * learningRate} (a float32 scalar that the model feeds with each step).
   */
  static Optimizer create(OptimizerSpec spec, Graph graph, Operand<TFloat32> learningRate) {
    switch (spec.kind()) {
      case ADAM:
        return new Adam(graph, learningRate);
      case SGD:
        return new GradientDescent(graph, learningRate);
      case MOMENTUM:
        return new Momentum(graph, learningRate, spec.momentum());
      case RMSPROP:
        return new RMSProp(graph, learningRate);
      default:
        throw new IllegalStateException("unknown optimizer " + spec.kind());
    }
  }

  private ScheduledOptimizers() {}

  private static <T extends TType> Operand<T> cast(Ops tf, Operand<TFloat32> x, Class<T> type) {
    return tf.dtypes.cast(x, type);
  }

  private static <T extends TType> Operand<T> zerosLike(Ops tf, Output<T> variable) {
    return tf.fill(tf.shape(variable), tf.dtypes.cast(tf.constant(0.0f), variable.type()));
  }

  /** {@code org.tensorflow.framework.optimizers.GradientDescent}: {@code var -= lr * grad}. */
  static final class GradientDescent extends Optimizer {
    private final Operand<TFloat32> learningRate;

    GradientDescent(Graph graph, Operand<TFloat32> learningRate) {
      super(graph);
      this.learningRate = learningRate;
    }

    @Override
    protected <T extends TType> Op applyDense(Ops tf, Output<T> gradient, Output<T> variable) {
      return tf.train.applyGradientDescent(
          variable, cast(tf, learningRate, gradient.type()), gradient, ApplyGradientDescent.useLocking(true));
    }

    @Override
    public String getOptimizerName() {
      return "GradientDescent";
    }
  }

  /**
   * {@code org.tensorflow.framework.optimizers.Momentum} without Nesterov: {@code accum = momentum
   * * accum + grad; var -= lr * accum}.
   */
  static final class Momentum extends Optimizer {
    private static final String SLOT = "momentum";
    private final Operand<TFloat32> learningRate;
    private final float momentum;

    Momentum(Graph graph, Operand<TFloat32> learningRate, float momentum) {
      super(graph);
      this.learningRate = learningRate;
      this.momentum = momentum;
    }

    @Override
    protected void createSlots(List<Output<? extends TType>> variables) {
      for (Output<? extends TType> v : variables) {
        createZeroSlot(v, SLOT);
      }
    }

    private <T extends TType> void createZeroSlot(Output<T> v, String name) {
      createSlot(v.asOutput(), name, zerosLike(tf, v));
    }

    @Override
    protected <T extends TType> Op applyDense(Ops tf, Output<T> gradient, Output<T> variable) {
      Variable<T> accum = getSlot(variable, SLOT).get();
      return tf.train.applyMomentum(
          variable,
          accum,
          cast(tf, learningRate, gradient.type()),
          gradient,
          tf.dtypes.cast(tf.constant(momentum), gradient.type()),
          ApplyMomentum.useNesterov(false),
          ApplyMomentum.useLocking(true));
    }

    @Override
    public String getOptimizerName() {
      return "Momentum";
    }
  }

  /**
   * {@code org.tensorflow.framework.optimizers.RMSProp}, not centred: {@code ms = rho * ms + (1 -
   * rho) * grad^2; mom = momentum * mom + lr * grad / sqrt(ms + epsilon); var -= mom}, with the
   * framework's defaults rho 0.9, momentum 0, epsilon 1e-10 and {@code ms} starting at 1.
   */
  static final class RMSProp extends Optimizer {
    private static final float DECAY = 0.9f;
    private static final float MOMENTUM = 0f;
    private static final float EPSILON = 1e-10f;
    private final Operand<TFloat32> learningRate;

    RMSProp(Graph graph, Operand<TFloat32> learningRate) {
      super(graph);
      this.learningRate = learningRate;
    }

    @Override
    protected void createSlots(List<Output<? extends TType>> variables) {
      for (Output<? extends TType> v : variables) {
        createRmsSlots(v);
      }
    }

    private <T extends TType> void createRmsSlots(Output<T> v) {
      Operand<T> ones = tf.fill(tf.shape(v), tf.dtypes.cast(tf.constant(1.0f), v.type()));
      createSlot(v.asOutput(), "rms", ones);
      createSlot(v.asOutput(), "momentum", zerosLike(tf, v));
    }

    @Override
    protected <T extends TType> Op applyDense(Ops tf, Output<T> gradient, Output<T> variable) {
      Variable<T> rms = getSlot(variable, "rms").get();
      Variable<T> mom = getSlot(variable, "momentum").get();
      return tf.train.applyRmsProp(
          variable,
          rms,
          mom,
          cast(tf, learningRate, gradient.type()),
          tf.dtypes.cast(tf.constant(DECAY), gradient.type()),
          tf.dtypes.cast(tf.constant(MOMENTUM), gradient.type()),
          tf.dtypes.cast(tf.constant(EPSILON), gradient.type()),
          gradient,
          ApplyRmsProp.useLocking(true));
    }

    @Override
    public String getOptimizerName() {
      return "RMSProp";
    }
  }

  /**
   * {@code org.tensorflow.framework.optimizers.Adam} (Kingma and Ba) with beta1 0.9, beta2 0.999,
   * epsilon 1e-8: TensorFlow's {@code ApplyAdam} kernel, with the powers of beta kept in the
   * variables {@code beta1_power} and {@code beta2_power} (starting at beta1 and beta2).
   *
   * <p><b>Which power a step uses.</b> The framework multiplies the powers by beta with ops that
   * nothing orders against the {@code ApplyAdam} ops reading them, so its results vary from run to
   * run (measured: four different outcomes in twelve identical runs on one thread). Most often the
   * multiplication runs first (it waits for nothing, the updates wait for the backward pass), and
   * step {@code t} (from 1) corrects its bias with {@code beta^(t+1)}, not the paper's {@code
   * beta^t}. Here that order is explicit: each update reads the multiplied power as its input. So
   * the numbers are the framework's usual ones, the same in every run, and checkpoints hold the
   * same state ({@code beta^(t+1)} after {@code t} steps). The multiplication also waits for the
   * step's finiteness check like every other update, so a rejected step leaves the powers as they
   * were (the framework's could move on).
   */
  static final class Adam extends Optimizer {
    private static final float BETA_ONE = 0.9f;
    private static final float BETA_TWO = 0.999f;
    private static final float EPSILON = 1e-8f;
    private final Operand<TFloat32> learningRate;
    private Operand<TFloat32> betaOneConst;
    private Operand<TFloat32> betaTwoConst;
    private Operand<TFloat32> epsilonConst;
    private Variable<TFloat32> betaOnePower;
    private Variable<TFloat32> betaTwoPower;
    /** The powers after this step's multiplication; made with the first update, in its scope. */
    private Operand<TFloat32> betaOnePowerNext;
    private Operand<TFloat32> betaTwoPowerNext;

    Adam(Graph graph, Operand<TFloat32> learningRate) {
      super(graph);
      this.learningRate = learningRate;
    }

    @Override
    protected void createSlots(List<Output<? extends TType>> variables) {
      for (Output<? extends TType> v : variables) {
        createAdamSlots(v);
      }
      Ops init = tf.withInitScope();
      betaOnePower = init.withName("beta1_power").variable(Shape.scalar(), TFloat32.class);
      init.assign(betaOnePower, tf.constant(BETA_ONE));
      betaTwoPower = init.withName("beta2_power").variable(Shape.scalar(), TFloat32.class);
      init.assign(betaTwoPower, tf.constant(BETA_TWO));
    }

    private <T extends TType> void createAdamSlots(Output<T> v) {
      createSlot(v.asOutput(), "m", zerosLike(tf, v));
      createSlot(v.asOutput(), "v", zerosLike(tf, v));
    }

    @Override
    protected Optional<Op> prepare(String scopeName) {
      betaOneConst = tf.constant(BETA_ONE);
      betaTwoConst = tf.constant(BETA_TWO);
      epsilonConst = tf.constant(EPSILON);
      return Optional.empty();
    }

    @Override
    protected <T extends TType> Op applyDense(Ops tf, Output<T> gradient, Output<T> variable) {
      if (betaOnePowerNext == null) {
        // tf carries the gradients' control dependencies, so this waits as every update does.
        betaOnePowerNext = tf.assign(betaOnePower, tf.math.mul(betaOnePower, betaOneConst));
        betaTwoPowerNext = tf.assign(betaTwoPower, tf.math.mul(betaTwoPower, betaTwoConst));
      }
      Variable<T> m = getSlot(variable, "m").get();
      Variable<T> v = getSlot(variable, "v").get();
      Class<T> type = gradient.type();
      return tf.train.applyAdam(
          variable,
          m,
          v,
          tf.dtypes.cast(betaOnePowerNext, type),
          tf.dtypes.cast(betaTwoPowerNext, type),
          cast(tf, learningRate, type),
          tf.dtypes.cast(betaOneConst, type),
          tf.dtypes.cast(betaTwoConst, type),
          tf.dtypes.cast(epsilonConst, type),
          gradient,
          ApplyAdam.useLocking(true));
    }

    @Override
    public String getOptimizerName() {
      return "Adam";
    }
  }
}
