package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, determinism: with the same seed, on CPU, and {@code threads(1, 1)} set on the builder,
 * two training runs give bit-identical weights (the saved {@code weights.bin}, optimizer state
 * included, byte for byte, and the embeddings of fixed inputs bit for bit).
 *
 * <p>It also trains twice with TensorFlow's default thread pools and reports, without asserting,
 * whether those runs agreed too, and what one thread costs in speed: the wall time of the same
 * steps with {@code threads(1, 1)} over the default, best of two runs each. On this project's
 * 2-core machine the default pools gave bit-identical weights in some runs and different ones in
 * others (under load), so only {@code threads(1, 1)} is asserted.
 */
class ReliabilityDeterminismTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final int STEPS = 120;
  private static final int BATCH = 16;

  @TempDir Path tmp;

  /** What one training run produced. */
  private record Run(byte[] weights, int[] embeddingBits, long nanos) {}

  @Test
  void sameSeedAndOneThreadGiveBitIdenticalWeights() throws IOException {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(12).examplesPerClass(5).imageSize(28).seed(21).build().generate();
    train(glyphs, false, "warm-up"); // JIT and TensorFlow's one-off start-up costs, outside the timings.
    Run one1 = train(glyphs, true, "one-a");
    Run default1 = train(glyphs, false, "default-a");
    Run one2 = train(glyphs, true, "one-b");
    Run default2 = train(glyphs, false, "default-b");

    boolean defaultAgrees =
        Arrays.equals(default1.weights(), default2.weights()) && Arrays.equals(default1.embeddingBits(), default2.embeddingBits());
    boolean acrossSettings = Arrays.equals(one1.weights(), default1.weights());
    long one = Math.min(one1.nanos(), one2.nanos());
    long dflt = Math.min(default1.nanos(), default2.nanos());
    System.out.printf(Locale.ROOT,
        "determinism: %d steps of %d pairs, Conv-4 with 16 filters, Adam: threads(1, 1) %.2f s, default threads (%d cores) %.2f s,"
            + " ratio %.2f; default threads %s; threads(1, 1) and default threads %s%n",
        STEPS, BATCH, one / 1e9, Runtime.getRuntime().availableProcessors(), dflt / 1e9, (double) one / dflt,
        defaultAgrees ? "also gave bit-identical weights" : "did NOT give bit-identical weights",
        acrossSettings ? "agree bit for bit" : "differ (expected: other summation orders)");

    assertArrayEquals(one1.weights(), one2.weights(), "weights.bin of two threads(1, 1) runs");
    assertArrayEquals(one1.embeddingBits(), one2.embeddingBits(), "embeddings of two threads(1, 1) runs");
  }

  private Run train(LabeledDataset glyphs, boolean oneThread, String name) throws IOException {
    SiameseModelBuilder b =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(SHAPE, 16))
            .loss(ContrastiveLoss.similarIsOne())
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(7);
    if (oneThread) {
      b.threads(1, 1);
    }
    try (SiameseModel model = b.build()) {
      long start = System.nanoTime();
      model.fit(BalancedPairSampler.of(glyphs, 3), TrainingConfig.builder().epochs(1).stepsPerEpoch(STEPS).batchSize(BATCH).build());
      long nanos = System.nanoTime() - start;
      float[][] e = model.embed(glyphs);
      int[] bits = new int[e.length * e[0].length];
      for (int i = 0; i < e.length; i++) {
        for (int k = 0; k < e[i].length; k++) {
          bits[i * e[i].length + k] = Float.floatToRawIntBits(e[i][k]);
        }
      }
      Path dir = tmp.resolve(name);
      model.save(dir);
      byte[] weights = Files.readAllBytes(dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()).resolve("weights.bin"));
      return new Run(weights, bits, nanos);
    }
  }
}
