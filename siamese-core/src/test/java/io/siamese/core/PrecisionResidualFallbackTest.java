package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.BatchHardTripletLoss;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Precision#MIXED} falls back to float32 for encoders with residual blocks, whose bfloat16
 * results TensorFlow Java 1.1.0's oneDNN kernels get wrong: without the fallback a ResNet-12's
 * embeddings here were 44-49% of their length away from float32's on a CPU with AVX512_BF16.
 * Exported encoders are recognised by their graph ({@link SavedModelGuard#hasConvolutionWithoutBias}).
 */
class PrecisionResidualFallbackTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final SessionConfig.CpuFeatures BF16_CPU = SessionConfig.CpuFeatures.parse("flags\t: fpu avx512f avx512_bf16\n");
  private static final SessionConfig.CpuFeatures PLAIN_CPU = SessionConfig.CpuFeatures.parse("flags\t: fpu avx512f\n");
  private static final EncoderSpec RESNET12 = EncoderSpec.resnet12(SHAPE, 16, 16, 24, 32);
  private static final EncoderSpec RESIDUAL = EncoderSpec.builder(SHAPE).residualBlock(16, 1).residualBlock(24, 2).globalAvgPool().build();
  private static final EncoderSpec CONV4 = EncoderSpec.conv4(SHAPE, 16, true);

  @Test
  void residualEncodersComputeInFloat32OnABfloat16Cpu() {
    SessionConfig mixed = SessionConfig.DEFAULT.withPrecision(Precision.MIXED);
    assertEquals(Precision.FP32, mixed.forEncoder(RESNET12, BF16_CPU).precision());
    assertEquals(Precision.FP32, mixed.forEncoder(RESIDUAL, BF16_CPU).precision());
    assertSame(mixed, mixed.forEncoder(CONV4, BF16_CPU));
    // Without native bfloat16 the CPU stays float32 anyway, and a GPU keeps its own rewrite.
    assertSame(mixed, mixed.forEncoder(RESNET12, PLAIN_CPU));
    SessionConfig fp32 = SessionConfig.DEFAULT;
    assertSame(fp32, fp32.forEncoder(RESNET12, BF16_CPU));
  }

  @Test
  void mixedEmbeddingsStayCloseToFloat32sForEveryEncoder() {
    float[][] x = glyphs();
    for (EncoderSpec spec : new EncoderSpec[] {RESNET12, RESIDUAL, CONV4}) {
      double worst = worstRelativeDistance(embed(spec, Precision.FP32, x), embed(spec, Precision.MIXED, x));
      // bfloat16 keeps 8 bits of mantissa: Conv-4 measured 0.6%; a wrong kernel is tens of percent off.
      assertTrue(worst < 0.05, spec.layers().get(0) + ": the worst embedding is " + worst + " of its length from float32's");
    }
  }

  @Test
  void exportedResidualEncodersAreRecognisedAndEmbedCloseToFloat32(@TempDir Path tmp) {
    float[][] x = glyphs();
    for (EncoderSpec spec : new EncoderSpec[] {RESNET12, CONV4}) {
      Path dir = tmp.resolve(spec == CONV4 ? "conv4" : "resnet12");
      try (SiameseModel m = SiameseModel.builder().encoder(spec).loss(BatchHardTripletLoss.softMargin()).seed(4).build()) {
        m.exportSavedModel(dir);
      }
      assertEquals(spec != CONV4, SavedModelGuard.hasConvolutionWithoutBias(dir, "serve"), spec.layers().get(0).toString());
      float[][] fp32;
      float[][] mixed;
      try (SavedModelEmbedder e = SavedModelEmbedder.builder(dir).build()) {
        fp32 = e.embed(x);
      }
      try (SavedModelEmbedder e = SavedModelEmbedder.builder(dir).precision(Precision.MIXED).build()) {
        mixed = e.embed(x);
      }
      double worst = worstRelativeDistance(fp32, mixed);
      assertTrue(worst < 0.05, spec.layers().get(0) + ": the worst exported embedding is " + worst + " of its length from float32's");
    }
  }

  private static float[][] glyphs() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(8).examplesPerClass(4).imageSize(28).seed(9).build().generate();
    float[][] x = new float[glyphs.size()][];
    for (int i = 0; i < x.length; i++) {
      x[i] = glyphs.features(i);
    }
    return x;
  }

  private static double worstRelativeDistance(float[][] reference, float[][] other) {
    double worst = 0;
    for (int i = 0; i < reference.length; i++) {
      double d = 0;
      double n = 0;
      for (int j = 0; j < reference[i].length; j++) {
        d += (other[i][j] - reference[i][j]) * (other[i][j] - reference[i][j]);
        n += reference[i][j] * reference[i][j];
      }
      worst = Math.max(worst, Math.sqrt(d / n));
    }
    return worst;
  }

  private static float[][] embed(EncoderSpec spec, Precision precision, float[][] x) {
    try (SiameseModel m =
        SiameseModel.builder().encoder(spec).loss(BatchHardTripletLoss.softMargin()).precision(precision).seed(4).build()) {
      return m.embed(x);
    }
  }
}
