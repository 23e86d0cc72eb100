package io.siamese.losses;

import static io.siamese.losses.ContrastiveLossTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TFloat64;
import org.tensorflow.types.TInt32;

/**
 * The documented outcomes of the learned-parameter losses on degenerate batches (finite values
 * equal to the oracle's, finite gradients, in float64 and float32), the errors for bad labels,
 * non-finite inputs and arguments of the wrong shape, and the builders' checks.
 */
class LearnedParameterLossEdgeCasesTest {
  private static final int C = 4;
  private static final int E = 3;

  /** Every loss at its defaults for C = 4 classes, with its oracle. */
  static List<LearnedParameterLossTest.Setup> defaults() {
    double m = Math.toRadians(28.6);
    ArcFaceLoss.LargeAngle rule = ArcFaceLoss.LargeAngle.LINEAR_FALLBACK;
    return List.of(
        new LearnedParameterLossTest.Setup(
            ArcFaceLoss.builder(C).build(),
            (x, y, w) -> LearnedOracle.arcFace(x, y, w, m, 64, rule),
            (x, y, w) -> false),
        new LearnedParameterLossTest.Setup(
            SubCenterArcFaceLoss.builder(C).build(),
            (x, y, w) -> LearnedOracle.subCenterArcFace(x, y, w, 3, m, 64, rule),
            (x, y, w) -> false),
        new LearnedParameterLossTest.Setup(
            CosFaceLoss.builder(C).build(),
            (x, y, w) -> LearnedOracle.cosFace(x, y, w, 0.35, 64),
            (x, y, w) -> false),
        new LearnedParameterLossTest.Setup(
            NormalizedSoftmaxLoss.builder(C).build(),
            (x, y, w) -> LearnedOracle.normalizedSoftmax(x, y, w, 0.05),
            (x, y, w) -> false),
        new LearnedParameterLossTest.Setup(
            ProxyAnchorLoss.builder(C).build(),
            (x, y, w) -> LearnedOracle.proxyAnchor(x, y, w, 0.1, 32),
            (x, y, w) -> false));
  }

  static void assertFinite(LearnedLossHarness.Eval e, String what) {
    assertTrue(Double.isFinite(e.value()), what + ": float64 value " + e.value());
    assertTrue(Double.isFinite(e.value32()[0]), what + ": float32 value " + e.value32()[0]);
    for (double[] row : e.embeddingGradient()) {
      for (double v : row) {
        assertTrue(Double.isFinite(v), what + ": embedding gradient " + v);
      }
    }
    for (double[] row : e.parameterGradients()[0]) {
      for (double v : row) {
        assertTrue(Double.isFinite(v), what + ": weight gradient " + v);
      }
    }
  }

  /** Runs every default loss on (x, y) with random weights, checks finiteness and the oracle. */
  private static List<LearnedLossHarness.Eval> runAll(double[][] x, int[] y, String what) {
    List<LearnedLossHarness.Eval> out = new ArrayList<>();
    Random r = new Random(7);
    for (LearnedParameterLossTest.Setup s : defaults()) {
      double[][] w = Batches.gaussian(r, LearnedParameterLossTest.rows(s.loss(), E), E);
      LearnedLossHarness.Eval e = LearnedLossHarness.eval(s.loss(), x, y, w);
      assertFinite(e, what + " " + s.loss());
      double expected = s.oracle().apply(x, y, w);
      Batches.assertClose(expected, e.value(), 1e-9, what + " " + s.loss());
      Batches.assertClose(expected, e.value32()[0], 2e-3, what + " float32 " + s.loss());
      out.add(e);
    }
    return out;
  }

  @Test
  void anEmptyBatchCostsZeroWithZeroGradients() {
    for (LearnedLossHarness.Eval e : runAll(new double[0][E], new int[0], "empty")) {
      assertEquals(0, e.value());
      assertEquals(0, e.value32()[0]);
      for (double[] row : e.parameterGradients()[0]) {
        assertArrayEquals(new double[E], row);
      }
    }
  }

  @Test
  void aBatchOfOneClassIsFiniteAndStillMovesTheClassesItDoesNotShow() {
    Random r = new Random(3);
    double[][] x = Batches.gaussian(r, 5, E);
    int[] y = {2, 2, 2, 2, 2};
    List<LearnedLossHarness.Eval> all = runAll(x, y, "one class");
    for (int i = 0; i < all.size(); i++) {
      double[][] gw = all.get(i).parameterGradients()[0];
      int k = gw.length / C;
      // Class 0 is never sampled: its weights are pushed away from the examples of class 2.
      double norm = 0;
      for (int j = 0; j < k; j++) {
        for (double v : gw[j]) {
          norm += v * v;
        }
      }
      assertTrue(norm > 0, defaults().get(i).loss() + " leaves an unsampled class alone");
    }
  }

  @Test
  void proxyAnchorAveragesItsPositiveTermOverTheProxiesWithPositivesOnly() {
    // The same batch with 4 or 40 classes: the positive term is the same (one proxy with
    // positives), and the negative term of the 36 extra proxies is averaged over all 40.
    Random r = new Random(5);
    double[][] x = Batches.gaussian(r, 3, E);
    int[] y = {1, 1, 1};
    double[][] w4 = Batches.gaussian(r, 4, E);
    double[][] w40 = new double[40][];
    for (int c = 0; c < 40; c++) {
      w40[c] = c < 4 ? w4[c] : Batches.gaussian(r, 1, E)[0];
    }
    ProxyAnchorLoss pa = ProxyAnchorLoss.builder(4).alpha(1).margin(0).build();
    ProxyAnchorLoss pa40 = ProxyAnchorLoss.builder(40).alpha(1).margin(0).build();
    double pos = Math.log1p(sumExp(x, w4[1], -1));
    double neg4 = 0;
    double neg40 = 0;
    for (int c = 0; c < 40; c++) {
      double t = c == 1 ? 0 : Math.log1p(sumExp(x, w40[c], 1));
      neg40 += t;
      if (c < 4) {
        neg4 += t;
      }
    }
    assertEquals(pos + neg4 / 4, LearnedLossHarness.eval(pa, x, y, w4).value(), 1e-12);
    assertEquals(pos + neg40 / 40, LearnedLossHarness.eval(pa40, x, y, w40).value(), 1e-12);
  }

  private static double sumExp(double[][] x, double[] p, double sign) {
    double s = 0;
    for (double[] xi : x) {
      s += Math.exp(sign * LearnedOracle.cos(xi, p));
    }
    return s;
  }

  @Test
  void zeroEmbeddingsAndZeroWeightsAreFinite() {
    double[][] x = {{0, 0, 0}, {1, 2, 3}};
    int[] y = {0, 1};
    Random r = new Random(11);
    for (LearnedParameterLossTest.Setup s : defaults()) {
      double[][] w = Batches.gaussian(r, LearnedParameterLossTest.rows(s.loss(), E), E);
      w[0] = new double[E];
      LearnedLossHarness.Eval e = LearnedLossHarness.eval(s.loss(), x, y, w);
      assertFinite(e, "zeros " + s.loss());
      Batches.assertClose(s.oracle().apply(x, y, w), e.value(), 1e-9, s.loss().toString());
    }
  }

  @Test
  void anEmbeddingAtOrOppositeItsClassVectorHasAFiniteGradient() {
    // cos theta = 1 and -1 exactly: d cos(theta + m) / d cos theta is infinite there.
    double[][] w = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}, {0.5, 0.5, 0.5}};
    double[][] x = {{2, 0, 0}, {-3, 0, 0}};
    int[] y = {0, 0};
    for (ArcFaceLoss loss :
        List.of(
            ArcFaceLoss.builder(C).build(),
            ArcFaceLoss.builder(C).largeAngle(ArcFaceLoss.LargeAngle.EASY_MARGIN).build())) {
      LearnedLossHarness.Eval e = LearnedLossHarness.eval(loss, x, y, w);
      assertFinite(e, loss.toString());
      double expected = LearnedOracle.arcFace(x, y, w, loss.margin(), 64, loss.largeAngle());
      assertEquals(expected, e.value(), 1e-6);
      assertEquals(expected, e.value32()[0], 1e-2 * expected);
    }
    LearnedLossHarness.Eval sub =
        LearnedLossHarness.eval(SubCenterArcFaceLoss.builder(C).subCentres(1).build(), x, y, w);
    assertFinite(sub, "sub-centre");
  }

  @Test
  void theLargestScaleStaysFiniteInFloat32() {
    Random r = new Random(13);
    double[][] x = Batches.gaussian(r, 6, E);
    int[] y = {0, 1, 2, 3, 0, 1};
    double[][] w = Batches.gaussian(r, C, E);
    for (LearnedParameterLoss loss :
        List.of(
            ArcFaceLoss.builder(C).scale(1e6).build(),
            CosFaceLoss.builder(C).scale(1e6).build(),
            NormalizedSoftmaxLoss.builder(C).temperature(1e-6).build(),
            ProxyAnchorLoss.builder(C).alpha(1e6).build())) {
      assertFinite(LearnedLossHarness.eval(loss, x, y, w), loss.toString());
    }
  }

  @Test
  void labelsOutsideTheClassesFailTheRunNamingTheRange() {
    double[][] x = {{1, 0, 0}, {0, 1, 0}};
    double[][] w = new double[C][E];
    w[0][0] = 1;
    for (LearnedParameterLossTest.Setup s : defaults()) {
      double[][] rows = new double[LearnedParameterLossTest.rows(s.loss(), E)][E];
      rows[0][0] = 1;
      for (int[] bad : new int[][] {{0, C}, {-1, 1}}) {
        assertMessage(
            TFInvalidArgumentException.class,
            () -> LearnedLossHarness.eval(s.loss(), x, bad, rows),
            "labels must be dense class ids in [0, 4)");
      }
    }
  }

  @Test
  void nonFiniteEmbeddingsOrParametersFailTheRunNamingThem() {
    LearnedParameterLoss loss = ArcFaceLoss.builder(C).build();
    double[][] w = new double[C][E];
    w[1][1] = 1;
    assertMessage(
        TFInvalidArgumentException.class,
        () -> LearnedLossHarness.eval(loss, new double[][] {{Double.NaN, 0, 0}}, new int[] {0}, w),
        "embeddings must be finite");
    double[][] bad = new double[C][E];
    bad[2][0] = Double.POSITIVE_INFINITY;
    assertMessage(
        TFInvalidArgumentException.class,
        () -> LearnedLossHarness.eval(loss, new double[][] {{1, 0, 0}}, new int[] {0}, bad),
        "class_weights must be finite");
    double[][] badProxies = new double[C][E];
    badProxies[0][0] = Double.NaN;
    assertMessage(
        TFInvalidArgumentException.class,
        () ->
            LearnedLossHarness.eval(
                ProxyAnchorLoss.builder(C).build(),
                new double[][] {{1, 0, 0}},
                new int[] {0},
                badProxies),
        "proxies must be finite");
  }

  @Test
  @SuppressWarnings({"unchecked", "rawtypes"})
  void argumentsOfTheWrongShapeOrTypeFailWhenTheGraphIsBuilt() {
    LearnedParameterLoss loss = ArcFaceLoss.builder(C).build();
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Operand<TFloat32> x = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, E)));
      Operand<TInt32> y = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> w = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(C, E)));
      Operand<TFloat32> wrongRows =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(C + 1, E)));
      Operand<TFloat32> wrongRank = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(E)));
      Operand<TFloat64> w64 = tf.placeholder(TFloat64.class, Placeholder.shape(Shape.of(C, E)));
      assertEquals(Shape.scalar(), loss.call(tf, x, y, List.of(w)).shape());
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, y, List.of(w, w)),
          "ArcFaceLoss takes 1 parameter(s) [class_weights [4, 3] normal(1.0)], got 2");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, y, List.of(wrongRows)),
          "class_weights must have shape [4, 3], got shape [5, 3]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, y, List.of(wrongRank)),
          "class_weights must have shape [4, 3], got shape [3]");
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, y, (List) List.of(w64)),
          "class_weights must be of the embeddings' type TFloat32, got TFloat64");
      Operand<TFloat32> rank3 =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, E, 1)));
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, rank3, y, List.of(w)),
          "embeddings must have rank 2, got shape [-1, 3, 1]");
      Operand<TInt32> labels2 = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, 1)));
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, x, labels2, List.of(w)),
          "labels must have rank 1");
      Operand<TInt32> ints = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(-1, E)));
      assertMessage(
          IllegalArgumentException.class,
          () -> loss.call(tf, (Operand) ints, y, List.of(w)),
          "embeddings must be of a floating type, got TInt32");
      assertMessage(NullPointerException.class, () -> loss.call(tf, x, y, null), "parameters");
      List<Operand<TFloat32>> withNull = new ArrayList<>();
      withNull.add(null);
      assertMessage(
          NullPointerException.class, () -> loss.call(tf, x, y, withNull), "class_weights");
    }
  }

  @Test
  void defaultsFollowTheReferences() {
    ArcFaceLoss arc = ArcFaceLoss.builder(10).build();
    assertEquals(Math.toRadians(28.6), arc.margin());
    assertEquals(64, arc.scale());
    assertEquals(ArcFaceLoss.LargeAngle.LINEAR_FALLBACK, arc.largeAngle());
    assertEquals(Distances.COSINE, arc.distance());
    assertEquals(10, arc.classes());
    SubCenterArcFaceLoss sub = SubCenterArcFaceLoss.builder(10).build();
    assertEquals(3, sub.subCentres());
    assertEquals(Math.toRadians(28.6), sub.margin());
    assertEquals(64, sub.scale());
    CosFaceLoss cos = CosFaceLoss.builder(10).build();
    assertEquals(0.35, cos.margin());
    assertEquals(64, cos.scale());
    assertEquals(0.05, NormalizedSoftmaxLoss.builder(10).build().temperature());
    ProxyAnchorLoss pa = ProxyAnchorLoss.builder(10).build();
    assertEquals(0.1, pa.margin());
    assertEquals(32, pa.alpha());
    for (LearnedParameterLoss l : List.of(arc, sub, cos, pa)) {
      assertEquals(Distances.COSINE, l.distance());
    }
    assertEquals(
        List.of(
            LossParameter.of(
                "class_weights", new long[] {10, 64}, ParameterInitializer.normal(1))),
        arc.parameters(64));
    assertArrayEquals(new long[] {30, 64}, sub.parameters(64).get(0).shape());
    assertEquals(
        List.of(
            LossParameter.of(
                "proxies", new long[] {10, 64}, ParameterInitializer.kaimingNormalFanOut())),
        pa.parameters(64));
    assertEquals(
        0.5, ArcFaceLoss.builder(2).marginDegrees(Math.toDegrees(0.5)).build().margin(), 1e-15);
    assertMessage(IllegalArgumentException.class, () -> arc.parameters(0), "embeddingSize");
    assertMessage(IllegalArgumentException.class, () -> pa.parameters(-1), "embeddingSize");
  }

  @Test
  void buildersCheckEverySettingAndTakeItOnce() {
    assertMessage(
        IllegalArgumentException.class,
        () -> ArcFaceLoss.builder(1).build(),
        "classes must be >= 2 (a softmax over one class is constant), got 1");
    assertMessage(
        IllegalArgumentException.class, () -> CosFaceLoss.builder(0).build(), "got 0");
    assertMessage(
        IllegalArgumentException.class, () -> ProxyAnchorLoss.builder(-3).build(), "got -3");
    assertMessage(
        IllegalArgumentException.class,
        () -> ArcFaceLoss.builder(2).margin(2),
        "margin must be in [0, pi/2] radians (0 to 90 degrees), got 2.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> SubCenterArcFaceLoss.builder(2).marginDegrees(-1),
        "margin must be in [0, pi/2]");
    assertMessage(
        IllegalArgumentException.class,
        () -> ArcFaceLoss.builder(2).scale(Double.NaN),
        "scale must be finite and > 0, got NaN");
    assertMessage(
        IllegalArgumentException.class,
        () -> CosFaceLoss.builder(2).scale(2e6),
        "scale must be <= 1000000.0, got 2000000.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> CosFaceLoss.builder(2).margin(-0.1),
        "margin must be in [0, 2], got -0.1");
    assertMessage(
        IllegalArgumentException.class,
        () -> NormalizedSoftmaxLoss.builder(2).temperature(0),
        "temperature must be finite and > 0, got 0.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> NormalizedSoftmaxLoss.builder(2).temperature(1e-9),
        "temperature must be >= 1.0E-6, got 1.0E-9");
    assertMessage(
        IllegalArgumentException.class,
        () -> ProxyAnchorLoss.builder(2).margin(1.5),
        "margin must be in [0, 1], got 1.5");
    assertMessage(
        IllegalArgumentException.class,
        () -> ProxyAnchorLoss.builder(2).alpha(0),
        "alpha must be finite and > 0, got 0.0");
    assertMessage(
        IllegalArgumentException.class,
        () -> SubCenterArcFaceLoss.builder(2).subCentres(0),
        "subCentres must be >= 1, got 0");
    assertMessage(
        IllegalArgumentException.class,
        () -> SubCenterArcFaceLoss.builder(1 << 20).subCentres(1 << 12).build(),
        "classes x subCentres must be <= 2147483647, got 1048576 x 4096");
    assertMessage(
        IllegalStateException.class,
        () -> ArcFaceLoss.builder(2).margin(0.1).marginDegrees(10),
        "margin was already set to 0.1");
    assertMessage(
        IllegalStateException.class,
        () ->
            SubCenterArcFaceLoss.builder(2)
                .largeAngle(ArcFaceLoss.LargeAngle.EASY_MARGIN)
                .largeAngle(ArcFaceLoss.LargeAngle.EASY_MARGIN),
        "largeAngle was already set to EASY_MARGIN");
    assertMessage(
        IllegalStateException.class,
        () -> ProxyAnchorLoss.builder(2).alpha(2).alpha(3),
        "alpha was already set to 2.0");
    assertMessage(
        NullPointerException.class, () -> ArcFaceLoss.builder(2).largeAngle(null), "largeAngle");
    // A builder may be used again and gives an equal loss; settings tell losses apart.
    ArcFaceLoss.Builder b = ArcFaceLoss.builder(5).scale(30);
    assertEquals(b.build(), b.build());
    assertEquals(b.build().hashCode(), b.build().hashCode());
    assertNotEquals(ArcFaceLoss.builder(5).build(), ArcFaceLoss.builder(6).build());
    assertNotEquals(
        ArcFaceLoss.builder(5).build(),
        ArcFaceLoss.builder(5).largeAngle(ArcFaceLoss.LargeAngle.EASY_MARGIN).build());
    assertNotEquals(
        SubCenterArcFaceLoss.builder(5).subCentres(1).build(),
        SubCenterArcFaceLoss.builder(5).subCentres(2).build());
    assertNotEquals(CosFaceLoss.builder(5).build(), CosFaceLoss.builder(5).margin(0.2).build());
    assertNotEquals(
        NormalizedSoftmaxLoss.builder(5).build(),
        NormalizedSoftmaxLoss.builder(5).temperature(0.1).build());
    assertNotEquals(
        ProxyAnchorLoss.builder(5).build(), ProxyAnchorLoss.builder(5).alpha(16).build());
    assertEquals(
        "ArcFaceLoss(5 classes, margin 0.5 rad, scale 64.0, LINEAR_FALLBACK)",
        ArcFaceLoss.builder(5).margin(0.5).build().toString());
    assertEquals(
        "SubCenterArcFaceLoss(5 classes x 3 sub-centres, margin 0.5 rad, scale 64.0,"
            + " LINEAR_FALLBACK)",
        SubCenterArcFaceLoss.builder(5).margin(0.5).build().toString());
    assertEquals(
        "CosFaceLoss(5 classes, margin 0.35, scale 64.0)", CosFaceLoss.builder(5).build().toString());
    assertEquals(
        "NormalizedSoftmaxLoss(5 classes, temperature 0.05)",
        NormalizedSoftmaxLoss.builder(5).build().toString());
    assertEquals(
        "ProxyAnchorLoss(5 classes, margin 0.1, alpha 32.0)",
        ProxyAnchorLoss.builder(5).build().toString());
  }
}
