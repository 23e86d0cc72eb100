package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 20: a model directory is untrusted input. Every field of a saved {@code model.properties}
 * is edited to 0, -1, 2^31-1, 2^31, 10^12 and garbage, with its checksum recomputed as a hostile
 * editor would: each load ends in a clear {@link IllegalArgumentException} and the process's
 * resident memory grows by less than 200 MB. An edit that leaves the checksum is caught by it.
 */
class UntrustedModelFilesTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final List<String> BAD_VALUES = List.of("0", "-1", "2147483647", "2147483648", "1000000000000", "garbage");
  private static LabeledDataset glyphs;

  @TempDir static Path tmp;
  private static Path saved;

  @BeforeAll
  static void saveAModel() {
    glyphs = SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();
    saved = tmp.resolve("model");
    try (SiameseModel m =
        SiameseModel.builder()
            .encoder(EncoderSpec.builder(SHAPE).conv2d(8, 3).batchNorm().relu().maxPool(2).conv2d(8, 3).relu().maxPool(2).flatten().dense(16).build())
            .loss(ContrastiveLoss.similarIsOne())
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(3)
            .build()) {
      m.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(2).batchSize(4).build());
      m.save(saved);
    }
  }

  private static Path snapshot(Path dir) throws IOException {
    return dir.resolve(Files.readString(dir.resolve("CURRENT")).trim());
  }

  /** A copy of the saved model whose description has {@code key=value}, checksum recomputed unless told not to. */
  private static Path edited(String name, String key, String value, boolean resign) throws IOException {
    Path dir = tmp.resolve(name);
    Path from = snapshot(saved);
    Path to = dir.resolve(from.getFileName());
    Files.createDirectories(to);
    Files.copy(saved.resolve("CURRENT"), dir.resolve("CURRENT"));
    for (String f : List.of("weights.bin", "model.properties", "model.properties.sha256")) {
      Files.copy(from.resolve(f), to.resolve(f));
    }
    Properties p = new Properties();
    p.load(new StringReader(Files.readString(to.resolve("model.properties"))));
    p.setProperty(key, value);
    StringWriter w = new StringWriter();
    p.store(w, null);
    byte[] bytes = w.toString().getBytes(StandardCharsets.UTF_8);
    Files.write(to.resolve("model.properties"), bytes);
    if (resign) {
      Files.writeString(to.resolve("model.properties.sha256"), ModelFiles.sha256(bytes) + "\n");
    }
    return dir;
  }

  private static long rssKb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("\\D+", ""));
      }
    }
    return 0;
  }

  @Test
  void everyFieldEditedToAnyBadValueGetsAClearErrorAndLittleMemory() throws IOException {
    Properties original = new Properties();
    original.load(new StringReader(Files.readString(snapshot(saved).resolve("model.properties"))));
    List<String> keys = new ArrayList<>(original.stringPropertyNames());
    keys.removeIf(k -> k.equals("loss.description") || k.equals("loss.class") || k.startsWith("optimizer.schedule.custom"));
    assertTrue(keys.contains("layer.0") && keys.contains("input") && keys.contains("embeddingSize"), keys.toString());
    long before = rssKb();
    int cases = 0;
    for (String key : keys) {
      List<String> values = new ArrayList<>(BAD_VALUES);
      if (key.startsWith("layer.")) {
        // The number inside the layer's text, as the example edited it: "conv2d 64" to "conv2d 2000000000".
        String[] words = original.getProperty(key).split(" ");
        values.clear();
        for (String v : BAD_VALUES) {
          String[] w = words.clone();
          w[Math.min(1, w.length - 1)] = v;
          values.add(String.join(" ", w));
        }
      }
      for (String value : values) {
        Path dir = edited("edit-" + cases++, key, value, true);
        try (SiameseModel m = SiameseModel.load(dir)) {
          // A few edits change nothing that matters (a seed, a step count, the momentum of Adam):
          // the model must then be the saved one, not garbage.
          assertArrayEquals(embedding(saved), m.embed(glyphs.features(0)), 0f, key + "=" + value + " loaded a different model");
        } catch (IllegalArgumentException e) {
          assertTrue(e.getMessage() != null && e.getMessage().contains("model.properties") || e.getMessage().contains("weights.bin"),
              key + "=" + value + ": " + e.getMessage());
          assertFalse(e.getClass().getName().startsWith("org.tensorflow"));
        }
        long grown = rssKb() - before;
        assertTrue(grown < 200 * 1024, key + "=" + value + " grew resident memory by " + grown / 1024 + " MB");
      }
    }
    assertTrue(cases > 60, "cases tried: " + cases);
  }

  private static float[] embedding(Path dir) {
    try (SiameseModel m = SiameseModel.load(dir)) {
      return m.embed(glyphs.features(0));
    }
  }

  @Test
  void anEditThatKeepsTheOldChecksumIsCaughtByIt() throws IOException {
    Path dir = edited("unsigned", "input", "32x32x1", false);
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "does not match its checksum");
  }

  @Test
  void aResignedEditOfTheInputShapeIsCaughtByTheEmbeddingSize() throws IOException {
    Path dir = edited("input", "input", "32x32x1", true);
    // The dense layer's kernel no longer fits: named before any graph is built.
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir),
        "weights.bin holds variable encoder_layer8_kernel of shape [392, 16], but this model's is [512, 16]");
  }

  @Test
  void aHugeLayerIsRefusedByItsCapBeforeAnythingIsBuilt() throws IOException {
    Path dir = edited("huge", "layer.0", "conv2d 2000000000 3 1 SAME", true);
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "conv2d filters is 2000000000; it must be in [1, 16384]");
    Path wide = edited("wide", "layer.0", "conv2d 16384 3 1 SAME", true);
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(wide), "holds variable encoder_layer0_bias of shape [8], but this model's is [16384]");
  }

  @Test
  void aDescriptionFileBlownUpIsRefusedUnread() throws IOException {
    Path dir = edited("blown", "seed", "3", true);
    Path config = snapshot(dir).resolve("model.properties");
    Files.write(config, new byte[(int) ModelFiles.MAX_CONFIG_BYTES + 1]);
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "more than the 1048576 such a file may have");
  }
}
