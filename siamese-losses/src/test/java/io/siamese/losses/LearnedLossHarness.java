package io.siamese.losses;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * Runs a {@link LearnedParameterLoss} on Java arrays: its value in float64 and float32 and its
 * float64 gradient with respect to the embeddings and every parameter, from one graph per loss
 * that is kept for later calls (a session's first run costs some 50 ms, later ones about 1 ms).
 * Every input is fed through a placeholder whose dimensions are all unknown, as in a training graph
 * whose batch size varies. Closes every native object it makes.
 */
final class LearnedLossHarness {
  private LearnedLossHarness() {}

  /** What one run says: values, and gradients for the embeddings and each parameter. */
  record Eval(
      double[] value64,
      double[] value32,
      double[][] embeddingGradient,
      double[][][] parameterGradients) {
    double value() {
      return value64[0];
    }
  }

  private static final Map<Object, Compiled> CACHE = new LinkedHashMap<>();

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

  /**
   * Evaluates {@code loss} on embeddings {@code x} ({@code [B][E]}, {@code B} may be 0 when
   * {@code embeddingSize} is given), labels {@code y} and parameters given as matrices.
   */
  static Eval eval(LearnedParameterLoss loss, double[][] x, int[] y, double[][]... parameters) {
    int e = x.length > 0 ? x[0].length : parameters[0][0].length;
    synchronized (CACHE) {
      Compiled c = CACHE.get(loss);
      if (c == null) {
        c = new Compiled(loss, parameters.length);
        CACHE.put(loss, c);
      }
      return c.eval(x, e, y, parameters);
    }
  }

  private static final class Compiled implements AutoCloseable {
    private final Graph graph;
    private final Session session;
    private final Placeholder<TFloat64> x64;
    private final Placeholder<TFloat32> x32;
    private final Placeholder<TInt32> y;
    private final List<Placeholder<TFloat64>> p64 = new ArrayList<>();
    private final List<Placeholder<TFloat32>> p32 = new ArrayList<>();
    private final Operand<TFloat64> out64;
    private final Operand<TFloat32> out32;
    private final List<Operand<?>> gradients = new ArrayList<>();

    Compiled(LearnedParameterLoss loss, int count) {
      graph = new Graph();
      try {
        Ops tf = Ops.create(graph);
        x64 = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, -1)));
        x32 = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
        y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
        List<Operand<TFloat64>> in64 = new ArrayList<>();
        List<Operand<TFloat32>> in32 = new ArrayList<>();
        for (int i = 0; i < count; i++) {
          Placeholder<TFloat64> a =
              tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(-1, -1)));
          Placeholder<TFloat32> b =
              tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, -1)));
          p64.add(a);
          p32.add(b);
          in64.add(a);
          in32.add(b);
        }
        out64 = loss.call(tf, x64, y, in64);
        out32 = loss.call(tf, x32, y, in32);
        List<Operand<?>> wrt = new ArrayList<>();
        wrt.add(x64);
        wrt.addAll(p64);
        Gradients g = tf.gradients(out64, wrt);
        for (int i = 0; i < wrt.size(); i++) {
          gradients.add(g.dy(i));
        }
        session = new Session(graph);
      } catch (RuntimeException | Error e) {
        graph.close();
        throw e;
      }
    }

    Eval eval(double[][] x, int e, int[] labels, double[][][] parameters) {
      List<Tensor> fed = new ArrayList<>();
      try {
        Session.Runner r = session.runner();
        feed(r, fed, x64, x32, x, e);
        for (int i = 0; i < parameters.length; i++) {
          feed(r, fed, p64.get(i), p32.get(i), parameters[i], parameters[i][0].length);
        }
        TInt32 yt = TInt32.tensorOf(Shape.of(labels.length), DataBuffers.of(labels, true, false));
        fed.add(yt);
        r.feed(y, yt).fetch(out64).fetch(out32);
        gradients.forEach(r::fetch);
        try (Result res = r.run()) {
          double[] v64 = doubles((TFloat64) res.get(0));
          TFloat32 t32 = (TFloat32) res.get(1);
          float[] f32 = new float[(int) t32.shape().size()];
          t32.copyTo(DataBuffers.of(f32, false, false));
          double[] v32 = new double[f32.length];
          for (int i = 0; i < f32.length; i++) {
            v32[i] = f32[i];
          }
          double[][] gx = matrix(doubles((TFloat64) res.get(2)), x.length, e);
          double[][][] gp = new double[parameters.length][][];
          for (int i = 0; i < parameters.length; i++) {
            gp[i] =
                matrix(
                    doubles((TFloat64) res.get(3 + i)),
                    parameters[i].length,
                    parameters[i][0].length);
          }
          return new Eval(v64, v32, gx, gp);
        }
      } finally {
        fed.forEach(Tensor::close);
      }
    }

    private static void feed(
        Session.Runner r,
        List<Tensor> fed,
        Placeholder<TFloat64> p64,
        Placeholder<TFloat32> p32,
        double[][] m,
        int cols) {
      double[] flat = flatten(m, cols);
      float[] f = new float[flat.length];
      for (int i = 0; i < f.length; i++) {
        f[i] = (float) flat[i];
      }
      Shape s = Shape.of(m.length, cols);
      TFloat64 t64 = TFloat64.tensorOf(s, DataBuffers.of(flat, true, false));
      fed.add(t64);
      TFloat32 t32 = TFloat32.tensorOf(s, DataBuffers.of(f, true, false));
      fed.add(t32);
      r.feed(p64, t64).feed(p32, t32);
    }

    @Override
    public void close() {
      session.close();
      graph.close();
    }
  }

  static double[] flatten(double[][] m, int cols) {
    double[] f = new double[m.length * cols];
    for (int i = 0; i < m.length; i++) {
      System.arraycopy(m[i], 0, f, i * cols, cols);
    }
    return f;
  }

  private static double[] doubles(TFloat64 t) {
    double[] v = new double[(int) t.shape().size()];
    t.copyTo(DataBuffers.of(v, false, false));
    return v;
  }

  private static double[][] matrix(double[] flat, int rows, int cols) {
    double[][] m = new double[rows][cols];
    for (int i = 0; i < rows; i++) {
      m[i] = Arrays.copyOfRange(flat, i * cols, (i + 1) * cols);
    }
    return m;
  }
}
