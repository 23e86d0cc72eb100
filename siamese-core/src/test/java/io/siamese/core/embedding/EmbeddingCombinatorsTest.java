package io.siamese.core.embedding;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.Augmenter;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distances;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Test-time augmentation and ensembles against their definitions (the mean of the views, of the members). */
class EmbeddingCombinatorsTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final LabeledDataset GLYPHS = SyntheticGlyphs.builder().classes(4).examplesPerClass(3).imageSize(28).seed(6).build().generate();
  private static SiameseModel a;
  private static SiameseModel b;

  @BeforeAll
  static void models() {
    a = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(ContrastiveLoss.similarIsOne()).seed(1).build();
    b = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(ContrastiveLoss.similarIsOne()).seed(2).build();
  }

  @AfterAll
  static void close() {
    a.close();
    b.close();
  }

  @Test
  void augmentedViewsAreAveragedAndDoNotDependOnTheBatch() {
    AugmentedEmbedder tta = AugmentedEmbedder.builder(a, Augmenter.koch2015()::apply, "koch2015").views(4).seed(9).build();
    float[][] batch = {GLYPHS.features(0), GLYPHS.features(5), GLYPHS.features(7)};
    float[][] together = tta.embed(batch);
    for (int i = 0; i < batch.length; i++) {
      assertArrayEquals(together[i], tta.embed(batch[i]), 1e-6f, "example " + i);
    }
    // One view, the original: the base embedding itself.
    AugmentedEmbedder identity = AugmentedEmbedder.builder(a, Augmenter.koch2015()::apply, "koch2015").views(1).build();
    assertArrayEquals(a.embed(batch[1]), identity.embed(batch[1]), 1e-6f);
    // The views really differ, and the mean is not the original's embedding.
    assertNotEquals(a.embed(batch[1])[0], tta.embed(batch[1])[0]);
    assertNotEquals(a.embeddingSpace().modelDigest(), tta.embeddingSpace().modelDigest());
    assertEquals(a.embeddingSpace().distance(), tta.embeddingSpace().distance());
  }

  @Test
  void anEnsembleOfIndependentModelsAveragesTheirDistancesEachInItsOwnSpace() {
    EnsembleEmbedder ensemble = EnsembleEmbedder.of(List.of(a, b), false);
    assertEquals(a.embeddingSize() + b.embeddingSize(), ensemble.embeddingSize());
    float[] x = GLYPHS.features(3);
    float[] y = GLYPHS.features(10);
    // Squared Euclidean distance: the mean of the members' squared distances.
    double da = Distances.EUCLIDEAN.between(a.embed(x), a.embed(y));
    double db = Distances.EUCLIDEAN.between(b.embed(x), b.embed(y));
    double d = Distances.EUCLIDEAN.between(ensemble.embed(x), ensemble.embed(y));
    assertEquals((da * da + db * db) / 2, d * d, 1e-5 * d * d);
    // Normalised: cosine similarity is the mean of the members' cosine similarities.
    EnsembleEmbedder unit = EnsembleEmbedder.of(List.of(a, b), true);
    double ca = 1 - Distances.COSINE.between(a.embed(x), a.embed(y));
    double cb = 1 - Distances.COSINE.between(b.embed(x), b.embed(y));
    assertEquals((ca + cb) / 2, 1 - Distances.COSINE.between(unit.embed(x), unit.embed(y)), 1e-5);
    // The members' embeddings, side by side, each scaled by 1/sqrt(2).
    float[] e = ensemble.embed(x);
    float[] ea = a.embed(x);
    for (int k = 0; k < ea.length; k++) {
      assertEquals(ea[k] / Math.sqrt(2), e[k], 1e-6);
    }
    assertMessage(IllegalArgumentException.class, () -> EnsembleEmbedder.of(List.of(a), true), "at least 2 members");
    try (SiameseModel cosine = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4))
        .loss(ContrastiveLoss.builder(io.siamese.losses.PairLabelConvention.SIMILAR_IS_ONE).distance(Distances.COSINE).build()).build()) {
      assertMessage(IllegalArgumentException.class, () -> EnsembleEmbedder.of(List.of(a, cosine), true), "member 1 compares with cosine, member 0 with euclidean");
      // Cosine members are compared at unit length whatever normalize says.
      try (SiameseModel cosine2 = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).seed(5)
          .loss(ContrastiveLoss.builder(io.siamese.losses.PairLabelConvention.SIMILAR_IS_ONE).distance(Distances.COSINE).build()).build()) {
        EnsembleEmbedder c = EnsembleEmbedder.of(List.of(cosine, cosine2), false);
        double c1 = 1 - Distances.COSINE.between(cosine.embed(x), cosine.embed(y));
        double c2 = 1 - Distances.COSINE.between(cosine2.embed(x), cosine2.embed(y));
        assertEquals((c1 + c2) / 2, 1 - Distances.COSINE.between(c.embed(x), c.embed(y)), 1e-5);
      }
    }
  }

  @Test
  void anAveragingEnsembleIsTheMeanOfItsMembers() {
    EnsembleEmbedder mean = EnsembleEmbedder.averaging(List.of(a, b), false);
    float[] x = GLYPHS.features(3);
    float[] ea = a.embed(x);
    float[] eb = b.embed(x);
    float[] expected = new float[ea.length];
    for (int k = 0; k < ea.length; k++) {
      expected[k] = (float) (((double) ea[k] + eb[k]) / 2);
    }
    assertArrayEquals(expected, mean.embed(x), 1e-6f);
    float[] unit = EnsembleEmbedder.averaging(List.of(a, b), true).embed(x);
    double na = norm(ea);
    double nb = norm(eb);
    for (int k = 0; k < ea.length; k++) {
      assertEquals((ea[k] / na + eb[k] / nb) / 2, unit[k], 1e-6);
    }
    assertNotEquals(mean.embeddingSpace().modelDigest(), EnsembleEmbedder.of(List.of(a, b), false).embeddingSpace().modelDigest());
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }
}
