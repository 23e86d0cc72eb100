package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.ClassBatchSampler;
import io.siamese.data.DatasetSplit;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ArcFaceLoss;
import io.siamese.losses.Distances;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A loss with learned class weights (issue 17): trained over all classes, saved with the model, left out of inference. */
class LearnedLossTrainingTest {
  @TempDir Path tmp;

  /**
   * Conv-4 then a linear embedding: a margin on the hypersphere needs embeddings free to point
   * anywhere, which Conv-4's last ReLU and pooling (all values >= 0) do not allow.
   */
  private static EncoderSpec encoder(LabeledDataset data) {
    EncoderSpec.Builder b = EncoderSpec.builder(data.shape());
    for (int block = 0; block < 4; block++) {
      b.conv2d(16, 3).relu().maxPool(2);
    }
    return b.flatten().dense(32).build();
  }

  private static EpisodeSampler episodes(LabeledDataset data) {
    return EpisodeSampler.builder(data).ways(5).shots(1).queriesPerClass(1).seed(2).build();
  }

  @Test
  void arcFaceTrainsOverAllClassesAndItsWeightsStayOutOfInference() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(40).examplesPerClass(8).seed(21).build().generate();
    DatasetSplit split = Splits.byClass(glyphs, 12, 21);
    ClassBatchSampler sampler = ClassBatchSampler.builder(split.train()).batchSize(32).seed(4).build();
    ArcFaceLoss loss = ArcFaceLoss.builder(sampler.classCount()).scale(16).build();
    Path dir = tmp.resolve("arcface");
    float[] expected;
    try (SiameseModel model =
        SiameseModel.builder().encoder(encoder(glyphs)).loss(loss).optimizer(OptimizerSpec.adam(1e-3)).seed(3).build()) {
      // On the training classes: the class weights pull each class together. (With 28 synthetic
      // classes a classification loss overfits them and barely helps unseen ones; measured, it takes
      // many classes, as in face recognition, for these losses to generalise.)
      OneShotResult before = model.evaluateOneShot(episodes(split.train()), 100);
      var history = model.fit(sampler, TrainingConfig.builder().epochs(3).stepsPerEpoch(40).batchSize(32).build());
      OneShotResult after = model.evaluateOneShot(episodes(split.train()), 100);
      assertTrue(history.epochs().get(2).meanLoss() < history.epochs().get(0).meanLoss(), history.toString());
      assertTrue(after.accuracy() > before.accuracy() + 0.15, before + " -> " + after);
      assertEquals(Distances.COSINE, model.embeddingDistance());
      assertTrue(model.weights().names().contains("loss_class_weights"), model.weights().names().toString());
      assertMessage(IllegalArgumentException.class,
          () -> model.fit(ClassBatchSampler.builder(glyphs).batchSize(32).build(), TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(32).build()),
          "the sampler draws from 40 classes but the loss");
      expected = model.embed(glyphs.features(0));
      model.save(dir);
    }
    try (SiameseModel loaded = SiameseModel.load(dir)) {
      assertEquals(loss, loaded.loss());
      assertArrayEquals(expected, loaded.embed(glyphs.features(0)), 0f);
    }
    try (SiameseModel inference = SiameseModel.loadForInference(dir)) {
      assertFalse(inference.weights().names().contains("loss_class_weights"));
      assertArrayEquals(expected, inference.embed(glyphs.features(0)), 0f);
    }
  }
}
