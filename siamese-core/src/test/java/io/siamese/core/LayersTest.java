package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayersTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  @TempDir Path tmp;

  @Test
  void kochNetworkHasThePapersShapesAndSize() {
    EncoderSpec koch = EncoderSpec.koch(ExampleShape.image(105, 105, 1));
    assertEquals(ExampleShape.image(48, 48, 64), koch.layerOutputShapes().get(2));
    assertEquals(ExampleShape.image(21, 21, 128), koch.layerOutputShapes().get(5));
    assertEquals(ExampleShape.image(9, 9, 128), koch.layerOutputShapes().get(8));
    assertEquals(ExampleShape.image(6, 6, 256), koch.layerOutputShapes().get(10));
    assertEquals(4096, koch.embeddingSize());
    // 6,464 + 401,536 + 262,272 + 524,544 + 37,752,832 (dense 9,216 x 4,096 + 4,096).
    assertEquals(38_947_648L, koch.parameterCount());
  }

  @Test
  void residualBlocksProjectOnlyWhenShapesChange() {
    EncoderSpec spec =
        EncoderSpec.builder(ExampleShape.image(16, 16, 8)).residualBlock(8, 1).residualBlock(16, 2).globalAvgPool().build();
    assertEquals(ExampleShape.image(16, 16, 8), spec.layerOutputShapes().get(0));
    assertEquals(ExampleShape.image(8, 8, 16), spec.layerOutputShapes().get(1));
    // Block 1: two 3x3x8x8 convs + 2 BN (2 x 8 each) = 1,184; block 2: 3x3x8x16 + 3x3x16x16
    // + 2 BN (2 x 16 each) + 1x1x8x16 shortcut + its BN (2 x 16) = 1,152 + 2,304 + 64 + 128 + 32.
    assertEquals(1184 + 3680, spec.parameterCount());
    assertEquals(16, spec.embeddingSize());
  }

  @Test
  void layersThatNeedAVectorOrAnImageSayWhichTheyGot() {
    assertMessage(IllegalArgumentException.class, () -> EncoderSpec.builder(SHAPE).l2Normalize(), "28x28x1");
    assertMessage(IllegalArgumentException.class, () -> EncoderSpec.builder(ExampleShape.vector(4)).globalAvgPool(), "[4]");
    assertMessage(IllegalArgumentException.class, () -> EncoderSpec.builder(SHAPE).dropout(1.0), "got 1.0");
    assertMessage(IllegalArgumentException.class, () -> EncoderSpec.builder(SHAPE).batchNorm(1.0, 1e-3), "momentum");
  }

  @Test
  void everyLayerTrainsEmbedsAndSurvivesSaveAndLoad() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(4).examplesPerClass(4).seed(2).build().generate();
    EncoderSpec spec =
        EncoderSpec.builder(SHAPE)
            .conv2d(4, 3).batchNorm().leakyRelu().avgPool(2)
            .residualBlock(8, 2).maxPool(2)
            .conv2d(8, 3).elu().globalMaxPool()
            .dense(6).tanh().dropout(0.3).l2Normalize()
            .build();
    Path dir = tmp.resolve("all-layers");
    float[][] before;
    try (SiameseModel m = SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).seed(5).build()) {
      TrainingHistory h =
          m.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(3).batchSize(4).build());
      assertTrue(Double.isFinite(h.finalLoss()));
      before = m.embed(glyphs);
      for (float[] e : before) {
        double norm = 0;
        for (float v : e) {
          norm += v * v;
        }
        assertEquals(1.0, Math.sqrt(norm), 1e-5);
      }
      // Inference uses moving statistics and no dropout: deterministic and batch-independent.
      assertArrayEquals(before[3], m.embed(glyphs.features(3)), 1e-6f);
      m.save(dir);
    }
    try (SiameseModel loaded = SiameseModel.load(dir)) {
      assertEquals(spec, loaded.encoderSpec());
      float[][] after = loaded.embed(glyphs);
      for (int i = 0; i < before.length; i++) {
        assertArrayEquals(before[i], after[i], 0f);
      }
    }
  }

  @Test
  void batchNormUsesBatchStatisticsInTrainingAndMovingOnesInInference() {
    // Every example is the same vector c, so the batch mean is c and the batch variance 0.
    float[] c = {5f, -3f, 2f};
    float[] rows = new float[8 * 3];
    int[] labels = new int[8];
    for (int i = 0; i < 8; i++) {
      System.arraycopy(c, 0, rows, 3 * i, 3);
      labels[i] = i % 2;
    }
    LabeledDataset constant = LabeledDataset.of(rows, labels, ExampleShape.vector(3));
    EncoderSpec spec = EncoderSpec.builder(ExampleShape.vector(3)).batchNorm(0.0, 1e-3).build();
    try (SiameseModel m = SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).build()) {
      // Fresh moving statistics (mean 0, variance 1): y = x / sqrt(1 + eps).
      float[] fresh = m.embed(c);
      for (int k = 0; k < 3; k++) {
        assertEquals(c[k] / Math.sqrt(1 + 1e-3), fresh[k], 1e-5);
      }
      // With momentum 0 one step makes the moving statistics the batch's: mean c, variance 0.
      // Identical embeddings give zero gradients, so the scale and offset stay 1 and 0: y = 0.
      m.fit(BalancedPairSampler.of(constant, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(4).build());
      assertArrayEquals(new float[3], m.embed(c), 1e-4f);
    }
  }

  @Test
  void dropoutAtTheEndLeavesInferenceAsWithoutIt() {
    EncoderSpec plain = EncoderSpec.builder(SHAPE).conv2d(4, 3).relu().flatten().dense(8).build();
    EncoderSpec withDropout = EncoderSpec.builder(SHAPE).conv2d(4, 3).relu().flatten().dense(8).dropout(0.5).build();
    float[] x = SyntheticGlyphs.builder().classes(2).examplesPerClass(2).build().generate().features(0);
    try (SiameseModel a = SiameseModel.builder().encoder(plain).loss(ContrastiveLoss.similarIsOne()).seed(1).build();
        SiameseModel b = SiameseModel.builder().encoder(withDropout).loss(ContrastiveLoss.similarIsOne()).seed(1).build()) {
      assertArrayEquals(a.embed(x), b.embed(x), 0f);
    }
  }
}
