package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ContrastiveLoss;
import org.junit.jupiter.api.Test;

/**
 * Initial weights: He's truncated normal for convolutions, with the fan-in {@code h * w * in * in}
 * kept on purpose (see VariableFactory.fans: measured, it trains the quickstart to 96.4% where
 * Keras's {@code h * w * in} gives 88.0%), and Glorot's uniform centred on 0 for dense layers, as
 * Keras draws it; the same seed, the same weights.
 */
class InitialWeightsTest {

  private static double[] meanAndStd(float[] v) {
    double m = 0;
    for (float x : v) {
      m += x;
    }
    m /= v.length;
    double s = 0;
    for (float x : v) {
      s += (x - m) * (x - m);
    }
    return new double[] {m, Math.sqrt(s / v.length)};
  }

  @Test
  void convolutionsAreHeNormalAndDenseLayersGlorotUniformAroundZero() {
    EncoderSpec spec = EncoderSpec.builder(ExampleShape.image(16, 16, 3)).conv2d(32, 3).relu().conv2d(64, 5).relu().flatten().dense(200).build();
    try (SiameseModel m = SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).seed(9).build();
        SiameseModel again = SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).seed(9).build()) {
      ModelWeights w = m.weights();
      double[] c1 = meanAndStd(w.values("encoder_layer0_kernel"));
      double[] c2 = meanAndStd(w.values("encoder_layer2_kernel"));
      assertEquals(0, c1[0], 0.05);
      assertEquals(Math.sqrt(2.0 / (3 * 3 * 3 * 3)), c1[1], 0.02, "first convolution's std");
      assertEquals(Math.sqrt(2.0 / (5 * 5 * 32 * 32)), c2[1], 0.0005, "second convolution's std: fan-in h * w * in * in");
      float[] dense = w.values("encoder_layer5_kernel");
      double limit = Math.sqrt(6.0 / (16 * 16 * 64 + 200));
      int negative = 0;
      for (float x : dense) {
        assertTrue(Math.abs(x) <= limit, "inside the Glorot limit");
        negative += x < 0 ? 1 : 0;
      }
      assertEquals(0.5, negative / (double) dense.length, 0.01, "a centred draw: half the weights negative");
      assertEquals(limit / Math.sqrt(3), meanAndStd(dense)[1], limit * 0.01, "uniform's std is limit / sqrt(3)");
      assertArrayEquals(dense, again.weights().values("encoder_layer5_kernel"), 0f);
    }
  }
}
