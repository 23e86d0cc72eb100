package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingContext;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import io.siamese.core.train.ValidationMetric;
import io.siamese.data.DatasetSplit;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.data.TripletSampler;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.TripletLoss;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the siamese-core redesign (issue 14) added: triplet training, policies as listeners with
 * one-shot validation, weights in and out, and the embedding space that keeps galleries honest.
 */
class RedesignTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final LabeledDataset GLYPHS =
      SyntheticGlyphs.builder().classes(40).examplesPerClass(8).imageSize(28).seed(12).build().generate();

  @TempDir Path tmp;

  private static SiameseModelBuilder conv4(int filters) {
    return SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, filters));
  }

  private static EpisodeSampler episodes(LabeledDataset data, long seed) {
    return EpisodeSampler.builder(data).ways(5).shots(1).queriesPerClass(1).seed(seed).build();
  }

  @Test
  void aTripletLossTrainsOnATripletSampler() {
    DatasetSplit split = Splits.byClass(GLYPHS, 12, 3);
    try (SiameseModel model = conv4(16).loss(TripletLoss.create()).optimizer(OptimizerSpec.adam(1e-3)).build()) {
      OneShotResult before = model.evaluateOneShot(episodes(split.test(), 5), 100);
      List<Double> losses = new ArrayList<>();
      model.fit(
          TripletSampler.of(split.train(), 7),
          TrainingConfig.builder().epochs(3).stepsPerEpoch(40).batchSize(16).build(),
          new TrainingListener() {
            @Override
            public void onBatchEnd(BatchResult batch) {
              losses.add(batch.loss());
              assertEquals(16, batch.pairs());
            }
          });
      OneShotResult after = model.evaluateOneShot(episodes(split.test(), 5), 100);
      double first = losses.subList(0, 20).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = losses.subList(100, 120).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(last < first, "mean loss of the first and last 20 steps: " + first + " -> " + last);
      assertTrue(after.accuracy() > before.accuracy(), before + " -> " + after);
      assertEquals(TripletLoss.create(), model.loss());
      assertMessage(
          IllegalStateException.class,
          () -> model.fit(io.siamese.data.BalancedPairSampler.of(split.train(), 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(4).build()),
          "on triplets: use fit(TripletSampler, ...)");
    }
  }

  @Test
  void earlyStoppingCanFollowOneShotAccuracyAndRestoresTheBestWeights() {
    DatasetSplit split = Splits.byClass(GLYPHS, 12, 3);
    try (SiameseModel model = conv4(8).loss(ContrastiveLoss.similarIsOne()).optimizer(OptimizerSpec.adam(3e-2)).build()) {
      List<EpochResult> epochs = new ArrayList<>();
      List<float[]> embeddingsPerEpoch = new ArrayList<>();
      TrainingHistory h =
          model.fit(
              io.siamese.data.BalancedPairSampler.of(split.train(), 2),
              TrainingConfig.builder()
                  .epochs(8)
                  .stepsPerEpoch(5)
                  .batchSize(8)
                  .validation(episodes(split.test(), 11), 20)
                  .earlyStopping(2)
                  .build(),
              new TrainingListener() {
                @Override
                public void onEpochEnd(EpochResult epoch) {
                  epochs.add(epoch);
                  embeddingsPerEpoch.add(model.embed(GLYPHS.features(0)));
                }
              });
      assertEquals(ValidationMetric.ONE_SHOT_ACCURACY, TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(1)
          .validation(episodes(split.test(), 1), 2).build().monitor());
      int best = 0;
      for (int i = 0; i < epochs.size(); i++) {
        assertTrue(epochs.get(i).oneShotValidation().isPresent());
        if (epochs.get(i).oneShotValidation().get().accuracy() > epochs.get(best).oneShotValidation().get().accuracy()) {
          best = i;
        }
      }
      assertEquals(best + 1, h.bestEpoch());
      // Stopped two epochs after the best one, unless the best came too late to stop early.
      assertEquals(Math.min(8, best + 3), epochs.size());
      assertEquals(epochs.size() < 8, h.stoppedEarly());
      assertArrayEquals(embeddingsPerEpoch.get(best), model.embed(GLYPHS.features(0)), 0f);
    }
  }

  @Test
  void aListenerCanStopTrainingThroughItsContext() {
    try (SiameseModel model = conv4(4).loss(ContrastiveLoss.similarIsOne()).build()) {
      List<Integer> steps = new ArrayList<>();
      TrainingHistory h =
          model.fit(
              io.siamese.data.BalancedPairSampler.of(GLYPHS, 1),
              TrainingConfig.builder().epochs(5).stepsPerEpoch(10).batchSize(4).build(),
              new TrainingListener() {
                private TrainingContext context;

                @Override
                public void onTrainingStart(TrainingContext training) {
                  context = training;
                }

                @Override
                public void onBatchEnd(BatchResult batch) {
                  steps.add(batch.step());
                  if (batch.epoch() == 2 && batch.step() == 3) {
                    context.requestStop();
                  }
                }
              });
      assertEquals(13, steps.size());
      assertEquals(2, h.epochs().size());
      assertTrue(h.stoppedEarly());
      assertEquals(13, model.trainingSteps());
    }
  }

  @Test
  void weightsGoOutAndBackAndAreCheckedAgainstTheArchitecture() {
    try (SiameseModel a = conv4(4).loss(ContrastiveLoss.similarIsOne()).build();
        SiameseModel b = conv4(4).loss(ContrastiveLoss.similarIsOne()).seed(99).build();
        SiameseModel other = conv4(8).loss(ContrastiveLoss.similarIsOne()).build()) {
      a.fit(io.siamese.data.BalancedPairSampler.of(GLYPHS, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(3).batchSize(4).build());
      ModelWeights w = a.weights();
      assertNotEquals(a.embeddingSpace().modelDigest(), b.embeddingSpace().modelDigest());
      b.setWeights(w);
      assertArrayEquals(a.embed(GLYPHS.features(3)), b.embed(GLYPHS.features(3)), 0f);
      assertEquals(a.embeddingSpace(), b.embeddingSpace());
      assertTrue(w.names().contains("encoder_layer0_kernel"), w.names().toString());
      assertArrayEquals(new long[] {3, 3, 1, 4}, w.shape("encoder_layer0_kernel"));
      assertMessage(IllegalArgumentException.class, () -> other.setWeights(w), "ModelWeights holds variable encoder_layer0_bias of shape [4], but this model's is [8]");
      assertMessage(IllegalArgumentException.class, () -> w.values("nope"), "no variable nope");
    }
  }

  @Test
  void theSpaceFollowsTheWeightsIntoExportsAndGalleries() {
    try (SiameseModel model = conv4(4).loss(ContrastiveLoss.similarIsOne()).build()) {
      EmbeddingSpace untrained = model.embeddingSpace();
      assertEquals(untrained, model.embeddingSpace());
      Path export = tmp.resolve("export");
      model.exportSavedModel(export);
      try (SavedModelEmbedder embedder = SavedModelEmbedder.open(export)) {
        assertEquals(untrained, embedder.embeddingSpace());
        assertArrayEquals(model.embed(GLYPHS.features(2)), embedder.embed(GLYPHS.features(2)), 1e-6f);
      }
      OneShotClassifier<String> classifier = model.oneShotClassifier(1.0);
      classifier.enrol("first", GLYPHS.features(0));
      // Embeddings of the model after more training live in another space: refused, not mixed.
      model.fit(io.siamese.data.BalancedPairSampler.of(GLYPHS, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(4).build());
      assertNotEquals(untrained.modelDigest(), model.embeddingSpace().modelDigest());
      assertMessage(IllegalArgumentException.class, () -> classifier.classify(GLYPHS.features(1)), "made by another model");
      // The methods that take embeddings use only the gallery and keep answering.
      assertEquals("first", classifier.classifyEmbedding(new float[4]).nearest());
      try (InMemoryGallery<String> other = InMemoryGallery.create(new EmbeddingSpace(4, io.siamese.losses.Distances.COSINE, "x"))) {
        assertMessage(IllegalArgumentException.class, () -> model.oneShotClassifier(other, 1.0), "the distance euclidean, this space with cosine");
      }
    }
  }
}
