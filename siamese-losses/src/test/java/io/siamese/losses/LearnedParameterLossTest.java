package io.siamese.losses;

import static io.siamese.losses.Batches.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;
import org.junit.jupiter.api.Test;

/**
 * The five learned-parameter losses against {@link LearnedOracle}: values in float64 and float32,
 * and gradients with respect to the embeddings and the class weights against central finite
 * differences of the oracle, over random batches, sizes and settings.
 */
class LearnedParameterLossTest {

  /** A loss's oracle, as a function of the embeddings, labels and its one parameter. */
  interface OracleFn {
    double apply(double[][] x, int[] y, double[][] w);
  }

  /**
   * A loss, its oracle, where its gradient has a kink (finite differences skip those), and where
   * its value is ill-conditioned: ArcFace's {@code cos(theta + m)} moves like {@code sqrt} of the
   * rounding error of {@code cos theta} near {@code theta = 0} or {@code pi} (so does {@code acos}
   * in the references), about {@code 1e-8} in float64 and {@code 3e-4} in float32, times the scale.
   */
  record Setup(LearnedParameterLoss loss, OracleFn oracle, KinkFn kink, KinkFn steep) {
    Setup(LearnedParameterLoss loss, OracleFn oracle, KinkFn kink) {
      this(loss, oracle, kink, (x, y, w) -> false);
    }
  }

  interface KinkFn {
    boolean near(double[][] x, int[] y, double[][] w);
  }

  /**
   * Each loss is tried in {@value #CONFIGS} configurations that together cover its settings, so
   * that the properties compile few graphs (a graph's first run costs some 50 ms, later ones 1 ms).
   */
  private static final int CONFIGS = 4;

  private static final int[] CLASS_COUNTS = {2, 3, 5, 3};
  private static final ArcFaceLoss.LargeAngle FALLBACK = ArcFaceLoss.LargeAngle.LINEAR_FALLBACK;
  private static final ArcFaceLoss.LargeAngle EASY = ArcFaceLoss.LargeAngle.EASY_MARGIN;

  static Setup arcFace(int i) {
    int classes = CLASS_COUNTS[i];
    double m = new double[] {0.5, Math.toRadians(28.6), 1.2, 1.2}[i];
    double s = new double[] {64, 1, 1, 64}[i];
    ArcFaceLoss.LargeAngle rule = new ArcFaceLoss.LargeAngle[] {FALLBACK, EASY, FALLBACK, EASY}[i];
    return new Setup(
        ArcFaceLoss.builder(classes).margin(m).scale(s).largeAngle(rule).build(),
        (x, y, w) -> LearnedOracle.arcFace(x, y, w, m, s, rule),
        (x, y, w) -> arcKink(x, y, w, 1, m, rule),
        (x, y, w) -> steep(x, y, w, 1));
  }

  static Setup subCenter(int i) {
    int classes = CLASS_COUNTS[i];
    int k = new int[] {3, 2, 1, 3}[i];
    double m = new double[] {0.5, 0.9, 0.5, 1.2}[i];
    double s = new double[] {1, 64, 1, 64}[i];
    ArcFaceLoss.LargeAngle rule = new ArcFaceLoss.LargeAngle[] {FALLBACK, EASY, EASY, FALLBACK}[i];
    return new Setup(
        SubCenterArcFaceLoss.builder(classes)
            .subCentres(k)
            .margin(m)
            .scale(s)
            .largeAngle(rule)
            .build(),
        (x, y, w) -> LearnedOracle.subCenterArcFace(x, y, w, k, m, s, rule),
        (x, y, w) -> arcKink(x, y, w, k, m, rule),
        (x, y, w) -> steep(x, y, w, k));
  }

  static Setup cosFace(int i) {
    double m = new double[] {0.35, 0.1, 0.35, 0.1}[i];
    double s = new double[] {64, 1, 1, 64}[i];
    return new Setup(
        CosFaceLoss.builder(CLASS_COUNTS[i]).margin(m).scale(s).build(),
        (x, y, w) -> LearnedOracle.cosFace(x, y, w, m, s),
        (x, y, w) -> false);
  }

  static Setup normalizedSoftmax(int i) {
    double t = new double[] {0.05, 1, 0.05, 1}[i];
    return new Setup(
        NormalizedSoftmaxLoss.builder(CLASS_COUNTS[i]).temperature(t).build(),
        (x, y, w) -> LearnedOracle.normalizedSoftmax(x, y, w, t),
        (x, y, w) -> false);
  }

  static Setup proxyAnchor(int i) {
    double delta = new double[] {0.1, 0, 0.1, 0}[i];
    double alpha = new double[] {32, 1, 1, 32}[i];
    return new Setup(
        ProxyAnchorLoss.builder(CLASS_COUNTS[i]).margin(delta).alpha(alpha).build(),
        (x, y, w) -> LearnedOracle.proxyAnchor(x, y, w, delta, alpha),
        (x, y, w) -> false);
  }

  /**
   * Near a kink of ArcFace's target logit (the large-angle switch, the steep ends of arccos) or a
   * tie between two sub-centres, where finite differences straddle the kink.
   */
  static boolean arcKink(
      double[][] x, int[] y, double[][] w, int k, double m, ArcFaceLoss.LargeAngle rule) {
    double[][] c = LearnedOracle.classCosines(x, w, k);
    for (int i = 0; i < x.length; i++) {
      double t = c[i][y[i]];
      double edge = rule == ArcFaceLoss.LargeAngle.EASY_MARGIN ? 0 : -Math.cos(m);
      if (1 - t * t < 1e-3 || Math.abs(t - edge) < 1e-3) {
        return true;
      }
      for (int j = 0; j < c[i].length; j++) {
        for (int a = 0; a < k; a++) {
          for (int b = a + 1; b < k; b++) {
            double ca = LearnedOracle.cos(x[i], w[j * k + a]);
            double cb = LearnedOracle.cos(x[i], w[j * k + b]);
            if (Math.abs(ca - cb) < 1e-4) {
              return true;
            }
          }
        }
      }
    }
    return false;
  }

  /** Whether some example's target cosine is within about 1e-3 radians of +-1. */
  static boolean steep(double[][] x, int[] y, double[][] w, int k) {
    double[][] c = LearnedOracle.classCosines(x, w, k);
    for (int i = 0; i < x.length; i++) {
      if (1 - c[i][y[i]] * c[i][y[i]] < 1e-5) {
        return true;
      }
    }
    return false;
  }

  /** The rows of the single parameter for {@code e}-dimensional embeddings. */
  static int rows(LearnedParameterLoss loss, int e) {
    return (int) loss.parameters(e).get(0).shape()[0];
  }

  /**
   * Checks one random batch: the value against the oracle in both precisions and, away from kinks
   * and for a non-empty batch, both gradients against finite differences.
   *
   * <p>The coverage floor guards against a generator that stops reaching the gradient check. It is
   * set far below the measured rates (600 tries each: ArcFace 57%, sub-centre ArcFace 59%, the
   * others 82-86%; one-dimensional embeddings always sit on ArcFace's kink) so that it cannot fail
   * by chance: at 100 tries and 57%, a result under 30% is more than five standard deviations out.
   */
  static void check(Setup s, Random r, int batch, int dim) {
    boolean checked = checkOne(s, r, batch, dim);
    Statistics.label("gradients checked").collect(checked);
    Statistics.label("gradients checked")
        .coverage(c -> c.check(true).percentage(p -> p >= 30));
  }

  /** Returns whether the gradients were checked too. */
  static boolean checkOne(Setup s, Random r, int batch, int dim) {
    LearnedParameterLoss loss = s.loss();
    int classes = loss.classes();
    double[][] x = Batches.gaussian(r, batch, dim);
    int[] y = Batches.labels(r, batch, classes);
    double[][] w = Batches.gaussian(r, rows(loss, dim), dim);
    double expected = s.oracle().apply(x, y, w);
    LearnedLossHarness.Eval e = LearnedLossHarness.eval(loss, x, y, w);
    boolean steep = s.steep().near(x, y, w);
    assertClose(expected, e.value(), steep ? 1e-6 : 1e-9, loss + " float64");
    assertClose(expected, e.value32()[0], steep ? 5e-2 : 2e-3, loss + " float32");
    assertTrue(e.value() >= 0, loss + " is negative: " + e.value());
    if (batch == 0 || s.kink().near(x, y, w)) {
      return false;
    }
    double[][] gx =
        LossHarness.finiteDifferences(xx -> s.oracle().apply(xx, y, w), x, 1e-6);
    double[][] gw =
        LossHarness.finiteDifferences(ww -> s.oracle().apply(x, y, ww), w, 1e-6);
    assertMatrixClose(gx, e.embeddingGradient(), 1e-5, loss + " d/d embeddings");
    assertMatrixClose(gw, e.parameterGradients()[0], 1e-5, loss + " d/d weights");
    return true;
  }

  static void assertMatrixClose(double[][] expected, double[][] actual, double tol, String what) {
    assertEquals(expected.length, actual.length, what + " rows");
    for (int i = 0; i < expected.length; i++) {
      for (int k = 0; k < expected[i].length; k++) {
        assertClose(expected[i][k], actual[i][k], tol, what + " [" + i + "][" + k + "]");
      }
    }
  }

  @Property(tries = 100)
  void arcFaceEqualsTheOracle(
      @ForAll @IntRange(min = 0, max = 7) int batch,
      @ForAll @IntRange(min = 1, max = 4) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    check(arcFace(r.nextInt(CONFIGS)), r, batch, dim);
  }

  @Property(tries = 100)
  void subCenterArcFaceEqualsTheOracle(
      @ForAll @IntRange(min = 0, max = 7) int batch,
      @ForAll @IntRange(min = 1, max = 4) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    check(subCenter(r.nextInt(CONFIGS)), r, batch, dim);
  }

  @Property(tries = 100)
  void cosFaceEqualsTheOracle(
      @ForAll @IntRange(min = 0, max = 7) int batch,
      @ForAll @IntRange(min = 1, max = 4) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    check(cosFace(r.nextInt(CONFIGS)), r, batch, dim);
  }

  @Property(tries = 100)
  void normalizedSoftmaxEqualsTheOracle(
      @ForAll @IntRange(min = 0, max = 7) int batch,
      @ForAll @IntRange(min = 1, max = 4) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    check(normalizedSoftmax(r.nextInt(CONFIGS)), r, batch, dim);
  }

  @Property(tries = 100)
  void proxyAnchorEqualsTheOracle(
      @ForAll @IntRange(min = 0, max = 7) int batch,
      @ForAll @IntRange(min = 1, max = 4) int dim,
      @ForAll long seed) {
    Random r = new Random(seed);
    check(proxyAnchor(r.nextInt(CONFIGS)), r, batch, dim);
  }

  @Property(tries = 15)
  void everyLossIsInvariantToTheOrderOfTheBatchAndToRenamingTheClasses(
      @ForAll @IntRange(min = 1, max = 6) int batch, @ForAll long seed) {
    Random r = new Random(seed);
    int config = r.nextInt(CONFIGS);
    for (Setup s :
        List.of(
            arcFace(config),
            subCenter(config),
            cosFace(config),
            normalizedSoftmax(config),
            proxyAnchor(config))) {
      int classes = s.loss().classes();
      int k = rows(s.loss(), 3) / classes;
      double[][] x = Batches.gaussian(r, batch, 3);
      int[] y = Batches.labels(r, batch, classes);
      double[][] w = Batches.gaussian(r, classes * k, 3);
      double value = LearnedLossHarness.eval(s.loss(), x, y, w).value();
      int[] order = Batches.shuffledOrder(r, batch);
      int[] rename = Batches.shuffledOrder(r, classes);
      int[] y2 = Batches.permute(y, order);
      for (int i = 0; i < batch; i++) {
        y2[i] = rename[y2[i]];
      }
      double[][] w2 = new double[w.length][];
      for (int c = 0; c < classes; c++) {
        for (int j = 0; j < k; j++) {
          w2[rename[c] * k + j] = w[c * k + j];
        }
      }
      double moved =
          LearnedLossHarness.eval(s.loss(), Batches.permuteRows(x, order), y2, w2).value();
      assertClose(value, moved, 1e-12, s.loss().toString());
    }
  }

  // ---- The worked numbers of the Javadoc: x = (1, 0) of class 0, W = [(1, 1), (0, 1)]. ----

  private static final double[][] X = {{1, 0}};
  private static final int[] Y = {0};
  private static final double[][] W = {{1, 1}, {0, 1}};

  @Test
  void arcFaceWorkedExample() {
    double t = Math.cos(Math.PI / 4 + 0.5);
    double expected = Math.log(Math.exp(t) + 1) - t;
    assertEquals(0.5622529270835197, expected, 1e-15);
    LearnedParameterLoss loss = ArcFaceLoss.builder(2).scale(1).margin(0.5).build();
    LearnedLossHarness.Eval e = LearnedLossHarness.eval(loss, X, Y, W);
    assertEquals(expected, e.value(), 1e-12);
    assertEquals(expected, e.value32()[0], 1e-6);
    // Sub-centres (0, 1), (1, 1) of class 0 and (0, 1), (-1, 0) of class 1: the same cosines.
    LearnedParameterLoss sub =
        SubCenterArcFaceLoss.builder(2).subCentres(2).scale(1).margin(0.5).build();
    double[][] w2 = {{0, 1}, {1, 1}, {0, 1}, {-1, 0}};
    assertEquals(expected, LearnedLossHarness.eval(sub, X, Y, w2).value(), 1e-12);
  }

  @Test
  void cosFaceNormalizedSoftmaxAndProxyAnchorWorkedExamples() {
    double c = Math.sqrt(0.5);
    assertEquals(
        0.5304504583087567,
        LearnedLossHarness.eval(CosFaceLoss.builder(2).scale(1).margin(0.35).build(), X, Y, W)
            .value(),
        1e-12);
    assertEquals(Math.log1p(Math.exp(-(c - 0.35))), 0.5304504583087567, 1e-15);
    assertEquals(
        0.40083352647070236,
        LearnedLossHarness.eval(NormalizedSoftmaxLoss.builder(2).temperature(1).build(), X, Y, W)
            .value(),
        1e-12);
    // pos = log(1 + e^-c) over the one proxy with a positive; neg = (0 + log 2) / 2 proxies.
    assertEquals(
        Math.log1p(Math.exp(-c)) + Math.log(2) / 2,
        LearnedLossHarness.eval(ProxyAnchorLoss.builder(2).alpha(1).margin(0).build(), X, Y, W)
            .value(),
        1e-12);
  }

  @Test
  void arcFacePastPiMinusMarginUsesTheLinearFallbackOrTheEasyMargin() {
    // x at 170 degrees from its class vector (1, 0), with m = 0.5: theta + m passes pi.
    double theta = Math.toRadians(170);
    double[][] x = {{Math.cos(theta), Math.sin(theta)}};
    double[][] w = {{1, 0}, {0, -1}};
    double c = Math.cos(theta);
    double other = LearnedOracle.cos(x[0], w[1]);
    LearnedParameterLoss fallback = ArcFaceLoss.builder(2).scale(1).margin(0.5).build();
    double t = c - 0.5 * Math.sin(0.5);
    assertEquals(
        Math.log(Math.exp(t) + Math.exp(other)) - t,
        LearnedLossHarness.eval(fallback, x, Y, w).value(),
        1e-12);
    LearnedParameterLoss easy =
        ArcFaceLoss.builder(2)
            .scale(1)
            .margin(0.5)
            .largeAngle(ArcFaceLoss.LargeAngle.EASY_MARGIN)
            .build();
    assertEquals(
        Math.log(Math.exp(c) + Math.exp(other)) - c,
        LearnedLossHarness.eval(easy, x, Y, w).value(),
        1e-12);
    // The gradient in the fallback region, against finite differences.
    LearnedLossHarness.Eval e = LearnedLossHarness.eval(fallback, x, Y, w);
    OracleFn f =
        (xx, yy, ww) ->
            LearnedOracle.arcFace(xx, yy, ww, 0.5, 1, ArcFaceLoss.LargeAngle.LINEAR_FALLBACK);
    assertMatrixClose(
        LossHarness.finiteDifferences(xx -> f.apply(xx, Y, w), x, 1e-6),
        e.embeddingGradient(),
        1e-6,
        "fallback d/dx");
    assertMatrixClose(
        LossHarness.finiteDifferences(ww -> f.apply(x, Y, ww), w, 1e-6),
        e.parameterGradients()[0],
        1e-6,
        "fallback d/dW");
    // The fallback keeps the loss rising with the angle: cos(theta + m) alone would fall here.
    double[][] further = {{Math.cos(theta + 0.01), Math.sin(theta + 0.01)}};
    assertTrue(
        LearnedLossHarness.eval(fallback, further, Y, w).value()
            > LearnedLossHarness.eval(fallback, x, Y, w).value());
  }
}
