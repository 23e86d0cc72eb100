package io.siamese.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.SavedModelEmbedder;
import io.siamese.core.SiameseModel;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.ContrastiveLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * Spark 4.2 brings protobuf-java 4.x, and Maven's nearest-wins puts it on the classpath in place of
 * the 3.21 that TensorFlow Java 1.1.0's generated classes were made with. Those classes must still
 * export, load and parse signatures and thread settings: they do, so siamese-spark neither shades
 * nor pins protobuf (docs/spark.md).
 */
class ProtobufClasspathTest {

  @Test
  void sparksProtobufIsTheOneOnTheClasspath() throws ClassNotFoundException {
    // RuntimeVersion exists from protobuf-java 4 on.
    Class.forName("com.google.protobuf.RuntimeVersion");
    String jar = com.google.protobuf.Message.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertTrue(jar.contains("protobuf-java-4."), jar);
    String tfProto = org.tensorflow.proto.ConfigProto.class.getProtectionDomain().getCodeSource().getLocation().toString();
    assertTrue(tfProto.contains("tensorflow-core-native"), tfProto);
  }

  @Test
  void exportLoadSignatureAndThreadSettingsWorkOnProtobuf4() {
    Path dir = TestSpark.scratch().resolve("protobuf-" + System.nanoTime());
    LabeledDataset data = TestSpark.glyphs(4, 4, 3);
    float[][] x = new float[data.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = data.features(i);
    }
    float[][] direct;
    try (SiameseModel m =
        SiameseModel.builder().encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 8)).loss(ContrastiveLoss.similarIsOne(1.0)).seed(41).build()) {
      direct = m.embed(x);
      m.exportSavedModel(dir);
    }
    // open(dir, 1, 1) builds a ConfigProto; open parses the serving_default signature.
    try (SavedModelEmbedder e = SavedModelEmbedder.open(dir, 1, 1)) {
      assertEquals(ExampleShape.image(28, 28, 1), e.inputShape());
      assertEquals(8, e.embeddingSize());
      float[][] loaded = e.embed(x);
      for (int i = 0; i < x.length; i++) {
        assertArrayEquals(direct[i], loaded[i], 1e-6f, "example " + i);
      }
    }
  }
}
