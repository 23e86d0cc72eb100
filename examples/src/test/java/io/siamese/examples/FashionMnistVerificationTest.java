package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.data.ExampleShape;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FashionMnistVerificationTest {

  @Test
  void eachImageIsLeftAsItIsOrMirroredAndAboutHalfAreMirrored() {
    ExampleShape shape = ExampleShape.image(2, 3, 1);
    int n = 400;
    float[] batch = new float[n * 6];
    for (int i = 0; i < n; i++) {
      for (int p = 0; p < 6; p++) {
        batch[i * 6 + p] = 10 * i + p; // rows (0 1 2) (3 4 5), offset per image
      }
    }
    FashionMnistVerification.flipHalf(batch, n, shape, new SplittableRandom(3));
    int flipped = 0;
    for (int i = 0; i < n; i++) {
      float[] image = Arrays.copyOfRange(batch, i * 6, i * 6 + 6);
      float o = 10 * i;
      float[] same = {o, o + 1, o + 2, o + 3, o + 4, o + 5};
      float[] mirrored = {o + 2, o + 1, o, o + 5, o + 4, o + 3};
      if (Arrays.equals(image, mirrored)) {
        flipped++;
      } else {
        assertArrayEquals(same, image, "image " + i);
      }
    }
    assertTrue(flipped > 150 && flipped < 250, flipped + " of " + n + " flipped");
  }

  @Test
  void flippingAnOddWidthKeepsTheMiddleColumnAndEveryChannel() {
    // one row of three RGB pixels; the flip must move whole pixels
    float[] image = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    float[] batch = image.clone();
    SplittableRandom random = new SplittableRandom(0);
    while (Arrays.equals(batch, image)) {
      FashionMnistVerification.flipHalf(batch, 1, ExampleShape.image(1, 3, 3), random);
    }
    assertArrayEquals(new float[] {7, 8, 9, 4, 5, 6, 1, 2, 3}, batch);
  }
}
