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
import org.tensorflow.types.TInt32;

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

  /** A function of one batch of embeddings and its integer labels, built into a graph. */
  interface BatchFunction {
    <T extends org.tensorflow.types.family.TNumber> Operand<T> build(
        Ops tf, Operand<T> embeddings, Operand<TInt32> labels);
  }

  /** The graph function of a {@link BatchLoss}. */
  static BatchFunction of(BatchLoss loss) {
    return new BatchFunction() {
      @Override
      public <T extends org.tensorflow.types.family.TNumber> Operand<T> build(
          Ops tf, Operand<T> x, Operand<TInt32> labels) {
        return loss.call(tf, x, labels);
      }
    };
  }

  /**
   * What one graph says about a batch function: its output in float64 and in float32 (flattened),
   * and the gradient of its float64 output (summed, if not a scalar) with respect to the
   * embeddings.
   */
  record BatchEval(double[] value64, double[] value32, double[][] gradient64) {
    double value() {
      return value64[0];
    }
  }

  /**
   * Evaluates {@code f} on {@code x} in float64 and float32 and differentiates the float64 output,
   * in one graph and one session run. The embeddings are fed through placeholders of unknown batch
   * size and dimension, as in a training graph. The graph is built and closed for this call; for
   * the many calls of a property, {@link #eval(BatchLoss, double[][], int[])} reuses one.
   */
  static BatchEval eval(BatchFunction f, double[][] x, int[] labels) {
    try (Compiled c = new Compiled(f)) {
      return c.eval(x, labels);
    }
  }

  /**
   * As {@link #eval(BatchFunction, double[][], int[])} for {@code loss}, on a graph and session
   * kept for every later call with an equal loss: a session's first run optimises the graph, which
   * costs some 50 ms, and later runs about 1 ms.
   */
  static BatchEval eval(BatchLoss loss, double[][] x, int[] labels) {
    return eval(loss, of(loss), x, labels);
  }

  /** As {@link #eval(BatchLoss, double[][], int[])}, with the graph kept under {@code key}. */
  static BatchEval eval(Object key, BatchFunction f, double[][] x, int[] labels) {
    synchronized (CACHE) {
      Compiled c = CACHE.get(key);
      if (c == null) {
        c = new Compiled(f);
        CACHE.put(key, c);
      }
      return c.eval(x, labels);
    }
  }

  private static final int CACHE_SIZE = 256;

  /** Compiled graphs by key; the eldest is closed when the cache is full, the rest at exit. */
  private static final java.util.Map<Object, Compiled> CACHE =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<Object, Compiled> eldest) {
          if (size() > CACHE_SIZE) {
            eldest.getValue().close();
            return true;
          }
          return false;
        }
      };

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (CACHE) {
                    CACHE.values().forEach(Compiled::close);
                    CACHE.clear();
                  }
                }));
  }

  /** A batch function built once into a graph, in float64 (with its gradient) and float32. */
  static final class Compiled implements AutoCloseable {
    private final Graph graph;
    private final Session session;
    private final Placeholder<TFloat64> x64;
    private final Placeholder<TFloat32> x32;
    private final Placeholder<TInt32> y;
    private final Operand<TFloat64> out64;
    private final Operand<TFloat32> out32;
    private final Operand<?> gradient;

    Compiled(BatchFunction f) {
      graph = new Graph();
      try {
        Ops tf = Ops.create(graph);
        x64 = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, -1)));
        x32 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        out64 = f.build(tf, x64, y);
        out32 = f.build(tf, x32, y);
        Operand<TFloat64> total =
            tf.reduceSum(out64, tf.range(tf.constant(0), tf.rank(out64), tf.constant(1)));
        gradient = tf.gradients(total, List.of(x64)).dy(0);
        session = new Session(graph);
      } catch (RuntimeException | Error e) {
        graph.close();
        throw e;
      }
    }

    BatchEval eval(double[][] x, int[] labels) {
      int b = x.length;
      int e = b == 0 ? 1 : x[0].length;
      double[] flat = b == 0 ? new double[0] : flatten(x);
      try (TFloat64 xt64 = TFloat64.tensorOf(Shape.of(b, e), DataBuffers.of(flat, true, false));
          TFloat32 xt32 =
              TFloat32.tensorOf(Shape.of(b, e), DataBuffers.of(toFloat(flat), true, false));
          TInt32 yt = TInt32.tensorOf(Shape.of(b), DataBuffers.of(labels, true, false));
          Result r =
              session
                  .runner()
                  .feed(x64, xt64)
                  .feed(x32, xt32)
                  .feed(y, yt)
                  .fetch(out64)
                  .fetch(out32)
                  .fetch(gradient)
                  .run()) {
        TFloat32 v32 = (TFloat32) r.get(1);
        float[] f32 = new float[(int) v32.shape().size()];
        v32.copyTo(DataBuffers.of(f32, false, false));
        double[] d32 = new double[f32.length];
        for (int i = 0; i < f32.length; i++) {
          d32[i] = f32[i];
        }
        double[] grad = toArray((TFloat64) r.get(2));
        return new BatchEval(
            toArray((TFloat64) r.get(0)), d32, b == 0 ? new double[0][] : unflatten(grad, b, e));
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /** A function of several inputs of any rank, built into a graph. */
  interface MultiFunction {
    <T extends org.tensorflow.types.family.TNumber> Operand<T> build(
        Ops tf, List<Operand<T>> inputs);
  }

  /** One input: its values, row-major, and its shape. */
  record Input(double[] data, long[] shape) {
    static Input scalar(double v) {
      return new Input(new double[] {v}, new long[0]);
    }

    static Input vector(double[] v) {
      return new Input(v.clone(), new long[] {v.length});
    }

    static Input matrix(double[][] m) {
      return new Input(flatten(m), new long[] {m.length, m[0].length});
    }
  }

  /** Values in float64 and float32 and the float64 gradient with respect to every input. */
  record MultiEval(double[] value64, double[] value32, double[][] gradients) {
    double value() {
      return value64[0];
    }

    /** The gradient with respect to input {@code i}, a matrix of {@code rows} rows. */
    double[][] gradientMatrix(int i, int rows) {
      return unflatten(gradients[i], rows, gradients[i].length / rows);
    }
  }

  /**
   * Evaluates {@code f} in float64 and float32 and differentiates its float64 output (summed) with
   * respect to every input, on a graph kept under {@code key} and the inputs' ranks. The inputs are
   * fed through placeholders whose dimensions are all unknown.
   */
  static MultiEval eval(Object key, MultiFunction f, Input... inputs) {
    List<Object> fullKey = new java.util.ArrayList<>();
    fullKey.add(key);
    for (Input in : inputs) {
      fullKey.add(in.shape().length);
    }
    synchronized (MULTI_CACHE) {
      CompiledMulti c = MULTI_CACHE.get(fullKey);
      if (c == null) {
        c = new CompiledMulti(f, inputs);
        MULTI_CACHE.put(fullKey, c);
      }
      return c.eval(inputs);
    }
  }

  private static final java.util.Map<Object, CompiledMulti> MULTI_CACHE = new java.util.HashMap<>();

  static {
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  synchronized (MULTI_CACHE) {
                    MULTI_CACHE.values().forEach(CompiledMulti::close);
                    MULTI_CACHE.clear();
                  }
                }));
  }

  private static final class CompiledMulti implements AutoCloseable {
    private final Graph graph;
    private final Session session;
    private final List<Placeholder<TFloat64>> in64 = new java.util.ArrayList<>();
    private final List<Placeholder<TFloat32>> in32 = new java.util.ArrayList<>();
    private final Operand<TFloat64> out64;
    private final Operand<TFloat32> out32;
    private final List<Operand<?>> gradients = new java.util.ArrayList<>();

    CompiledMulti(MultiFunction f, Input[] inputs) {
      graph = new Graph();
      try {
        Ops tf = Ops.create(graph);
        for (Input in : inputs) {
          long[] unknown = new long[in.shape().length];
          java.util.Arrays.fill(unknown, -1);
          in64.add(tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(unknown))));
          in32.add(tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(unknown))));
        }
        out64 = f.build(tf, List.copyOf(in64));
        out32 = f.build(tf, List.copyOf(in32));
        Operand<TFloat64> total =
            tf.reduceSum(out64, tf.range(tf.constant(0), tf.rank(out64), tf.constant(1)));
        Gradients all = tf.gradients(total, List.copyOf(in64));
        for (int i = 0; i < inputs.length; i++) {
          Operand<?> dy = all.dy(i);
          try {
            dy.asOutput().dataType();
            gradients.add(dy);
          } catch (IllegalStateException noPath) {
            // TensorFlow Java's quirk: for an input that reaches the output only through ops
            // without a gradient (a comparison, say), dy(i) is a null output, and using it
            // fails with "close() has been called on the Graph". Report zeros instead.
            gradients.add(null);
          }
        }
        session = new Session(graph);
      } catch (RuntimeException | Error e) {
        graph.close();
        throw e;
      }
    }

    MultiEval eval(Input[] inputs) {
      List<org.tensorflow.Tensor> fed = new java.util.ArrayList<>();
      try {
        Session.Runner runner = session.runner();
        for (int i = 0; i < inputs.length; i++) {
          Shape shape = Shape.of(inputs[i].shape());
          TFloat64 t64 = TFloat64.tensorOf(shape, DataBuffers.of(inputs[i].data(), true, false));
          fed.add(t64);
          TFloat32 t32 =
              TFloat32.tensorOf(shape, DataBuffers.of(toFloat(inputs[i].data()), true, false));
          fed.add(t32);
          runner.feed(in64.get(i), t64).feed(in32.get(i), t32);
        }
        runner.fetch(out64).fetch(out32);
        for (Operand<?> dy : gradients) {
          if (dy != null) {
            runner.fetch(dy);
          }
        }
        try (Result r = runner.run()) {
          TFloat32 v32 = (TFloat32) r.get(1);
          float[] f32 = new float[(int) v32.shape().size()];
          v32.copyTo(DataBuffers.of(f32, false, false));
          double[] d32 = new double[f32.length];
          for (int i = 0; i < f32.length; i++) {
            d32[i] = f32[i];
          }
          double[][] grads = new double[inputs.length][];
          int next = 2;
          for (int i = 0; i < inputs.length; i++) {
            grads[i] =
                gradients.get(i) == null
                    ? new double[inputs[i].data().length]
                    : toArray((TFloat64) r.get(next++));
          }
          return new MultiEval(toArray((TFloat64) r.get(0)), d32, grads);
        }
      } finally {
        fed.forEach(org.tensorflow.Tensor::close);
      }
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  /** Central finite differences of a scalar function of one matrix, step {@code h}. */
  static double[][] finiteDifferences(
      java.util.function.Function<double[][], Double> f, double[][] x, double h) {
    double[][] g = new double[x.length][x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int k = 0; k < x[0].length; k++) {
        double[][] plus = copy(x);
        double[][] minus = copy(x);
        plus[i][k] += h;
        minus[i][k] -= h;
        g[i][k] = (f.apply(plus) - f.apply(minus)) / (2 * h);
      }
    }
    return g;
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
