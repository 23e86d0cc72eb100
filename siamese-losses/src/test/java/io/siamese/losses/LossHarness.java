package io.siamese.losses;

import java.util.List;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;

/**
 * Runs a pair loss or a distance on Java arrays in a fresh graph: its value in float64 or float32,
 * and its gradient with respect to both embedding batches. Closes every native object it makes.
 */
final class LossHarness {
  private LossHarness() {}

  /** A function of two embedding batches and labels, built into a graph. */
  interface GraphFunction {
    <T extends org.tensorflow.types.family.TNumber> Operand<T> build(
        Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels);
  }

  /** A function of one vector of per-example terms, built into a graph. */
  interface VectorFunction {
    <T extends org.tensorflow.types.family.TNumber> Operand<T> build(Ops tf, Operand<T> x);
  }

  /** The output of {@code f} on the vector {@code x}, in float64, flattened. */
  static double[] run64(VectorFunction f, double[] x) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> out = f.build(tf, tf.constant(x));
      try (Result r = s.runner().fetch(out).run()) {
        return toArray((TFloat64) r.get(0));
      }
    }
  }

  /** The gradient of the scalar output of {@code f} with respect to the vector {@code x}. */
  static double[] gradient64(VectorFunction f, double[] x) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> in =
          tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(x.length)));
      Gradients grads = tf.gradients(f.build(tf, in), List.of(in));
      try (TFloat64 xt = TFloat64.tensorOf(Shape.of(x.length), DataBuffers.of(x, true, false));
          Result res = s.runner().feed(in, xt).fetch(grads.dy(0)).run()) {
        return toArray((TFloat64) res.get(0));
      }
    }
  }

  /**
   * The output in float64, with the inputs fed through placeholders whose batch size is unknown
   * (-1) when the graph is built, as in a real training graph.
   */
  static double[] runFed64(GraphFunction f, double[][] left, double[][] right, double[] labels) {
    int b = left.length;
    int e = left[0].length;
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> l = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, e)));
      Placeholder<TFloat64> r = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, e)));
      Placeholder<TFloat64> y = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat64> out = f.build(tf, l, r, y);
      try (TFloat64 lt =
              TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flatten(left), true, false));
          TFloat64 rt =
              TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flatten(right), true, false));
          TFloat64 yt = TFloat64.tensorOf(Shape.of(b), DataBuffers.of(labels, true, false));
          Result res = s.runner().feed(l, lt).feed(r, rt).feed(y, yt).fetch(out).run()) {
        return toArray((TFloat64) res.get(0));
      }
    }
  }

  /** The output in float64, flattened. */
  static double[] run64(GraphFunction f, double[][] left, double[][] right, double[] labels) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat64> out =
          f.build(tf, tf.constant(left), tf.constant(right), tf.constant(labels));
      try (Result r = s.runner().fetch(out).run()) {
        return toArray((TFloat64) r.get(0));
      }
    }
  }

  /** The output in float32, flattened and widened. */
  static double[] run32(GraphFunction f, double[][] left, double[][] right, double[] labels) {
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> out =
          f.build(
              tf,
              tf.constant(toFloat(left)),
              tf.constant(toFloat(right)),
              tf.constant(toFloat(labels)));
      try (Result r = s.runner().fetch(out).run()) {
        TFloat32 t = (TFloat32) r.get(0);
        float[] v = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(v, false, false));
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
          d[i] = v[i];
        }
        return d;
      }
    }
  }

  /**
   * The gradient of the scalar output with respect to {@code left} and {@code right}, in float64:
   * element 0 has the shape of {@code left}, element 1 of {@code right}.
   */
  static double[][][] gradient64(
      GraphFunction f, double[][] left, double[][] right, double[] labels) {
    int b = left.length;
    int e = left[0].length;
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat64> l = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(b, e)));
      Placeholder<TFloat64> r = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(b, e)));
      Operand<TFloat64> out = f.build(tf, l, r, tf.constant(labels));
      Gradients grads = tf.gradients(out, List.of(l, r));
      try (TFloat64 lt =
              TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flatten(left), true, false));
          TFloat64 rt =
              TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flatten(right), true, false));
          Result res =
              s.runner().feed(l, lt).feed(r, rt).fetch(grads.dy(0)).fetch(grads.dy(1)).run()) {
        return new double[][][] {
          unflatten(toArray((TFloat64) res.get(0)), b, e),
          unflatten(toArray((TFloat64) res.get(1)), b, e)
        };
      }
    }
  }

  /** Central finite differences of a scalar function of (left, right), step {@code h}. */
  static double[][][] finiteDifferences(
      java.util.function.BiFunction<double[][], double[][], Double> f,
      double[][] left,
      double[][] right,
      double h) {
    double[][][] g = new double[2][left.length][left[0].length];
    for (int which = 0; which < 2; which++) {
      for (int i = 0; i < left.length; i++) {
        for (int k = 0; k < left[0].length; k++) {
          double[][] plusL = copy(left);
          double[][] plusR = copy(right);
          double[][] minusL = copy(left);
          double[][] minusR = copy(right);
          (which == 0 ? plusL : plusR)[i][k] += h;
          (which == 0 ? minusL : minusR)[i][k] -= h;
          g[which][i][k] = (f.apply(plusL, plusR) - f.apply(minusL, minusR)) / (2 * h);
        }
      }
    }
    return g;
  }

  static double[][] copy(double[][] x) {
    double[][] c = new double[x.length][];
    for (int i = 0; i < x.length; i++) {
      c[i] = x[i].clone();
    }
    return c;
  }

  private static double[] toArray(TFloat64 t) {
    double[] v = new double[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static double[] flatten(double[][] x) {
    double[] f = new double[x.length * x[0].length];
    for (int i = 0; i < x.length; i++) {
      System.arraycopy(x[i], 0, f, i * x[0].length, x[0].length);
    }
    return f;
  }

  private static double[][] unflatten(double[] f, int b, int e) {
    double[][] x = new double[b][e];
    for (int i = 0; i < b; i++) {
      System.arraycopy(f, i * e, x[i], 0, e);
    }
    return x;
  }

  static float[][] toFloat(double[][] x) {
    float[][] f = new float[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int k = 0; k < x[0].length; k++) {
        f[i][k] = (float) x[i][k];
      }
    }
    return f;
  }

  static float[] toFloat(double[] x) {
    float[] f = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      f[i] = (float) x[i];
    }
    return f;
  }
}
