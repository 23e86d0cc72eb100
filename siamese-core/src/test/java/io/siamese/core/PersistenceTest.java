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
import io.siamese.losses.Distance;
import io.siamese.losses.PairLabelConvention;
import io.siamese.losses.PairLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

class PersistenceTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static LabeledDataset glyphs;

  @TempDir Path tmp;

  @BeforeAll
  static void data() {
    glyphs = SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();
  }

  private static SiameseModel newModel() {
    return SiameseModel.builder()
        .encoder(EncoderSpec.builder(SHAPE).conv2d(4, 3).relu().maxPool(2).flatten().dense(8).tanh().build())
        .loss(ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).margin(2.0).build())
        .optimizer(OptimizerSpec.adam(0.01))
        .seed(3)
        .build();
  }

  private static void trainSteps(SiameseModel m, int steps, long seed) {
    m.fit(BalancedPairSampler.of(glyphs, seed), TrainingConfig.builder().epochs(1).stepsPerEpoch(steps).batchSize(4).build());
  }

  @Test
  void aLoadedModelEmbedsBitIdenticallyAndKeepsItsConfiguration() {
    Path dir = tmp.resolve("model");
    float[][] expected;
    try (SiameseModel m = newModel()) {
      trainSteps(m, 3, 1);
      expected = m.embed(glyphs);
      m.save(dir);
      try (SiameseModel loaded = SiameseModel.load(dir)) {
        assertEquals(m.encoderSpec(), loaded.encoderSpec());
        assertEquals(m.lossDescription(), loaded.lossDescription());
        float[][] actual = loaded.embed(glyphs);
        for (int i = 0; i < expected.length; i++) {
          assertArrayEquals(expected[i], actual[i], 0f);
        }
      }
    }
  }

  @Test
  void theOptimizersStateIsSavedSoTrainingResumesExactly() {
    Path dir = tmp.resolve("resume");
    try (SiameseModel original = newModel()) {
      trainSteps(original, 3, 1);
      original.save(dir);
      try (SiameseModel resumed = SiameseModel.load(dir)) {
        trainSteps(original, 2, 9);
        trainSteps(resumed, 2, 9);
        float[] x = glyphs.features(5);
        assertArrayEquals(original.embed(x), resumed.embed(x), 0f);
      }
    }
  }

  @Test
  void savingAgainReplacesTheCopyAndKeepsOneSnapshot() throws IOException {
    Path dir = tmp.resolve("again");
    try (SiameseModel m = newModel()) {
      m.save(dir);
      trainSteps(m, 2, 1);
      m.save(dir);
      float[] expected = m.embed(glyphs.features(0));
      try (SiameseModel loaded = SiameseModel.load(dir)) {
        assertArrayEquals(expected, loaded.embed(glyphs.features(0)), 0f);
      }
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(1, files.filter(p -> p.getFileName().toString().startsWith("snapshot-")).count());
    }
  }

  @Test
  void aSaveInterruptedBeforeItsSwitchLeavesThePreviousCopyLoadable() throws IOException {
    Path dir = tmp.resolve("crash");
    float[] expected;
    try (SiameseModel m = newModel()) {
      m.save(dir);
      expected = m.embed(glyphs.features(0));
    }
    // What a kill leaves: a half-written snapshot and a pointer file never renamed into place.
    Path partial = Files.createDirectory(dir.resolve("snapshot-9999999999999-deadbeef"));
    Files.write(partial.resolve("weights.bin"), new byte[] {1, 2, 3});
    Files.writeString(dir.resolve("CURRENT.tmp"), "snapshot-9999999999999-deadbeef");
    try (SiameseModel loaded = SiameseModel.load(dir)) {
      assertArrayEquals(expected, loaded.embed(glyphs.features(0)), 0f);
    }
  }

  @Test
  void corruptedTruncatedAndMissingFilesAreNamed() throws IOException {
    Path dir = tmp.resolve("corrupt");
    try (SiameseModel m = newModel()) {
      m.save(dir);
    }
    Path snapshot = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim());
    Path weights = snapshot.resolve("weights.bin");
    byte[] good = Files.readAllBytes(weights);

    byte[] flipped = good.clone();
    flipped[flipped.length / 2] ^= 0x10;
    Files.write(weights, flipped);
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "weights.bin is corrupted");

    Files.write(weights, java.util.Arrays.copyOf(good, good.length - 100));
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "weights.bin");

    Files.write(weights, "not weights".getBytes(StandardCharsets.UTF_8));
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "not a siamese-java weights file");

    Files.write(weights, good);
    Files.writeString(snapshot.resolve("model.properties"), "format=siamese-model/1\ninput=28x28x1\nlayer.0=conv2d 4 3\n");
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "model.properties does not match its checksum");
    // Without the checksum (a save from before it existed), the description itself is checked.
    Files.delete(snapshot.resolve("model.properties.sha256"));
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "model.properties holds a bad model configuration");

    Files.delete(snapshot.resolve("model.properties"));
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "is missing");

    Files.writeString(dir.resolve("CURRENT"), "../../etc");
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "CURRENT is corrupted");

    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(tmp.resolve("nothing")), "no saved model at");
  }

  @Test
  void weightsOfAnotherArchitectureAreRejectedByName() throws IOException {
    Path dir = tmp.resolve("other");
    try (SiameseModel m = newModel()) {
      m.save(dir);
    }
    Path snapshot = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim());
    String config = Files.readString(snapshot.resolve("model.properties"));
    Files.writeString(snapshot.resolve("model.properties"), config.replace("dense 8", "dense 9").replace("embeddingSize=8", "embeddingSize=9"));
    Files.delete(snapshot.resolve("model.properties.sha256"));
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "variable encoder_layer4_bias of shape [8], but this model's is [9]");
  }

  @Test
  void savingWhereNoDirectoryCanBeMadeFailsWithTheCause() throws IOException {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    try (SiameseModel m = newModel()) {
      UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> m.save(file.resolve("model")));
      assertTrue(e.getMessage().contains("could not save the model to " + file.resolve("model")), e.getMessage());
    }
  }

  @Test
  void aCustomLossMustBeSuppliedOnLoad() {
    PairLoss custom = new PairLoss() {
      private final ContrastiveLoss inner = ContrastiveLoss.similarIsOne();

      @Override
      public PairLabelConvention labelConvention() {
        return inner.labelConvention();
      }

      @Override
      public Distance distance() {
        return inner.distance();
      }

      @Override
      public <T extends TNumber> Operand<T> call(Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels) {
        return inner.call(tf, left, right, labels);
      }

      @Override
      public String toString() {
        return "MyLoss";
      }
    };
    Path dir = tmp.resolve("custom");
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(custom).build()) {
      m.save(dir);
    }
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), "custom loss (MyLoss, class");
    try (SiameseModel loaded = SiameseModel.load(dir, custom)) {
      assertEquals("MyLoss", loaded.lossDescription());
    }
  }

  @Test
  void theExportedSavedModelEmbedsLikeTheModelInAnyTensorFlowRuntime() {
    Path dir = tmp.resolve("export");
    float[] x = glyphs.features(2);
    float[] expected;
    try (SiameseModel m = newModel()) {
      trainSteps(m, 2, 1);
      expected = m.embed(x);
      m.exportSavedModel(dir);
      assertMessage(IllegalArgumentException.class, () -> m.exportSavedModel(dir), "already exists");
    }
    assertTrue(Files.exists(dir.resolve("saved_model.pb")));
    try (SavedModelBundle bundle = SavedModelBundle.load(dir.toString(), "serve");
        TFloat32 input = TFloat32.tensorOf(Shape.of(1, 28, 28, 1), DataBuffers.of(x, true, false));
        Result r = bundle.call(Map.of("input", input))) {
      TFloat32 out = (TFloat32) r.get("embedding").orElseThrow();
      float[] actual = new float[expected.length];
      out.copyTo(DataBuffers.of(actual, false, false));
      assertArrayEquals(expected, actual, 0f);
      assertEquals(List.of("input"), List.copyOf(bundle.signatures().get(0).inputNames()));
    }
    assertFalse(Files.exists(tmp.resolve("export.tmp")));
  }
}
