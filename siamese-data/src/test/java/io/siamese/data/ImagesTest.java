package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ImagesTest {

  @Test
  void shrinkingFourByFourToTwoByTwoAveragesBlocks() {
    float[] src = {
      1, 2, 3, 4,
      5, 6, 7, 8,
      9, 10, 11, 12,
      13, 14, 15, 16
    };
    // Top-left block (1 + 2 + 5 + 6) / 4 = 3.5, and so on.
    assertArrayEquals(new float[] {3.5f, 5.5f, 11.5f, 13.5f}, Images.resizeArea(src, 4, 4, 2, 2));
  }

  @Test
  void shrinkingThreeToTwoWeighsFractionalPixels() {
    // Output cell 0 covers source [0, 1.5): pixel 0 fully, pixel 1 half: (a + b / 2) / 1.5.
    float[] src = {3, 6, 9};
    float[] out = Images.resizeArea(src, 1, 3, 1, 2);
    assertEquals((3 + 6 / 2.0) / 1.5, out[0], 1e-6);
    assertEquals((6 / 2.0 + 9) / 1.5, out[1], 1e-6);
    // And the same along the other axis.
    float[] column = Images.resizeArea(src, 3, 1, 2, 1);
    assertArrayEquals(out, column, 1e-6f);
  }

  @Test
  void enlargingRepeatsPixelsAndEqualSizesCopy() {
    float[] src = {1, 2, 3, 4};
    assertArrayEquals(
        new float[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4},
        Images.resizeArea(src, 2, 2, 4, 4));
    assertArrayEquals(src, Images.resizeArea(src, 2, 2, 2, 2));
    float[] dst = new float[7];
    Images.resizeArea(src, 0, 2, 2, dst, 3, 1, 1);
    assertEquals(2.5f, dst[3]);
    assertEquals(0f, dst[2]);
  }

  @Property(tries = 200)
  void resizePreservesTheMeanAndTheRange(
      @ForAll @IntRange(min = 1, max = 40) int sh,
      @ForAll @IntRange(min = 1, max = 40) int sw,
      @ForAll @IntRange(min = 1, max = 40) int dh,
      @ForAll @IntRange(min = 1, max = 40) int dw,
      @ForAll long seed) {
    SplittableRandom rng = new SplittableRandom(seed);
    float[] src = new float[sh * sw];
    double sum = 0;
    for (int i = 0; i < src.length; i++) {
      src[i] = (float) rng.nextDouble();
      sum += src[i];
    }
    float[] out = Images.resizeArea(src, sh, sw, dh, dw);
    double outSum = 0;
    for (float v : out) {
      outSum += v;
      assertEquals(0.5, v, 0.5 + 1e-5);
    }
    assertEquals(sum / src.length, outSum / out.length, 1e-5);
  }

  @Test
  void invertNormalizeAndStatistics() {
    float[] a = {0, 0.25f, 1, 7};
    Images.invert(a, 1, 2);
    assertArrayEquals(new float[] {0, 0.75f, 0, 7}, a);
    float[] b = {1, 3, 5, 7};
    double[] ms = Images.meanAndStd(b);
    assertEquals(4, ms[0], 1e-12);
    assertEquals(Math.sqrt((9 + 1 + 1 + 9) / 4.0), ms[1], 1e-12);
    Images.normalize(b, ms[0], ms[1]);
    double[] after = Images.meanAndStd(b);
    assertEquals(0, after[0], 1e-6);
    assertEquals(1, after[1], 1e-6);
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> Images.normalize(b, 0, 0), "std must be > 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Images.invert(b, 3, 2),
        "range [3, 3 + 2) is outside an array of 4 floats");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Images.resizeArea(b, 3, 3, 1, 1),
        "src holds 4 floats, too few for a 3x3 image");
  }

  @Test
  void grayscaleReadsGrayPaletteAndColourImages() {
    BufferedImage gray = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSample(0, 0, 0, 51);
    gray.getRaster().setSample(1, 0, 0, 255);
    assertArrayEquals(new float[] {0.2f, 1f}, Images.grayscale(gray), 1e-6f);

    BufferedImage binary = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_BINARY);
    binary.getRaster().setSample(1, 0, 0, 1); // index 1 is white in the default palette
    assertArrayEquals(new float[] {0, 1, 0}, Images.grayscale(binary), 1e-6f);

    IndexColorModel palette =
        new IndexColorModel(1, 2, new byte[] {(byte) 255, 0}, new byte[] {0, 0}, new byte[] {0, 0});
    BufferedImage red = new BufferedImage(1, 1, BufferedImage.TYPE_BYTE_BINARY, palette);
    assertArrayEquals(new float[] {0.299f}, Images.grayscale(red), 1e-6f);

    BufferedImage rgb = new BufferedImage(1, 1, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 0x00ff00);
    assertArrayEquals(new float[] {0.587f}, Images.grayscale(rgb), 1e-6f);
  }
}
