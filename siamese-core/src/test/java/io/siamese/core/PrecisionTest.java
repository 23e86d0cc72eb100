package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingListener;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.RewriterConfig;

/**
 * {@link Precision#MIXED}: the session-level rewrites it asks for, the CPU check and its warning,
 * and a model built with it: computing in bfloat16 where the CPU has it (embeddings close to, not
 * equal to, float32's), training, and keeping weights, saved files and exports float32.
 */
class PrecisionTest {
  private static final ExampleShape SHAPE = ExampleShape.image(16, 16, 1);
  private static final String BF16_CPU = "processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_bf16 avx512_vnni\nbogomips\t: 1\n";
  private static final String AMX_CPU = "flags\t: fpu avx512f amx_bf16 amx_tile\n";
  private static final String PLAIN_CPU = "flags\t: fpu sse2 avx2 avx512f avx512bw\n";

  @TempDir Path tmp;

  @Test
  void theCpuCheckReadsTheFlagsLine() throws IOException {
    assertTrue(SessionConfig.CpuFeatures.parse(BF16_CPU).bfloat16());
    assertTrue(SessionConfig.CpuFeatures.parse(AMX_CPU).bfloat16());
    assertFalse(SessionConfig.CpuFeatures.parse(PLAIN_CPU).bfloat16());
    // A flag's name inside another word does not count.
    assertFalse(SessionConfig.CpuFeatures.parse("flags : avx512_bf16x\n").bfloat16());
    assertFalse(SessionConfig.CpuFeatures.parse("model name : x\n").bfloat16(), "no flags line");
    assertFalse(SessionConfig.CpuFeatures.read(tmp.resolve("missing")).bfloat16(), "no file");
    Path file = tmp.resolve("cpuinfo");
    Files.writeString(file, BF16_CPU, StandardCharsets.US_ASCII);
    assertTrue(SessionConfig.CpuFeatures.read(file).bfloat16());
  }

  @Test
  void mixedAsksForTheGpuRewriteAlwaysAndForOneDnnBfloat16WhereTheCpuHasIt() {
    SessionConfig mixed = SessionConfig.DEFAULT.withPrecision(Precision.MIXED);
    RewriterConfig withBf16 = mixed.proto(SessionConfig.CpuFeatures.parse(BF16_CPU)).getGraphOptions().getRewriteOptions();
    assertEquals(RewriterConfig.Toggle.ON, withBf16.getAutoMixedPrecision());
    assertEquals(RewriterConfig.Toggle.ON, withBf16.getAutoMixedPrecisionOnednnBfloat16());
    RewriterConfig without = mixed.proto(SessionConfig.CpuFeatures.parse(PLAIN_CPU)).getGraphOptions().getRewriteOptions();
    assertEquals(RewriterConfig.Toggle.ON, without.getAutoMixedPrecision());
    assertEquals(RewriterConfig.Toggle.DEFAULT, without.getAutoMixedPrecisionOnednnBfloat16());
    assertFalse(mixed.isDefault());
    ConfigProto fp32 = SessionConfig.threads(1, 2).proto(SessionConfig.CpuFeatures.parse(BF16_CPU));
    assertFalse(fp32.hasGraphOptions(), "float32 leaves the rewrites at TensorFlow's defaults");
    assertEquals(1, fp32.getIntraOpParallelismThreads());
    assertEquals(Precision.MIXED, SessionConfig.threads(1, 2).withPrecision(Precision.MIXED).precision());
    assertEquals(1, SessionConfig.threads(1, 2).withPrecision(Precision.MIXED).proto().getIntraOpParallelismThreads());
    assertTrue(SessionConfig.DEFAULT.withPrecision(Precision.FP32).isDefault());
  }

  @Test
  void mixedOnACpuWithoutBfloat16IsWarnedAboutAndNamesTheReason() {
    List<String> plain = warnings(SessionConfig.DEFAULT.withPrecision(Precision.MIXED), PLAIN_CPU);
    assertEquals(1, plain.size(), plain.toString());
    assertTrue(plain.get(0).contains("avx512_bf16") && plain.get(0).contains("float32"), plain.get(0));
    List<String> unknown = warnings(SessionConfig.DEFAULT.withPrecision(Precision.MIXED), "");
    assertEquals(1, unknown.size(), unknown.toString());
    assertTrue(unknown.get(0).contains("unknown"), unknown.get(0));
    assertEquals(List.of(), warnings(SessionConfig.DEFAULT.withPrecision(Precision.MIXED), BF16_CPU));
    assertEquals(List.of(), warnings(SessionConfig.DEFAULT, PLAIN_CPU));
  }

  @Test
  void theBuilderTakesOnePrecision() {
    assertThrows(NullPointerException.class, () -> SiameseModel.builder().precision(null));
    IllegalStateException twice =
        assertThrows(IllegalStateException.class, () -> SiameseModel.builder().precision(Precision.MIXED).precision(Precision.FP32));
    assertTrue(twice.getMessage().contains("precision was already set to MIXED"), twice.getMessage());
  }

  @Test
  void aMixedModelComputesInBfloat16WhereTheCpuHasItAndKeepsFloat32Files() throws IOException {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(8).examplesPerClass(6).imageSize(16).seed(3).build().generate();
    EncoderSpec spec = EncoderSpec.builder(SHAPE).conv2d(8, 3).relu().maxPool(2).conv2d(8, 3).relu().maxPool(2).flatten().dense(16).build();
    float[][] x = new float[12][];
    for (int i = 0; i < x.length; i++) {
      x[i] = glyphs.features(i);
    }
    try (SiameseModel fp32 = SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).seed(4).build();
        SiameseModel mixed =
            SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).seed(4).precision(Precision.MIXED).build()) {
      float[][] a = fp32.embed(x);
      float[][] b = mixed.embed(x);
      double maxDiff = 0;
      double maxAbs = 0;
      for (int i = 0; i < a.length; i++) {
        for (int j = 0; j < a[i].length; j++) {
          maxDiff = Math.max(maxDiff, Math.abs(a[i][j] - b[i][j]));
          maxAbs = Math.max(maxAbs, Math.abs(a[i][j]));
        }
      }
      if (SessionConfig.CpuFeatures.DETECTED.bfloat16()) {
        assertNotEquals(0.0, maxDiff, "the bfloat16 rewrite ran");
        assertTrue(maxDiff < 0.03 * maxAbs, "bfloat16 embeddings within 3% of float32's: " + maxDiff + " of " + maxAbs);
      } else {
        assertEquals(0.0, maxDiff, "without bfloat16 the model stays float32");
      }

      // Training in mixed precision lowers the loss, and leaves float32 weights.
      List<Double> losses = new ArrayList<>();
      mixed.fit(
          BalancedPairSampler.of(glyphs, 5),
          TrainingConfig.builder().epochs(3).stepsPerEpoch(10).batchSize(16).build(),
          new TrainingListener() {
            @Override
            public void onBatchEnd(BatchResult r) {
              losses.add(r.loss());
            }
          });
      assertTrue(losses.stream().allMatch(Double::isFinite), losses.toString());
      double first = losses.subList(0, 5).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      double last = losses.subList(25, 30).stream().mapToDouble(Double::doubleValue).average().orElseThrow();
      assertTrue(last < first, "mixed-precision training lowers the loss: " + first + " -> " + last);

      // The trained weights, in a float32 model, embed as the mixed model does up to bfloat16's rounding.
      fp32.setWeights(mixed.weights());
      float[][] c = fp32.embed(x);
      float[][] d = mixed.embed(x);
      for (int i = 0; i < c.length; i++) {
        for (int j = 0; j < c[i].length; j++) {
          assertEquals(c[i][j], d[i][j], 0.05 * (Math.abs(c[i][j]) + 0.1), "embedding " + i + "[" + j + "]");
        }
      }

      // Saved and exported files hold no bfloat16 tensor or op: the rewrite belongs to the session.
      Path saved = tmp.resolve("saved");
      mixed.save(saved);
      Path export = tmp.resolve("export");
      mixed.exportSavedModel(export);
      for (Path dir : List.of(saved, export)) {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path f : files.filter(Files::isRegularFile).toList()) {
            String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            assertFalse(bytes.contains("AutoMixedPrecision") || bytes.contains("CastToBf16"), f + " holds a rewritten graph");
          }
        }
      }
      try (SiameseModel loaded = SiameseModel.load(saved)) {
        float[][] e = loaded.embed(x);
        for (int i = 0; i < c.length; i++) {
          for (int j = 0; j < c[i].length; j++) {
            assertEquals(Float.floatToIntBits(c[i][j]), Float.floatToIntBits(e[i][j]), "a mixed model's files load as float32");
          }
        }
      }
    }
  }

  private static List<String> warnings(SessionConfig config, String cpuinfo) {
    return LoggedWarnings.during(SessionConfig.class, () -> config.warnIfIgnored(SessionConfig.CpuFeatures.parse(cpuinfo)));
  }
}
