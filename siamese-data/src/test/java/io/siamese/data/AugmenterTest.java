package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.data.Augmenter.Distortion;
import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class AugmenterTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  private static float[] glyphs(int count) {
    LabeledDataset d =
        SyntheticGlyphs.builder()
            .classes(Math.max(2, count))
            .examplesPerClass(2)
            .build()
            .generate();
    float[] batch = new float[count * SHAPE.size()];
    int[] indices = new int[count];
    for (int i = 0; i < count; i++) {
      indices[i] = 2 * i;
    }
    d.gather(indices, batch);
    return batch;
  }

  @Test
  void everythingOffOrProbabilityZeroLeavesImagesUnchanged() {
    float[] batch = glyphs(4);
    float[] copy = batch.clone();
    Augmenter.builder()
        .disable(Distortion.values())
        .componentProbability(1)
        .build()
        .apply(batch, 4, SHAPE, new SplittableRandom(1));
    assertArrayEquals(copy, batch);
    Augmenter.builder()
        .componentProbability(0)
        .build()
        .apply(batch, 4, SHAPE, new SplittableRandom(1));
    assertArrayEquals(copy, batch);
  }

  @Test
  void integerTranslationShiftsExactly() {
    float[] src = glyphs(1);
    float[] dst = new float[src.length];
    Augmenter.warp(src, 0, dst, 0, SHAPE, 1, 0, 0, 1, 3, -2);
    for (int y = 0; y < 28; y++) {
      for (int x = 0; x < 28; x++) {
        int sx = x - 3;
        int sy = y + 2;
        float expected = sx < 0 || sy >= 28 ? 0 : src[sy * 28 + sx];
        assertEquals(expected, dst[y * 28 + x], 1e-6, "pixel " + x + "," + y);
      }
    }
  }

  @Test
  void halfTurnFlipsBothAxesAndMultiChannelImagesShareTheTransform() {
    ExampleShape rgb = ExampleShape.image(5, 6, 2);
    float[] src = new float[rgb.size()];
    for (int i = 0; i < src.length; i++) {
      src[i] = i;
    }
    float[] dst = new float[src.length];
    Augmenter.warp(src, 0, dst, 0, rgb, -1, 0, 0, -1, 0, 0);
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 6; x++) {
        for (int k = 0; k < 2; k++) {
          assertEquals(src[((4 - y) * 6 + (5 - x)) * 2 + k], dst[(y * 6 + x) * 2 + k], 1e-4);
        }
      }
    }
  }

  @Test
  void bilinearHalfPixelShiftAveragesNeighbours() {
    ExampleShape row = ExampleShape.image(1, 4, 1);
    float[] src = {0, 2, 4, 8};
    float[] dst = new float[4];
    Augmenter.warp(src, 0, dst, 0, row, 1, 0, 0, 1, 0.5, 0);
    // Output x samples input x - 0.5: halfway between neighbours; left of 0 is background 0.
    // Row 0 is the only row, and the row below is background, but y maps to itself exactly.
    assertArrayEquals(new float[] {0, 1, 3, 6}, dst, 1e-6f);
  }

  @Property(tries = 30)
  void sameSeedSameOutputAndSourceUntouched(@ForAll long seed) {
    float[] src = glyphs(3);
    float[] original = src.clone();
    Augmenter aug = Augmenter.builder().componentProbability(1).build();
    float[] a = new float[src.length];
    float[] b = src.clone();
    aug.apply(src, a, 3, SHAPE, new SplittableRandom(seed));
    aug.apply(b, 3, SHAPE, new SplittableRandom(seed));
    assertArrayEquals(original, src);
    assertArrayEquals(a, b);
    assertFalse(Arrays.equals(a, src), "nothing changed");
    for (float v : a) {
      assertTrue(v >= -1e-6 && v <= 1 + 1e-6, "value " + v + " outside the input range");
    }
  }

  @Test
  void switchingOneDistortionOffKeepsTheOthersValues() {
    // Translation only, always on, versus translation plus a rotation of at most 0 degrees: the
    // draws line up, so the outputs agree.
    float[] src = glyphs(5);
    Augmenter translateOnly =
        Augmenter.builder()
            .disable(Distortion.ROTATION, Distortion.SHEAR, Distortion.SCALE)
            .componentProbability(1)
            .build();
    Augmenter withScaleOne =
        Augmenter.builder()
            .disable(Distortion.ROTATION, Distortion.SHEAR)
            .scale(1, 1)
            .componentProbability(1)
            .build();
    float[] a = src.clone();
    float[] b = src.clone();
    translateOnly.apply(a, 5, SHAPE, new SplittableRandom(3));
    withScaleOne.apply(b, 5, SHAPE, new SplittableRandom(3));
    assertArrayEquals(a, b);
    // And a different translation setting changes the result of the same draws.
    float[] c = src.clone();
    Augmenter.builder()
        .disable(Distortion.ROTATION, Distortion.SHEAR, Distortion.SCALE)
        .translation(4)
        .componentProbability(1)
        .build()
        .apply(c, 5, SHAPE, new SplittableRandom(3));
    assertFalse(Arrays.equals(a, c));
  }

  @Test
  void smallDistortionsKeepMostInk() {
    float[] src = glyphs(20);
    float[] dst = new float[src.length];
    Augmenter.koch2015().apply(src, dst, 20, SHAPE, new SplittableRandom(8));
    double before = 0;
    double after = 0;
    for (int i = 0; i < src.length; i++) {
      before += src[i];
      after += dst[i];
    }
    // Scale 0.8..1.2 per axis changes ink area by at most 0.64..1.44 in the extreme.
    assertTrue(after > 0.6 * before && after < 1.5 * before, before + " -> " + after);
  }

  @Test
  void rejectsBadSettingsAndBuffers() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Augmenter.builder().shear(1).build(),
        "shear must be in [0, 0.9], got 1.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Augmenter.builder().scale(1.2, 0.8).build(),
        "min 1.2 and max 0.8");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Augmenter.builder().rotation(200).build(),
        "got 200.0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Augmenter.builder().componentProbability(1.5).build(),
        "componentProbability must be in [0, 1], got 1.5");
    Augmenter aug = Augmenter.koch2015();
    float[] small = new float[10];
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> aug.apply(small, 1, SHAPE, new SplittableRandom(1)),
        "batch holds 10 floats, but 1 images of 28x28x1 need 784");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> aug.apply(small, 1, ExampleShape.vector(10), new SplittableRandom(1)),
        "needs an image shape, got [10]");
    float[] same = new float[784];
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> aug.apply(same, same, 1, SHAPE, new SplittableRandom(1)),
        "source and destination must differ");
  }
}
