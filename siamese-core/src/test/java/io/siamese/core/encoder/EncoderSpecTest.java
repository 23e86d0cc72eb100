package io.siamese.core.encoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.data.ExampleShape;
import java.util.List;
import org.junit.jupiter.api.Test;

class EncoderSpecTest {
  private static final ExampleShape MNIST = ExampleShape.image(28, 28, 1);

  @Test
  void conv4At28PixelsHalvesFourTimesToA64FloatEmbedding() {
    EncoderSpec spec = EncoderSpec.conv4(MNIST, 64);
    // 28 -> 14 -> 7 -> 3 -> 1 (pooling drops the odd row), 64 channels, flattened.
    assertEquals(ExampleShape.image(14, 14, 64), spec.layerOutputShapes().get(2));
    assertEquals(ExampleShape.image(7, 7, 64), spec.layerOutputShapes().get(5));
    assertEquals(ExampleShape.image(3, 3, 64), spec.layerOutputShapes().get(8));
    assertEquals(ExampleShape.image(1, 1, 64), spec.layerOutputShapes().get(11));
    assertEquals(64, spec.embeddingSize());
    assertEquals(13, spec.layers().size());
  }

  @Test
  void parameterCountMatchesHandCount() {
    EncoderSpec spec = EncoderSpec.builder(MNIST).conv2d(8, 3).relu().maxPool(2).flatten().dense(10).build();
    // conv: 3*3*1*8 weights + 8 biases = 80; dense: 14*14*8 = 1568 inputs * 10 + 10 = 15690.
    assertEquals(80 + 15690, spec.parameterCount());
  }

  @Test
  void validPaddingAndStrideFollowTensorFlowArithmetic() {
    EncoderSpec spec =
        EncoderSpec.builder(ExampleShape.image(105, 105, 1))
            .conv2d(64, 10, 1, Padding.VALID)
            .maxPool(2)
            .conv2d(16, 3, 2, Padding.SAME)
            .flatten()
            .build();
    assertEquals(ExampleShape.image(96, 96, 64), spec.layerOutputShapes().get(0));
    assertEquals(ExampleShape.image(48, 48, 64), spec.layerOutputShapes().get(1));
    assertEquals(ExampleShape.image(24, 24, 16), spec.layerOutputShapes().get(2));
    assertEquals(24 * 24 * 16, spec.embeddingSize());
  }

  @Test
  void denseAfterAnImageFailsNamingTheShapeAndTheFix() {
    EncoderSpec.Builder b = EncoderSpec.builder(MNIST).conv2d(8, 3);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.dense(10));
    assertTrue(e.getMessage().contains("dense(10)"), e.getMessage());
    assertTrue(e.getMessage().contains("28x28x8"), e.getMessage());
    assertTrue(e.getMessage().contains("flatten()"), e.getMessage());
  }

  @Test
  void kernelLargerThanInputFailsNamingBoth() {
    EncoderSpec.Builder b = EncoderSpec.builder(ExampleShape.image(5, 5, 1));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> b.conv2d(4, 7, 1, Padding.VALID));
    assertTrue(e.getMessage().contains("5x5x1"), e.getMessage());
    assertTrue(e.getMessage().contains("7x7"), e.getMessage());
  }

  @Test
  void poolingPastOnePixelFails() {
    EncoderSpec.Builder b = EncoderSpec.builder(ExampleShape.image(2, 2, 1)).maxPool(2);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.maxPool(2));
    assertTrue(e.getMessage().contains("1x1x1"), e.getMessage());
  }

  @Test
  void convolutionOnAVectorFails() {
    EncoderSpec.Builder b = EncoderSpec.builder(ExampleShape.vector(16));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.conv2d(4, 3));
    assertTrue(e.getMessage().contains("[16]"), e.getMessage());
  }

  @Test
  void buildRejectsNoLayersAnImageOutputAndASecondCall() {
    assertThrows(IllegalStateException.class, () -> EncoderSpec.builder(MNIST).build());
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> EncoderSpec.builder(MNIST).conv2d(4, 3).build());
    assertTrue(e.getMessage().contains("flatten()"), e.getMessage());
    EncoderSpec.Builder b = EncoderSpec.builder(ExampleShape.vector(4)).dense(2);
    b.build();
    assertThrows(IllegalStateException.class, b::build);
    assertThrows(IllegalStateException.class, () -> b.dense(3));
  }

  @Test
  void badLayerSettingsNameTheValue() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> EncoderSpec.builder(MNIST).conv2d(0, 3));
    assertTrue(e.getMessage().contains("got 0"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> new DenseLayer(-1));
    assertThrows(IllegalArgumentException.class, () -> new MaxPoolLayer(2, 0));
    assertThrows(NullPointerException.class, () -> EncoderSpec.builder(null));
  }

  @Test
  void specsAreValuesComparedByLayers() {
    EncoderSpec a = EncoderSpec.conv4(MNIST, 32);
    assertEquals(a, EncoderSpec.conv4(MNIST, 32));
    assertEquals(a.hashCode(), EncoderSpec.conv4(MNIST, 32).hashCode());
    assertNotEquals(a, EncoderSpec.conv4(MNIST, 64));
    assertThrows(UnsupportedOperationException.class, () -> a.layers().add(new FlattenLayer()));
    assertEquals(List.of(a.layers().get(0)), List.of(new Conv2dLayer(32, 3, 1, Padding.SAME)));
  }

  @Test
  void forwardFlopsCountTheMultiplyAddsOfConvolutionsAndDenseLayers() {
    // The reference figures of ../shared/docs/BENCHMARKS.md.
    assertEquals(19_630_080L, EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 64).forwardFlopsPerExample());
    assertEquals(1_817_247_744L, EncoderSpec.koch(ExampleShape.image(105, 105, 1)).forwardFlopsPerExample());
    // One ResNet-12 block at 8x8x3 -> 4x4x5, by hand: 2 * 64 * (9*3*5 + 2*9*5*5 + 3*5).
    assertEquals(2L * 64 * (135 + 450 + 15), EncoderSpec.builder(ExampleShape.image(8, 8, 3)).resnet12Block(5).flatten().build().forwardFlopsPerExample());
    // A whole ResNet-12, widths 2-3-4-5 at 28x28x1: block k at side s with c in and f out channels
    // costs 2 s^2 (9cf + 18f^2 + cf).
    long resnet = 2L * 784 * (9 * 1 * 2 + 18 * 4 + 1 * 2)
        + 2L * 196 * (9 * 2 * 3 + 18 * 9 + 2 * 3)
        + 2L * 49 * (9 * 3 * 4 + 18 * 16 + 3 * 4)
        + 2L * 9 * (9 * 4 * 5 + 18 * 25 + 4 * 5);
    assertEquals(resnet, EncoderSpec.resnet12(ExampleShape.image(28, 28, 1), 2, 3, 4, 5).forwardFlopsPerExample());
    assertEquals(2L * 784 * 10, EncoderSpec.builder(ExampleShape.image(28, 28, 1)).flatten().dense(10).build().forwardFlopsPerExample());
  }
}
