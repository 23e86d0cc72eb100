package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class BalancedPairSamplerTest {

  @Property(tries = 300)
  void batchesHaveExactlyTheRequestedPositivesAndCorrectPairs(
      @ForAll @Size(min = 2, max = 10) List<@IntRange(min = 1, max = 5) Integer> classSizes,
      @ForAll @IntRange(min = 1, max = 150) int pairs,
      @ForAll @DoubleRange(min = 0.01, max = 0.99) double positiveFraction,
      @ForAll long seed) {
    Assume.that(classSizes.stream().anyMatch(s -> s >= 2));
    LabeledDataset data =
        TestData.indexed(classSizes.stream().mapToInt(Integer::intValue).toArray(), seed);
    BalancedPairSampler sampler =
        BalancedPairSampler.builder(data).seed(seed).positiveFraction(positiveFraction).build();
    for (int round = 0; round < 3; round++) {
      PairBatch batch = sampler.next(pairs);
      assertEquals(pairs, batch.size());
      assertEquals(Math.round(pairs * positiveFraction), batch.positives());
      for (int p = 0; p < pairs; p++) {
        int l = batch.left(p);
        int r = batch.right(p);
        assertTrue(l >= 0 && l < data.size() && r >= 0 && r < data.size(), "pair " + p);
        if (batch.isSame(p)) {
          assertEquals(data.label(l), data.label(r), "positive pair " + p + " mixes classes");
          assertNotEquals(l, r, "positive pair " + p + " repeats example " + l);
        } else {
          assertNotEquals(data.label(l), data.label(r), "negative pair " + p + " is one class");
        }
      }
    }
  }

  @Test
  void sameSeedGivesSameBatchesAndOtherSeedsDiffer() {
    LabeledDataset data = TestData.uniform(8, 5);
    BalancedPairSampler a = BalancedPairSampler.of(data, 42);
    BalancedPairSampler b = BalancedPairSampler.of(data, 42);
    BalancedPairSampler c = BalancedPairSampler.of(data, 43);
    boolean anyDifference = false;
    for (int round = 0; round < 5; round++) {
      PairBatch x = a.next(32);
      PairBatch y = b.next(32);
      PairBatch z = c.next(32);
      assertArrayEquals(x.leftIndices(), y.leftIndices());
      assertArrayEquals(x.rightIndices(), y.rightIndices());
      assertArrayEquals(x.sameFlags(), y.sameFlags());
      anyDifference |= !Arrays.equals(x.leftIndices(), z.leftIndices());
    }
    assertTrue(anyDifference, "seeds 42 and 43 gave identical batches");
  }

  @Test
  void positiveClassesAreUniformWhateverTheirSizeAndSingletonsAreSkipped() {
    // Class sizes 1, 2, 40 and 3: class 0 cannot form a positive pair, the others should each get
    // about a third of the positives although class 2 holds most examples.
    LabeledDataset data = TestData.indexed(new int[] {1, 2, 40, 3}, 9);
    BalancedPairSampler sampler = BalancedPairSampler.of(data, 5);
    Map<Integer, Integer> positivesByClass = new HashMap<>();
    Map<Integer, Integer> negativeAppearances = new HashMap<>();
    int positives = 0;
    int negatives = 0;
    for (int round = 0; round < 20; round++) {
      PairBatch batch = sampler.next(300);
      for (int p = 0; p < batch.size(); p++) {
        if (batch.isSame(p)) {
          positivesByClass.merge(data.label(batch.left(p)), 1, Integer::sum);
          positives++;
        } else {
          negativeAppearances.merge(data.label(batch.left(p)), 1, Integer::sum);
          negativeAppearances.merge(data.label(batch.right(p)), 1, Integer::sum);
          negatives++;
        }
      }
    }
    assertFalse(positivesByClass.containsKey(TestData.labelOf(0)), "singleton class in a positive");
    for (int c = 1; c < 4; c++) {
      double share = positivesByClass.getOrDefault(TestData.labelOf(c), 0) / (double) positives;
      assertTrue(Math.abs(share - 1.0 / 3) < 0.04, "class " + c + " positive share " + share);
    }
    for (int c = 0; c < 4; c++) {
      // Each negative pair shows two of the four classes, so each class appears in half of them.
      double share = negativeAppearances.getOrDefault(TestData.labelOf(c), 0) / (double) negatives;
      assertTrue(Math.abs(share - 0.5) < 0.04, "class " + c + " negative share " + share);
    }
  }

  @Test
  void positivesAndNegativesAreShuffledTogether() {
    BalancedPairSampler sampler = BalancedPairSampler.of(TestData.uniform(5, 4), 3);
    boolean[] same = sampler.next(100).sameFlags();
    int positivesInFirstHalf = 0;
    for (int p = 0; p < 50; p++) {
      positivesInFirstHalf += same[p] ? 1 : 0;
    }
    // Unshuffled, the first half would be all 50 positives.
    assertTrue(positivesInFirstHalf > 10 && positivesInFirstHalf < 40, "" + positivesInFirstHalf);
  }

  @Test
  void defaultsAndAccessors() {
    LabeledDataset data = TestData.uniform(3, 2);
    BalancedPairSampler sampler = BalancedPairSampler.of(data, 1);
    assertSame(data, sampler.dataset());
    assertEquals(0.5, sampler.positiveFraction());
    assertEquals(2, sampler.next(4).positives());
    assertEquals(1, sampler.next(1).positives()); // round(0.5) = 1
  }

  @Test
  void rejectsDataThatCannotFormBothKindsOfPair() {
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> BalancedPairSampler.of(TestData.uniform(1, 6), 1),
        "needs at least 2 classes, got 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> BalancedPairSampler.of(TestData.uniform(4, 1), 1),
        "at least 2 examples",
        "4 classes");
    assertThrowsWithMessage(
        NullPointerException.class, () -> BalancedPairSampler.of(null, 1), "data");
  }

  @Test
  void rejectsBadFractionAndPairCount() {
    LabeledDataset data = TestData.uniform(3, 2);
    for (double bad : new double[] {0, 1, 1.5, Double.NaN}) {
      assertThrowsWithMessage(
          IllegalArgumentException.class,
          () -> BalancedPairSampler.builder(data).positiveFraction(bad).build(),
          "positiveFraction must be in (0, 1), got " + bad);
    }
    BalancedPairSampler sampler = BalancedPairSampler.of(data, 1);
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> sampler.next(0), "pairs must be > 0, got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> sampler.next(-3), "pairs must be > 0, got -3");
  }
}
