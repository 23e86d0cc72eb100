package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PkBatchSamplerTest {

  /** Verifies one batch: P distinct classes, K examples each with their labels, a positive pair. */
  static void checkBatch(LabeledDataset data, PkBatch batch, int p, int k) {
    assertEquals(p * k, batch.size());
    int[] classes = batch.classes();
    assertEquals(
        p, Arrays.stream(classes).distinct().count(), "classes " + Arrays.toString(classes));
    boolean positivePair = false;
    for (int c = 0; c < p; c++) {
      Set<Integer> distinct = new HashSet<>();
      for (int j = 0; j < k; j++) {
        int i = batch.index(c * k + j);
        assertEquals(classes[c], data.label(i), "slot " + (c * k + j));
        assertEquals(classes[c], batch.label(c * k + j));
        distinct.add(i);
      }
      int n = data.countOfClass(classes[c]);
      // Duplicates only when the class is smaller than K, and then all its examples are present.
      assertEquals(Math.min(n, k), distinct.size(), "class " + classes[c] + " of size " + n);
      positivePair |= distinct.size() >= 2;
    }
    assertTrue(positivePair, "no positive pair");
  }

  @Property(tries = 200)
  void everyBatchIsValidAndConsecutiveBatchesShareNoClass(
      @ForAll @Size(min = 1, max = 14) List<@IntRange(min = 1, max = 9) Integer> classSizes,
      @ForAll @IntRange(min = 1, max = 5) int p,
      @ForAll @IntRange(min = 2, max = 4) int k,
      @ForAll long seed) {
    int[] sizes = classSizes.stream().mapToInt(Integer::intValue).toArray();
    long eligible = Arrays.stream(sizes).filter(s -> s >= 2).count();
    Assume.that(eligible >= p);
    LabeledDataset data = TestData.indexed(sizes, seed);
    PkBatchSampler sampler =
        PkBatchSampler.builder(data).classesPerBatch(p).examplesPerClass(k).seed(seed).build();
    int[] previous = new int[0];
    for (int round = 0; round < 12; round++) {
      PkBatch batch = sampler.next();
      checkBatch(data, batch, p, k);
      int[] classes = batch.classes();
      Set<Integer> before = new HashSet<>();
      Arrays.stream(previous).forEach(before::add);
      if (eligible >= 2L * p) {
        for (int c : classes) {
          assertFalse(before.contains(c), "class " + c + " in consecutive batches");
        }
      } else {
        // Fewer than 2P classes: only as many repeats as needed to reach P.
        long repeats = Arrays.stream(classes).filter(before::contains).count();
        assertTrue(repeats <= Math.max(0, 2L * p - eligible), repeats + " repeats");
      }
      previous = classes;
    }
  }

  /**
   * With every class holding the same multiple of K examples, at least 2P classes and a whole
   * number of batches per epoch, each epoch's batches show every example exactly once. (With very
   * uneven classes exact epochs can be impossible: a class needing 3 of 5 batches cannot avoid
   * consecutive ones; {@link #unevenClassesStillCoverEveryExampleWithinTwoEpochs} covers those.)
   */
  @Property(tries = 200)
  void coversEveryExampleOncePerEpochWhenClassSizesAreMultiplesOfK(
      @ForAll @IntRange(min = 1, max = 4) int p,
      @ForAll @IntRange(min = 2, max = 4) int k,
      @ForAll @IntRange(min = 0, max = 9) int extraClasses,
      @ForAll @IntRange(min = 1, max = 3) int multiple,
      @ForAll long seed) {
    int classes = 2 * p + extraClasses;
    int[] sizes = new int[classes];
    Arrays.fill(sizes, k * multiple);
    long appearances = (long) classes * multiple;
    Assume.that(appearances % p == 0);
    LabeledDataset data = TestData.indexed(sizes, seed);
    PkBatchSampler sampler =
        PkBatchSampler.builder(data).classesPerBatch(p).examplesPerClass(k).seed(seed).build();
    int batches = sampler.batchesPerEpoch();
    assertEquals(appearances / p, batches);
    for (int epoch = 0; epoch < 2; epoch++) {
      int[] seen = new int[data.size()];
      for (int b = 0; b < batches; b++) {
        for (int i : sampler.next().indices()) {
          seen[i]++;
        }
      }
      for (int i = 0; i < seen.length; i++) {
        assertEquals(
            1,
            seen[i],
            "example " + i + " in epoch " + epoch + " of sizes " + Arrays.toString(sizes));
      }
    }
  }

  @Test
  void unevenClassesStillCoverEveryExampleWithinTwoEpochs() {
    LabeledDataset data = TestData.indexed(new int[] {5, 7, 2, 9, 3, 4, 6, 8}, 3);
    PkBatchSampler sampler =
        PkBatchSampler.builder(data).classesPerBatch(3).examplesPerClass(4).seed(5).build();
    boolean[] seen = new boolean[data.size()];
    for (int b = 0; b < 2 * sampler.batchesPerEpoch(); b++) {
      PkBatch batch = sampler.next();
      checkBatch(data, batch, 3, 4);
      for (int i : batch.indices()) {
        seen[i] = true;
      }
    }
    for (int i = 0; i < seen.length; i++) {
      assertTrue(seen[i], "example " + i + " never drawn");
    }
  }

  @Test
  void singletonClassesAreSkippedAndSmallClassesFillWithReplacement() {
    LabeledDataset data = TestData.indexed(new int[] {1, 2, 3, 1, 2}, 8);
    PkBatchSampler sampler =
        PkBatchSampler.builder(data).classesPerBatch(3).examplesPerClass(4).seed(1).build();
    for (int b = 0; b < 20; b++) {
      PkBatch batch = sampler.next();
      checkBatch(data, batch, 3, 4);
      for (int c : batch.classes()) {
        assertTrue(data.countOfClass(c) >= 2, "singleton class " + c + " drawn");
      }
    }
  }

  @Test
  void sameSeedSameBatchesOtherSeedDiffers() {
    LabeledDataset data = TestData.uniform(12, 8);
    PkBatchSampler a =
        PkBatchSampler.builder(data).classesPerBatch(4).examplesPerClass(2).seed(9).build();
    PkBatchSampler b =
        PkBatchSampler.builder(data).classesPerBatch(4).examplesPerClass(2).seed(9).build();
    PkBatchSampler c =
        PkBatchSampler.builder(data).classesPerBatch(4).examplesPerClass(2).seed(10).build();
    boolean differs = false;
    for (int i = 0; i < 10; i++) {
      int[] x = a.next().indices();
      assertArrayEquals(x, b.next().indices());
      differs |= !Arrays.equals(x, c.next().indices());
    }
    assertTrue(differs);
    assertEquals(8, a.batchSize());
    assertEquals(12 * 4 / 4, a.batchesPerEpoch());
  }

  @Test
  void rejectsImpossibleSettings() {
    LabeledDataset data = TestData.indexed(new int[] {3, 3, 1}, 2);
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> PkBatchSampler.builder(data).classesPerBatch(3).build(),
        "P = 3 need 3 classes with at least 2 examples, but only 2 of the 3 classes");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> PkBatchSampler.builder(data).classesPerBatch(2).examplesPerClass(1).build(),
        "examplesPerClass must be >= 2",
        "got 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> PkBatchSampler.builder(data).classesPerBatch(0).build(),
        "classesPerBatch must be >= 1, got 0");
  }
}
