package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.BiFunction;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.framework.optimizers.GradientDescent;
import org.tensorflow.framework.optimizers.Momentum;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.framework.optimizers.RMSProp;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TType;

/**
 * The optimizers with a fed learning rate against TensorFlow Java's framework optimizers at the
 * same constant rate, on the same small regression graph: the same weights after several steps and
 * the same variables (names and shapes, so saved models load).
 *
 * <p>Adam is compared with a plain-Java Adam instead: the framework's Adam is not deterministic.
 * Its {@code beta1_power} and {@code beta2_power} updates are unordered against the updates that
 * read them; twelve runs of {@link #train} with it, one thread each, gave four different W[0]
 * (0.3276, 0.3622, 0.3626, 0.4388), the most frequent being the one of a plain-Java Adam whose
 * bias correction is one step ahead, which is what ours computes, every time.
 */
class ScheduledOptimizersTest {
  private static final int STEPS = 6;
  private static final float LR = 0.05f;
  private static final float[] X = {0.5f, -1f, 2f, 1.5f, 0.25f, -0.75f, -2f, 1f, 0.5f, 0.1f, 0.9f, -0.3f};
  private static final float[] Y = {1f, -0.5f, 0.25f, 2f, -1f, 0.75f, 0.5f, -0.25f};
  private static final float[] W0 = {0.1f, -0.2f, 0.3f, 0.05f, -0.15f, 0.25f};
  private static final float[] B0 = {0.01f, -0.02f};

  /** A framework optimizer and ours, built in a graph with the rate operand. */
  record Pair(
      String name,
      BiFunction<Graph, Float, Optimizer> framework,
      BiFunction<Graph, Operand<TFloat32>, Optimizer> scheduled) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> optimizers() {
    return Stream.of(
        Arguments.of(new Pair("sgd", (g, lr) -> new GradientDescent(g, lr), ScheduledOptimizers.GradientDescent::new)),
        Arguments.of(new Pair("momentum", (g, lr) -> new Momentum(g, lr, 0.9f), (g, lr) -> new ScheduledOptimizers.Momentum(g, lr, 0.9f))),
        Arguments.of(new Pair("rmsprop", (g, lr) -> new RMSProp(g, lr), ScheduledOptimizers.RMSProp::new)));
  }

  /** The weights after training, and every variable of the graph with its shape. */
  record Trained(float[] w, float[] b, TreeSet<String> variables) {}

  /**
   * Trains {@code y ~ tanh(x W + b)} (x [4, 3], W [3, 2]) for {@link #STEPS} steps.
   *
   * @param feed the rate to feed to the scheduled optimizer's operand, or null to leave its default
   */
  private static Trained train(BiFunction<Graph, Operand<TFloat32>, Optimizer> make, Float feed) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Ops init = tf.withInitScope();
      Variable<TFloat32> w =
          tf.withName("w").variable(init.constant(Shape.of(3, 2), DataBuffers.of(W0.clone(), true, false)));
      Variable<TFloat32> b = tf.withName("b").variable(init.constant(Shape.of(2), DataBuffers.of(B0.clone(), true, false)));
      Operand<TFloat32> x = tf.constant(Shape.of(4, 3), DataBuffers.of(X.clone(), true, false));
      Operand<TFloat32> y = tf.constant(Shape.of(4, 2), DataBuffers.of(Y.clone(), true, false));
      Operand<TFloat32> prediction = tf.math.tanh(tf.math.add(tf.linalg.matMul(x, w), b));
      Operand<TFloat32> loss = tf.math.mean(tf.math.square(tf.math.sub(prediction, y)), tf.constant(new int[] {0, 1}));
      PlaceholderWithDefault<TFloat32> lr = tf.placeholderWithDefault(tf.constant(LR), Shape.scalar());
      Optimizer optimizer = make.apply(g, lr);
      Gradients grads = tf.gradients(loss, List.of(w, b));
      List<Optimizer.GradAndVar<? extends TType>> pairs = new ArrayList<>();
      pairs.add(new Optimizer.GradAndVar<>(grads.<TFloat32>dy(0), w.asOutput()));
      pairs.add(new Optimizer.GradAndVar<>(grads.<TFloat32>dy(1), b.asOutput()));
      Op step = optimizer.applyGradients(pairs, "minimize");
      TreeSet<String> variables = new TreeSet<>();
      g.operations().forEachRemaining(op -> {
        if (op.type().equals("VariableV2")) {
          variables.add(op.name() + " " + op.output(0).shape());
        }
      });
      ConfigProto oneThread = ConfigProto.newBuilder().setIntraOpParallelismThreads(1).setInterOpParallelismThreads(1).build();
      try (Session s = new Session(g, oneThread)) {
        s.initialize();
        for (int i = 0; i < STEPS; i++) {
          if (feed == null) {
            s.runner().addTarget(step).run().close();
          } else {
            try (TFloat32 rate = TFloat32.scalarOf(feed)) {
              s.runner().feed(lr, rate).addTarget(step).run().close();
            }
          }
        }
        try (Result r = s.runner().fetch(w).fetch(b).run()) {
          float[] wv = new float[6];
          float[] bv = new float[2];
          ((TFloat32) r.get(0)).copyTo(DataBuffers.of(wv, false, false));
          ((TFloat32) r.get(1)).copyTo(DataBuffers.of(bv, false, false));
          return new Trained(wv, bv, variables);
        }
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("optimizers")
  void atAConstantRateTheUpdatesAreTheFrameworks(Pair p) {
    Trained framework = train((g, lr) -> p.framework().apply(g, LR), null);
    Trained fed = train(p.scheduled(), LR);
    Trained defaulted = train(p.scheduled(), null);
    assertEquals(framework.variables(), fed.variables(), "the same variables, so saved models load");
    assertClose(framework.w(), fed.w(), p + " w, fed");
    assertClose(framework.b(), fed.b(), p + " b, fed");
    assertClose(framework.w(), defaulted.w(), p + " w, default rate");
    assertClose(framework.b(), defaulted.b(), p + " b, default rate");
    // The weights moved, so the comparison compares something.
    assertTrue(Math.abs(fed.w()[0] - W0[0]) > 1e-3, p + " did not train");
  }

  @Test
  void theFedRateIsTheRateUsed() {
    Trained slow = train(ScheduledOptimizers.GradientDescent::new, LR / 10);
    Trained fast = train(ScheduledOptimizers.GradientDescent::new, LR);
    assertTrue(Math.abs(fast.w()[0] - W0[0]) > 5 * Math.abs(slow.w()[0] - W0[0]));
  }

  /**
   * Adam as the framework computes it when its race goes the usual way: step {@code t} corrects
   * its bias with {@code beta^(t+1)}, not the paper's {@code beta^t} (see {@link
   * ScheduledOptimizers.Adam}). The same number every run, fed or by default, with the framework's
   * variables.
   */
  @Test
  void adamIsTheFrameworksAdamWithoutItsRace() {
    Trained framework = train((g, lr) -> new Adam(g, LR), null);
    Trained ours = train(ScheduledOptimizers.Adam::new, LR);
    assertEquals(framework.variables(), ours.variables(), "the same variables, so saved models load");
    double[] ahead = plainAdam(1);
    for (int i = 0; i < 6; i++) {
      assertEquals(ahead[i], ours.w()[i], 1e-6 * Math.max(1, Math.abs(ahead[i])), "w[" + i + "]");
    }
    for (int run = 0; run < 5; run++) {
      assertArrayEquals(ours.w(), train(ScheduledOptimizers.Adam::new, run % 2 == 0 ? LR : null).w(), 0f, "run " + run);
    }
    double[] paper = plainAdam(0);
    assertTrue(Math.abs(paper[0] - ahead[0]) > 1e-3, "the two corrections should differ: " + paper[0] + " vs " + ahead[0]);
  }

  /** Plain-Java Adam on the regression of {@link #train}, correcting with {@code beta^(t + off)}; returns W. */
  private static double[] plainAdam(int off) {
    double[] w = new double[6];
    double[] b = new double[2];
    for (int i = 0; i < 6; i++) {
      w[i] = W0[i];
    }
    b[0] = B0[0];
    b[1] = B0[1];
    double[] mw = new double[6];
    double[] vw = new double[6];
    double[] mb = new double[2];
    double[] vb = new double[2];
    double b1 = 0.9;
    double b2 = 0.999;
    for (int t = 1; t <= STEPS; t++) {
      double[] gw = new double[6];
      double[] gb = new double[2];
      // d/dz of mean((tanh(z) - y)^2) over the 8 outputs.
      for (int r = 0; r < 4; r++) {
        for (int c = 0; c < 2; c++) {
          double z = b[c];
          for (int k = 0; k < 3; k++) {
            z += X[r * 3 + k] * w[k * 2 + c];
          }
          double pred = Math.tanh(z);
          double dz = 2 * (pred - Y[r * 2 + c]) / 8 * (1 - pred * pred);
          gb[c] += dz;
          for (int k = 0; k < 3; k++) {
            gw[k * 2 + c] += dz * X[r * 3 + k];
          }
        }
      }
      // TensorFlow's ApplyAdam: the bias correction folded into the step, epsilon outside the root.
      double lrT = LR * Math.sqrt(1 - Math.pow(b2, t + off)) / (1 - Math.pow(b1, t + off));
      for (int i = 0; i < 6; i++) {
        mw[i] += (gw[i] - mw[i]) * (1 - b1);
        vw[i] += (gw[i] * gw[i] - vw[i]) * (1 - b2);
        w[i] -= lrT * mw[i] / (Math.sqrt(vw[i]) + 1e-8);
      }
      for (int i = 0; i < 2; i++) {
        mb[i] += (gb[i] - mb[i]) * (1 - b1);
        vb[i] += (gb[i] * gb[i] - vb[i]) * (1 - b2);
        b[i] -= lrT * mb[i] / (Math.sqrt(vb[i]) + 1e-8);
      }
    }
    return w;
  }

  private static void assertClose(float[] expected, float[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      double tolerance = 1e-6 * Math.max(Math.abs(expected[i]), 1e-3);
      assertEquals(expected[i], actual[i], tolerance, what + "[" + i + "]");
    }
  }
}
