package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.Precision;
import io.siamese.core.SiameseModel;
import io.siamese.core.SiameseModelBuilder;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ArcFaceLoss;
import io.siamese.losses.CosFaceLoss;
import io.siamese.losses.NormalizedSoftmaxLoss;
import io.siamese.losses.ProxyAnchorLoss;
import io.siamese.losses.SubCenterArcFaceLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class OmniglotOptionsTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  private static OmniglotOptions parse(String... args) throws Exception {
    String[] withData = new String[args.length + 2];
    withData[0] = "--data";
    withData[1] = "none.zip";
    System.arraycopy(args, 0, withData, 2, args.length);
    return OmniglotOptions.parse(withData);
  }

  @Test
  void theLossesWithClassWeightsGetALinearHeadAndTheirSettings() throws Exception {
    OmniglotOptions o = parse("--loss", "arcface", "--margin", "20", "--scale", "16");
    assertEquals(128, o.embedding());
    EncoderSpec encoder = OmniglotTraining.encoder(o, SHAPE);
    assertEquals(128, encoder.embeddingSize());
    assertEquals("dense(128)", encoder.layers().get(encoder.layers().size() - 1).toString());
    try (SiameseModel model = OmniglotTraining.build(o, SHAPE, 716)) {
      ArcFaceLoss loss = (ArcFaceLoss) model.loss();
      assertEquals(716, loss.classes());
      assertEquals(Math.toRadians(20), loss.margin(), 1e-12);
      assertEquals(16, loss.scale());
    }
  }

  @Test
  void eachLossNameBuildsItsLoss() throws Exception {
    SiameseModelBuilder b = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4));
    Losses.apply(b, "cosface", "0.2", 30, 10);
    try (SiameseModel m = b.build()) {
      assertEquals(0.2, ((CosFaceLoss) m.loss()).margin(), 1e-12);
      assertEquals(30, ((CosFaceLoss) m.loss()).scale());
    }
    b = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4));
    Losses.apply(b, "normalized-softmax", null, 10, 10);
    try (SiameseModel m = b.build()) {
      assertEquals(0.1, ((NormalizedSoftmaxLoss) m.loss()).temperature(), 1e-12);
    }
    b = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4));
    Losses.apply(b, "proxy-anchor", "0.2", 16, 10);
    try (SiameseModel m = b.build()) {
      assertEquals(16, ((ProxyAnchorLoss) m.loss()).alpha());
      assertEquals(0.2, ((ProxyAnchorLoss) m.loss()).margin(), 1e-12);
    }
    b = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4));
    Losses.apply(b, "subcenter-arcface", null, Double.NaN, 10);
    try (SiameseModel m = b.build()) {
      assertEquals(10, ((SubCenterArcFaceLoss) m.loss()).classes());
    }
  }

  @Test
  void theDefaultIsBatchHardOnConv4WithoutAHead() throws Exception {
    OmniglotOptions o = parse();
    assertEquals("batch-hard", o.loss());
    assertEquals(0, o.embedding());
    assertTrue(o.rotations());
    assertFalse(o.allAlphabets());
    assertEquals(EncoderSpec.conv4(SHAPE, 128, true), OmniglotTraining.encoder(o, SHAPE));
    assertEquals(EncoderSpec.resnet12(SHAPE, 32, 64, 96, 128),
        OmniglotTraining.encoder(parse("--encoder", "resnet12", "--widths", "32,64,96,128"), SHAPE));
    assertEquals(Path.of("none.zip"), o.data().get(0));
    assertEquals(Precision.FP32, o.precision());
    assertEquals(Precision.MIXED, parse("--precision", "MIXED").precision());
  }

  @Test
  void dropoutFollowsEveryPoolingButTheLast() throws Exception {
    EncoderSpec encoder = OmniglotTraining.encoder(parse("--dropout", "0.1"), SHAPE);
    java.util.List<String> layers = encoder.layers().stream().map(Object::toString).toList();
    assertEquals(3, layers.stream().filter(l -> l.equals("dropout(0.1)")).count());
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i).startsWith("dropout")) {
        assertTrue(layers.get(i - 1).startsWith("maxPool"), "dropout after " + layers.get(i - 1));
      }
    }
    // The embedding itself is left alone: nothing but the flatten after the last pooling.
    assertTrue(layers.get(layers.size() - 2).startsWith("maxPool"), layers.toString());
    assertEquals(EncoderSpec.conv4(SHAPE, 128, true).embeddingSize(), encoder.embeddingSize());
    assertEquals(EncoderSpec.conv4(SHAPE, 128, true), OmniglotTraining.encoder(parse("--dropout", "0"), SHAPE));
  }

  @Test
  void badOptionsAreRefusedNamingTheProblem() {
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--dropout", "1"))
        .getMessage().contains("--dropout must be in [0, 1), got 1.0"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--loss", "arcface", "--margin", "soft"))
        .getMessage().contains("soft"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--scale", "30"))
        .getMessage().contains("--scale is for"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--loss", "triplet"))
        .getMessage().contains("--loss must be one of"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--widths", "1,2,3"))
        .getMessage().contains("--widths"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--batch", "126"))
        .getMessage().contains("multiple of 4"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--tta"))
        .getMessage().contains("needs a value"));
    assertTrue(assertThrows(IllegalArgumentException.class, () -> parse("--precision", "fp16"))
        .getMessage().contains("fp16"));
  }
}
