package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A model whose embeddings all coincide is warned about after each validation, naming the epoch
 * and the one distance; a model that tells examples apart is not.
 */
class CollapseWarningTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  @Test
  void everyValidationPairAtOneDistanceIsWarnedAboutEachEpoch() {
    // Blank drawings: every embedding is the encoder's response to zeros, so every pair is at distance 0.
    LabeledDataset blank = LabeledDataset.of(new float[16 * SHAPE.size()], new int[] {0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3}, SHAPE);
    List<String> warnings = warningsWhileTraining(blank);
    assertEquals(2, warnings.size(), warnings.toString());
    for (int epoch = 1; epoch <= 2; epoch++) {
      String w = warnings.get(epoch - 1);
      assertTrue(w.startsWith("epoch " + epoch + ": all 40 validation pairs lie at the same distance (0"), w);
      assertTrue(w.contains("maps every example to one point"), w);
    }
  }

  @Test
  void aModelThatTellsExamplesApartIsNotWarnedAbout() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(4).examplesPerClass(4).imageSize(28).seed(2).build().generate();
    assertEquals(List.of(), warningsWhileTraining(glyphs));
  }

  private static List<String> warningsWhileTraining(LabeledDataset data) {
    return LoggedWarnings.during(TrainingLoop.class, () -> {
      try (SiameseModel model =
          SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(ContrastiveLoss.similarIsOne()).seed(1).build()) {
        model.fit(BalancedPairSampler.of(data, 1),
            TrainingConfig.builder().epochs(2).stepsPerEpoch(2).batchSize(8).validation(BalancedPairSampler.of(data, 2), 40).build());
      }
    });
  }
}
