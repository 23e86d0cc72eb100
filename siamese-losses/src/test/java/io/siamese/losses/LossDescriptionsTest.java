package io.siamese.losses;

import static io.siamese.losses.ContrastiveLossTest.assertMessage;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/** Every ready-made loss survives {@link LossDescriptions#describe}, then {@link
 * LossDescriptions#parse}. */
class LossDescriptionsTest {

  /** Every ready-made loss class, at its defaults and with every setting changed. */
  static List<Object> everyBuiltInLoss() {
    return List.of(
        ContrastiveLoss.similarIsOne(),
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO)
            .margin(0.3)
            .distance(Distances.COSINE)
            .reduction(Reduction.NONE)
            .build(),
        KochPairHeadLoss.similarIsOne(),
        KochPairHeadLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO)
            .reduction(Reduction.SUM)
            .build(),
        TripletLoss.create(),
        TripletLoss.faceNet(),
        BatchAllTripletLoss.create(),
        BatchAllTripletLoss.builder()
            .margin(0.25)
            .distance(Distances.L1)
            .reduction(Reduction.MEAN_OVER_NONZERO)
            .build(),
        BatchHardTripletLoss.create(),
        BatchHardTripletLoss.softMargin(),
        BatchHardTripletLoss.builder()
            .soft()
            .distance(Distances.SQUARED_EUCLIDEAN)
            .reduction(Reduction.SUM)
            .build(),
        BatchHardTripletLoss.builder().margin(0.1 + 0.2).build(),
        SemiHardTripletLoss.create(),
        SemiHardTripletLoss.builder().margin(0).distance(Distances.COSINE).build(),
        NTXentLoss.create(),
        NTXentLoss.builder().temperature(1e-3).distance(Distances.EUCLIDEAN).build(),
        MultiSimilarityLoss.create(),
        MultiSimilarityLoss.builder().alpha(3).beta(40).base(1).epsilon(0.05).build(),
        MultiSimilarityLoss.builder().noMining().reduction(Reduction.SUM).build(),
        ArcFaceLoss.builder(179).build(),
        ArcFaceLoss.builder(2)
            .margin(0.5)
            .scale(30)
            .largeAngle(ArcFaceLoss.LargeAngle.EASY_MARGIN)
            .build(),
        SubCenterArcFaceLoss.builder(716).build(),
        SubCenterArcFaceLoss.builder(3).subCentres(1).marginDegrees(20).scale(16).build(),
        CosFaceLoss.builder(10).build(),
        CosFaceLoss.builder(10).margin(0.2).scale(30).build(),
        NormalizedSoftmaxLoss.builder(10).build(),
        NormalizedSoftmaxLoss.builder(10).temperature(0.1).build(),
        ProxyAnchorLoss.builder(10).build(),
        ProxyAnchorLoss.builder(10).margin(0).alpha(16).build());
  }

  @Test
  void everyBuiltInLossRoundTripsExactly() {
    for (Object loss : everyBuiltInLoss()) {
      String text = LossDescriptions.describe(loss).orElseThrow(() -> new AssertionError(loss));
      assertTrue(!text.contains("  ") && !text.contains("\n"), text);
      Object back = LossDescriptions.parse(text);
      assertEquals(loss, back, text);
      assertSame(loss.getClass(), back.getClass());
      assertEquals(text, LossDescriptions.describe(back).orElseThrow());
    }
  }

  @Test
  void descriptionsReadAsDocumented() {
    assertEquals(
        Optional.of("batch-hard margin=1.0 distance=euclidean reduction=MEAN"),
        LossDescriptions.describe(BatchHardTripletLoss.create()));
    assertEquals(
        Optional.of("batch-hard margin=soft distance=euclidean reduction=MEAN"),
        LossDescriptions.describe(BatchHardTripletLoss.softMargin()));
    assertEquals(
        Optional.of(
            "arcface classes=716 margin=0.4991641660703783 scale=64.0"
                + " large-angle=LINEAR_FALLBACK"),
        LossDescriptions.describe(ArcFaceLoss.builder(716).build()));
    assertEquals(
        Optional.of(
            "contrastive convention=SIMILAR_IS_ONE margin=1.0 distance=euclidean reduction=MEAN"),
        LossDescriptions.describe(ContrastiveLoss.similarIsOne()));
    assertEquals(
        Optional.of(
            "multi-similarity alpha=2.0 beta=50.0 base=0.5 mining=off reduction=MEAN"),
        LossDescriptions.describe(MultiSimilarityLoss.builder().noMining().build()));
    assertEquals(
        Optional.of("proxy-anchor classes=10 margin=0.1 alpha=32.0"),
        LossDescriptions.describe(ProxyAnchorLoss.builder(10).build()));
  }

  @Test
  void settingsLeftOutTakeTheDefaults() {
    assertEquals(ArcFaceLoss.builder(10).build(), LossDescriptions.parse("arcface classes=10"));
    assertEquals(
        SubCenterArcFaceLoss.builder(10).subCentres(2).build(),
        LossDescriptions.parse("  subcenter-arcface   sub-centres=2 classes=10 "));
    assertEquals(BatchHardTripletLoss.create(), LossDescriptions.parse("batch-hard"));
    assertEquals(NTXentLoss.create(), LossDescriptions.parse("ntxent"));
    assertEquals(
        ContrastiveLoss.similarIsOne(),
        LossDescriptions.parse("contrastive convention=SIMILAR_IS_ONE"));
  }

  @Test
  void theOlderPositionalFormsStillParse() {
    // What saved models wrote before key=value descriptions.
    assertEquals(
        ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ZERO)
            .margin(2.0)
            .distance(Distances.COSINE)
            .reduction(Reduction.SUM)
            .build(),
        LossDescriptions.parse("contrastive SIMILAR_IS_ZERO 2.0 cosine SUM"));
    assertEquals(
        KochPairHeadLoss.similarIsOne(), LossDescriptions.parse("koch SIMILAR_IS_ONE MEAN"));
  }

  @Test
  void typedParsingChecksTheKind() {
    LearnedParameterLoss arc =
        LossDescriptions.parse("arcface classes=5", LearnedParameterLoss.class);
    assertEquals(5, arc.classes());
    BatchLoss hard = LossDescriptions.parse("batch-hard", BatchLoss.class);
    assertEquals(BatchHardTripletLoss.create(), hard);
    assertMessage(
        IllegalArgumentException.class,
        () -> LossDescriptions.parse("batch-hard", LearnedParameterLoss.class),
        "the loss description 'batch-hard' is of a BatchHardTripletLoss, not a"
            + " LearnedParameterLoss");
  }

  /** A loss of one's own, and a distance of one's own. */
  private static final class Own extends AbstractBatchLoss {
    Own() {
      super(Distances.EUCLIDEAN, Reduction.MEAN);
    }

    @Override
    protected <T extends TNumber> Terms<T> terms(Ops tf, PairwiseBatch<T> batch) {
      return Terms.of(batch.distances(), batch.positives());
    }
  }

  private static final Distance OWN_DISTANCE =
      new Distance() {
        @Override
        public <T extends TNumber> Operand<T> rowwise(Ops tf, Operand<T> a, Operand<T> b) {
          return Distances.L1.rowwise(tf, a, b);
        }

        @Override
        public <T extends TNumber> Operand<T> pairwise(Ops tf, Operand<T> x) {
          return Distances.L1.pairwise(tf, x);
        }

        @Override
        public double between(float[] a, float[] b) {
          return Distances.L1.between(a, b);
        }

        @Override
        public String name() {
          return "l1"; // the name of a ready-made one, but not the ready-made one
        }
      };

  @Test
  void lossesOfOnesOwnHaveNoDescription() {
    assertEquals(Optional.empty(), LossDescriptions.describe(new Own()));
    assertEquals(Optional.empty(), LossDescriptions.describe("not a loss"));
    assertEquals(
        Optional.empty(),
        LossDescriptions.describe(
            ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE)
                .distance(OWN_DISTANCE)
                .build()));
    assertEquals(
        Optional.empty(),
        LossDescriptions.describe(BatchHardTripletLoss.builder().distance(OWN_DISTANCE).build()));
    assertMessage(NullPointerException.class, () -> LossDescriptions.describe(null), "loss");
  }

  @Test
  void badDescriptionsAreRejectedNamingTheProblem() {
    String[][] cases = {
      {"custom", "unknown loss 'custom'; known: contrastive, koch"},
      {"", "unknown loss ''"},
      {"arcface", "arcface needs classes=C, the number of classes"},
      {"arcface classes=10 scale=64 scale=30", "scale is given twice"},
      {"arcface classes=10 margn=0.5", "unknown setting(s) [margn] for arcface"},
      {"arcface classes=ten", "classes must be a whole number, got 'ten'"},
      {"arcface classes=99999999999", "classes must be a whole number"},
      {"arcface classes=1", "classes must be >= 2"},
      {"arcface classes=10 margin=2", "margin must be in [0, pi/2]"},
      {"arcface classes=10 scale=1.0f", "scale must be a number, got '1.0f'"},
      {"arcface classes=10 scale=NaN", "scale must be a number, got 'NaN'"},
      {"arcface classes=10 large-angle=easy", "large-angle must be one of LINEAR_FALLBACK,"},
      {"arcface classes=10 scale=", "settings must be written key=value, got 'scale='"},
      {"batch-hard margin=soft margin=1", "margin is given twice"},
      {"batch-hard margin=-1", "margin must be finite and >= 0, got -1.0"},
      {"batch-hard distance=manhattan", "unknown distance 'manhattan'"},
      {"batch-all reduction=NONE", "reduction must give a scalar"},
      {"multi-similarity mining=maybe", "mining must be on or off, got 'maybe'"},
      {"multi-similarity mining=off epsilon=0.1", "epsilon is the mining margin"},
      {"contrastive margin=1.0", "contrastive needs convention=SIMILAR_IS_ONE or another value"},
      {"contrastive SIMILAR_IS_ONE 1.0 euclidean", "settings must be written key=value"},
      {"koch SIMILAR_IS_TWO MEAN", "convention must be one of SIMILAR_IS_ONE, SIMILAR_IS_ZERO"},
    };
    for (String[] c : cases) {
      assertMessage(IllegalArgumentException.class, () -> LossDescriptions.parse(c[0]), c[1]);
      assertMessage(
          IllegalArgumentException.class,
          () -> LossDescriptions.parse(c[0]),
          "bad loss description '" + c[0] + "'");
    }
    assertMessage(NullPointerException.class, () -> LossDescriptions.parse(null), "description");
  }
}
