package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SyntheticGlyphsTest {

  private static LabeledDataset glyphs(int classes, int examples, long seed) {
    return SyntheticGlyphs.builder()
        .classes(classes)
        .examplesPerClass(examples)
        .seed(seed)
        .build()
        .generate();
  }

  @Test
  void shapeLabelsAndLayout() {
    LabeledDataset d =
        SyntheticGlyphs.builder().classes(7).examplesPerClass(3).imageSize(20).build().generate();
    assertEquals(ExampleShape.image(20, 20, 1), d.shape());
    assertEquals(21, d.size());
    assertArrayEquals(new int[] {0, 1, 2, 3, 4, 5, 6}, d.classes());
    for (int i = 0; i < d.size(); i++) {
      assertEquals(i / 3, d.label(i), "label of example " + i);
    }
  }

  @Test
  void defaultsAreDocumented() {
    SyntheticGlyphs g = SyntheticGlyphs.builder().build();
    assertEquals(SyntheticGlyphs.DEFAULT_CLASSES, g.classes());
    assertEquals(20, g.examplesPerClass());
    assertEquals(28, g.imageSize());
    assertEquals(0L, g.seed());
    assertEquals(2, g.minStrokesPerClass());
    assertEquals(4, g.maxStrokesPerClass());
    assertEquals(GlyphJitter.defaults(), g.jitter());
    assertEquals(ExampleShape.image(28, 28, 1), g.shape());
  }

  @Test
  void sameSettingsAndSeedGiveIdenticalData() {
    LabeledDataset a = glyphs(12, 5, 77);
    LabeledDataset b = glyphs(12, 5, 77);
    for (int i = 0; i < a.size(); i++) {
      assertArrayEquals(a.features(i), b.features(i), "example " + i);
    }
  }

  @Test
  void differentSeedsGiveDifferentGlyphs() {
    LabeledDataset a = glyphs(12, 5, 77);
    LabeledDataset b = glyphs(12, 5, 78);
    int differing = 0;
    for (int i = 0; i < a.size(); i++) {
      if (!Arrays.equals(a.features(i), b.features(i))) {
        differing++;
      }
    }
    assertEquals(a.size(), differing);
  }

  @Test
  void pixelsAreInUnitRangeWithInkAndBackground() {
    for (int size : new int[] {28, 64}) {
      LabeledDataset d =
          SyntheticGlyphs.builder()
              .classes(30)
              .examplesPerClass(4)
              .imageSize(size)
              .seed(size)
              .build()
              .generate();
      float datasetMax = 0;
      for (int i = 0; i < d.size(); i++) {
        InkCount ink = InkCount.of(d.features(i));
        String where = size + "px example " + i;
        // A 1-pixel pen between pixel centres never reaches full ink, but comes close.
        assertTrue(ink.max >= 0.9f, where + " has no near-full ink pixel, max " + ink.max);
        // Strokes, not blobs: a stroke's length of ink, and most of the image stays background.
        assertTrue(ink.inked >= size / 2, where + " has only " + ink.inked + " inked pixels");
        assertTrue(ink.blank > size * size / 2, where + " has only " + ink.blank + " blank pixels");
        datasetMax = Math.max(datasetMax, ink.max);
      }
      assertEquals(1f, datasetMax, size + "px: ink should reach 1 somewhere");
    }
  }

  @Test
  void smallestImagesStillHoldVisibleStrokes() {
    LabeledDataset d =
        SyntheticGlyphs.builder()
            .classes(30)
            .examplesPerClass(4)
            .imageSize(8)
            .seed(8)
            .build()
            .generate();
    for (int i = 0; i < d.size(); i++) {
      InkCount ink = InkCount.of(d.features(i));
      // The pen never drops below one pixel, so strokes stay visible rather than fading out.
      assertTrue(ink.max > 0.5f, "8px example " + i + " is faint, max " + ink.max);
      assertTrue(ink.blank > 0, "8px example " + i + " has no background");
    }
  }

  /** Ink statistics of one image; fails on a pixel outside [0, 1]. */
  private record InkCount(float max, int inked, int blank) {
    static InkCount of(float[] image) {
      float max = 0;
      int inked = 0;
      int blank = 0;
      for (float v : image) {
        assertTrue(v >= 0f && v <= 1f, "pixel value " + v);
        max = Math.max(max, v);
        inked += v >= 0.5f ? 1 : 0;
        blank += v == 0f ? 1 : 0;
      }
      return new InkCount(max, inked, blank);
    }
  }

  @Test
  void noJitterDrawsEveryExampleAsThePrototype() {
    SyntheticGlyphs g =
        SyntheticGlyphs.builder()
            .classes(6)
            .examplesPerClass(4)
            .jitter(GlyphJitter.none())
            .seed(3)
            .build();
    LabeledDataset d = g.generate();
    for (int c = 0; c < 6; c++) {
      float[] prototype = g.prototype(c);
      for (int i : d.indicesOfClass(c)) {
        assertArrayEquals(prototype, d.features(i), "class " + c + " example " + i);
      }
    }
  }

  @Test
  void defaultJitterMakesExamplesOfAClassDiffer() {
    LabeledDataset d = glyphs(6, 4, 3);
    for (int c = 0; c < 6; c++) {
      int[] members = d.indicesOfClass(c);
      assertFalse(Arrays.equals(d.features(members[0]), d.features(members[1])), "class " + c);
    }
  }

  @Test
  void moreExamplesOrClassesExtendWithoutChangingExistingOnes() {
    LabeledDataset small = glyphs(5, 3, 11);
    LabeledDataset moreExamples = glyphs(5, 8, 11);
    LabeledDataset moreClasses = glyphs(9, 3, 11);
    for (int c = 0; c < 5; c++) {
      for (int e = 0; e < 3; e++) {
        float[] expected = small.features(c * 3 + e);
        assertArrayEquals(
            expected, moreExamples.features(c * 8 + e), "class " + c + " example " + e);
        assertArrayEquals(
            expected, moreClasses.features(c * 3 + e), "class " + c + " example " + e);
      }
    }
    SyntheticGlyphs a = SyntheticGlyphs.builder().classes(5).examplesPerClass(3).seed(11).build();
    SyntheticGlyphs b = SyntheticGlyphs.builder().classes(5).examplesPerClass(8).seed(11).build();
    for (int c = 0; c < 5; c++) {
      assertArrayEquals(a.prototype(c), b.prototype(c), "prototype of class " + c);
    }
  }

  @Test
  void classesAreSeparableButNotIdentical() {
    // Leave-one-out nearest neighbour on raw pixels: far above chance (1/20) when classes differ
    // more than drawings of one class do, though jitter keeps it from being perfect.
    int classes = 20;
    for (long seed = 0; seed < 2; seed++) {
      LabeledDataset d = glyphs(classes, 8, seed);
      float[][] x = new float[d.size()][];
      for (int i = 0; i < x.length; i++) {
        x[i] = d.features(i);
      }
      double intra = 0;
      double inter = 0;
      int intraCount = 0;
      int interCount = 0;
      int correct = 0;
      for (int i = 0; i < x.length; i++) {
        double best = Double.POSITIVE_INFINITY;
        int bestLabel = -1;
        for (int j = 0; j < x.length; j++) {
          if (i == j) {
            continue;
          }
          double dist = Math.sqrt(squaredDistance(x[i], x[j]));
          if (d.label(i) == d.label(j)) {
            intra += dist;
            intraCount++;
          } else {
            inter += dist;
            interCount++;
          }
          if (dist < best) {
            best = dist;
            bestLabel = d.label(j);
          }
        }
        correct += bestLabel == d.label(i) ? 1 : 0;
      }
      double meanIntra = intra / intraCount;
      double meanInter = inter / interCount;
      double accuracy = correct / (double) x.length;
      assertTrue(
          meanIntra < 0.95 * meanInter,
          "seed " + seed + ": intra-class distance " + meanIntra + " vs inter-class " + meanInter);
      assertTrue(accuracy > 0.6, "seed " + seed + ": nearest-neighbour accuracy " + accuracy);
      assertTrue(meanIntra > 0, "seed " + seed + ": jittered examples should not coincide");
    }
  }

  @Test
  void generatesTheDefaultDatasetQuickly() {
    SyntheticGlyphs g = SyntheticGlyphs.builder().classes(100).examplesPerClass(20).build();
    g.generate(); // warm-up, so the bound below measures the generator, not class loading
    long start = System.nanoTime();
    LabeledDataset d = g.generate();
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(2000, d.size());
    // Generous for slow CI machines; it takes tens of milliseconds on a laptop.
    assertTrue(seconds < 2.0, "generating 100 x 20 glyphs took " + seconds + " s");
  }

  @Test
  void rejectsBadSettingsNamingThem() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> SyntheticGlyphs.builder().classes(1).build(),
        "classes must be >= 2, got 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> SyntheticGlyphs.builder().examplesPerClass(1).build(),
        "examplesPerClass must be >= 2, got 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> SyntheticGlyphs.builder().imageSize(7).build(),
        "imageSize must be >= 8",
        "got 7");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> SyntheticGlyphs.builder().strokesPerClass(3, 2).build(),
        "min 3 and max 2");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> SyntheticGlyphs.builder().strokesPerClass(0, 2).build(),
        "min 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> SyntheticGlyphs.builder().classes(100_000).examplesPerClass(1000).build(),
        "100000 classes x 1000 examples");
    assertThrowsWithMessage(
        NullPointerException.class, () -> SyntheticGlyphs.builder().jitter(null), "jitter");
    SyntheticGlyphs g = SyntheticGlyphs.builder().classes(3).build();
    assertThrowsWithMessage(IndexOutOfBoundsException.class, () -> g.prototype(3), "class label");
  }

  @Test
  void strokeCountSettingChangesTheGlyphs() {
    // One stroke per class inks less than up to six: the setting reaches the renderer.
    LabeledDataset sparse =
        SyntheticGlyphs.builder()
            .classes(20)
            .examplesPerClass(2)
            .strokesPerClass(1, 1)
            .build()
            .generate();
    LabeledDataset dense =
        SyntheticGlyphs.builder()
            .classes(20)
            .examplesPerClass(2)
            .strokesPerClass(5, 6)
            .build()
            .generate();
    assertTrue(totalInk(sparse) * 2 < totalInk(dense));
  }

  private static double totalInk(LabeledDataset d) {
    double ink = 0;
    for (int i = 0; i < d.size(); i++) {
      for (float v : d.features(i)) {
        ink += v;
      }
    }
    return ink;
  }

  private static double squaredDistance(float[] a, float[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      double diff = a[k] - b[k];
      s += diff * diff;
    }
    return s;
  }
}
