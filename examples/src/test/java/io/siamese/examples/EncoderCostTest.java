package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import org.junit.jupiter.api.Test;

class EncoderCostTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  @Test
  void conv4CostsWhatTheBenchmarksCount() {
    // The figure siamese-bench's Flops gives for Conv-4 at 28x28x1, 64 filters: 19,630,080.
    assertEquals(19_630_080L, EncoderCost.forwardFlops(EncoderSpec.conv4(SHAPE, 64, true)));
  }

  @Test
  void aResNet12BlockIsThreeConvolutionsAndAShortcutAtItsInputResolution() {
    // By hand, widths 2-3-4-5 at 28x28x1: block k at side s with c in and f out channels costs
    // 2 s^2 (9cf + 18f^2 + cf).
    long expected = 2L * 784 * (9 * 1 * 2 + 18 * 4 + 1 * 2)
        + 2L * 196 * (9 * 2 * 3 + 18 * 9 + 2 * 3)
        + 2L * 49 * (9 * 3 * 4 + 18 * 16 + 3 * 4)
        + 2L * 9 * (9 * 4 * 5 + 18 * 25 + 4 * 5);
    assertEquals(expected, EncoderCost.forwardFlops(EncoderSpec.resnet12(SHAPE, 2, 3, 4, 5)));
  }

  @Test
  void aDenseHeadAddsTwiceItsWeights() {
    EncoderSpec withHead = EncoderSpec.builder(SHAPE).flatten().dense(10).build();
    assertEquals(2L * 784 * 10, EncoderCost.forwardFlops(withHead));
  }
}
