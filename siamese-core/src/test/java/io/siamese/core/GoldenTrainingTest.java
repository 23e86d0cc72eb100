package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingListener;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Properties;
import java.util.StringJoiner;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The golden run of the siamese-core redesign (issue 14): 20 pair steps and 20 P x K steps with
 * {@code threads(1, 1)}, their losses (float bits) and the bytes of the saved {@code weights.bin}
 * (SHA-256), compared with a recording made before the first move. Every step of the redesign must
 * leave them bit-identical.
 *
 * <p>oneDNN picks its kernels by CPU, so the bits hold only on the processor they were recorded
 * on: elsewhere the test is skipped with a message saying so. Record again with {@code
 * SIAMESE_GOLDEN_RECORD=1} in the environment (writes {@code src/test/resources/io/siamese/core/golden-training.properties}).
 */
class GoldenTrainingTest {
  private static final String RESOURCE = "golden-training.properties";
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  @TempDir Path tmp;

  @Test
  void pairAndPkTrainingRepeatTheGoldenRunBitForBit() throws IOException {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(16).examplesPerClass(6).imageSize(28).seed(77).build().generate();
    Properties now = new Properties();
    now.setProperty("cpu", cpuFingerprint());
    try (SiameseModel pair =
        SiameseModel.builder()
            .encoder(EncoderSpec.builder(SHAPE).conv2d(8, 3).batchNorm().relu().maxPool(2).conv2d(8, 3).relu().maxPool(2).flatten().dense(16).build())
            .loss(ContrastiveLoss.similarIsOne())
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(5)
            .threads(1, 1)
            .build()) {
      List<Double> losses = new ArrayList<>();
      pair.fit(
          BalancedPairSampler.of(glyphs, 9),
          TrainingConfig.builder().epochs(2).stepsPerEpoch(10).batchSize(16).build(),
          lossRecorder(losses));
      record(now, "pair", pair, losses);
    }
    try (SiameseModel pk =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(SHAPE, 8))
            .loss(BatchHardTripletLoss.create())
            .optimizer(OptimizerSpec.sgdWithMomentum(0.01, 0.9))
            .seed(6)
            .threads(1, 1)
            .build()) {
      List<Double> losses = new ArrayList<>();
      pk.fit(
          PkBatchSampler.builder(glyphs).classesPerBatch(4).examplesPerClass(4).seed(3).build(),
          TrainingConfig.builder().epochs(2).stepsPerEpoch(10).batchSize(16).build(),
          lossRecorder(losses));
      record(now, "pk", pk, losses);
    }

    if (Boolean.getBoolean("siamese.golden.record") || "1".equals(System.getenv("SIAMESE_GOLDEN_RECORD"))) {
      Path out = Path.of("src/test/resources/io/siamese/core").resolve(RESOURCE);
      Files.createDirectories(out.getParent());
      try (OutputStream o = Files.newOutputStream(out)) {
        now.store(o, "golden run of GoldenTrainingTest; recorded before the siamese-core redesign");
      }
      return;
    }
    Properties golden = new Properties();
    try (InputStream in = GoldenTrainingTest.class.getResourceAsStream(RESOURCE)) {
      Assumptions.assumeTrue(in != null, "no golden recording; run with SIAMESE_GOLDEN_RECORD=1");
      golden.load(in);
    }
    Assumptions.assumeTrue(
        golden.getProperty("cpu").equals(now.getProperty("cpu")),
        "the golden run was recorded on another processor (" + golden.getProperty("cpu") + "), whose oneDNN kernels round differently");
    for (String key : List.of("pair.losses", "pair.weights", "pk.losses", "pk.weights")) {
      assertEquals(golden.getProperty(key), now.getProperty(key), key + " differs from the golden run");
    }
  }

  private static TrainingListener lossRecorder(List<Double> losses) {
    return new TrainingListener() {
      @Override
      public void onBatchEnd(BatchResult batch) {
        losses.add(batch.loss());
      }
    };
  }

  private void record(Properties p, String name, SiameseModel model, List<Double> losses) throws IOException {
    assertEquals(20, losses.size());
    StringJoiner bits = new StringJoiner(",");
    for (double l : losses) {
      bits.add(Integer.toHexString(Float.floatToRawIntBits((float) l)));
    }
    p.setProperty(name + ".losses", bits.toString());
    Path dir = tmp.resolve(name);
    model.save(dir);
    byte[] weights = Files.readAllBytes(dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()).resolve("weights.bin"));
    p.setProperty(name + ".weights", sha256(weights));
  }

  private static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The processor's model name and instruction-set flags, which decide oneDNN's kernels. */
  private static String cpuFingerprint() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
      String model = lines.stream().filter(l -> l.startsWith("model name")).findFirst().orElse("?");
      String flags = lines.stream().filter(l -> l.startsWith("flags")).findFirst().orElse("?");
      return model.replaceAll(".*:\\s*", "") + " " + sha256(flags.getBytes()).substring(0, 12);
    } catch (IOException | UncheckedIOException e) {
      return System.getProperty("os.arch") + " (no /proc/cpuinfo)";
    }
  }
}
