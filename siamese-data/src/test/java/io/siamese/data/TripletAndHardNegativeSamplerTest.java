package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class TripletAndHardNegativeSamplerTest {

  @Property(tries = 200)
  void tripletsAreValid(
      @ForAll @Size(min = 2, max = 10) List<@IntRange(min = 1, max = 5) Integer> classSizes,
      @ForAll @IntRange(min = 1, max = 60) int size,
      @ForAll long seed) {
    Assume.that(classSizes.stream().anyMatch(s -> s >= 2));
    LabeledDataset data =
        TestData.indexed(classSizes.stream().mapToInt(Integer::intValue).toArray(), seed);
    TripletSampler sampler = TripletSampler.of(data, seed);
    for (int round = 0; round < 3; round++) {
      TripletBatch batch = sampler.next(size);
      assertEquals(size, batch.size());
      for (int t = 0; t < size; t++) {
        int a = batch.anchor(t);
        assertEquals(data.label(a), data.label(batch.positive(t)), "triplet " + t);
        assertNotEquals(a, batch.positive(t), "triplet " + t + " repeats its anchor");
        assertNotEquals(data.label(a), data.label(batch.negative(t)), "triplet " + t);
      }
    }
  }

  @Test
  void tripletsAreSeededAndChecked() {
    LabeledDataset data = TestData.uniform(6, 3);
    TripletBatch x = TripletSampler.of(data, 3).next(40);
    TripletBatch y = TripletSampler.of(data, 3).next(40);
    assertArrayEquals(x.anchorIndices(), y.anchorIndices());
    assertArrayEquals(x.positiveIndices(), y.positiveIndices());
    assertArrayEquals(x.negativeIndices(), y.negativeIndices());
    assertTrue(
        !Arrays.equals(x.anchorIndices(), TripletSampler.of(data, 4).next(40).anchorIndices()));
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> TripletSampler.of(TestData.uniform(1, 4), 1),
        "at least 2 classes, got 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> TripletSampler.of(TestData.uniform(3, 1), 1),
        "each of the 3 classes has 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> TripletSampler.of(data, 1).next(0),
        "triplets must be > 0, got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> new TripletBatch(new int[1], new int[2], new int[1]),
        "1, 2 and 1");
  }

  /** Embeddings on a line: example i sits at {@code position[i]}. */
  private static float[][] line(float[] position) {
    float[][] e = new float[position.length][];
    for (int i = 0; i < position.length; i++) {
      e[i] = new float[] {position[i], 0};
    }
    return e;
  }

  @Property(tries = 100)
  void hardNegativesAreValidAndNoFartherThanRandomOnes(
      @ForAll @Size(min = 2, max = 8) List<@IntRange(min = 1, max = 6) Integer> classSizes,
      @ForAll @IntRange(min = 1, max = 16) int candidates,
      @ForAll long seed) {
    Assume.that(classSizes.stream().anyMatch(s -> s >= 2));
    LabeledDataset data =
        TestData.indexed(classSizes.stream().mapToInt(Integer::intValue).toArray(), seed);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    float[] position = new float[data.size()];
    for (int i = 0; i < position.length; i++) {
      position[i] = (float) rng.nextDouble();
    }
    PairDistance distance = PairDistance.squaredEuclidean(line(position));
    HardNegativePairSampler sampler =
        HardNegativePairSampler.builder(data)
            .distance(distance)
            .candidates(candidates)
            .seed(seed)
            .build();
    PairBatch batch = sampler.next(50);
    assertEquals(25, batch.positives());
    for (int p = 0; p < batch.size(); p++) {
      if (batch.isSame(p)) {
        assertEquals(data.label(batch.left(p)), data.label(batch.right(p)));
        assertNotEquals(batch.left(p), batch.right(p));
      } else {
        assertNotEquals(data.label(batch.left(p)), data.label(batch.right(p)));
      }
    }
  }

  @Test
  void moreCandidatesGiveCloserNegatives() {
    LabeledDataset data = TestData.uniform(20, 5);
    java.util.SplittableRandom rng = new java.util.SplittableRandom(1);
    float[] position = new float[data.size()];
    for (int i = 0; i < position.length; i++) {
      position[i] = (float) rng.nextDouble();
    }
    PairDistance distance = PairDistance.squaredEuclidean(line(position));
    double random = meanNegativeDistance(data, distance, 1);
    double hard = meanNegativeDistance(data, distance, 16);
    // Uniform points: a random partner is ~1/6 away (squared), the nearest of 16 far closer.
    assertTrue(hard < random / 4, "hard " + hard + " vs random " + random);
    assertEquals(1.0 / 6, random, 0.03);
  }

  private static double meanNegativeDistance(
      LabeledDataset data, PairDistance distance, int candidates) {
    HardNegativePairSampler sampler =
        HardNegativePairSampler.builder(data)
            .distance(distance)
            .candidates(candidates)
            .positiveFraction(0.1)
            .seed(7)
            .build();
    double sum = 0;
    int n = 0;
    for (int round = 0; round < 20; round++) {
      PairBatch batch = sampler.next(100);
      for (int p = 0; p < batch.size(); p++) {
        if (!batch.isSame(p)) {
          sum += distance.distance(batch.left(p), batch.right(p));
          n++;
        }
      }
    }
    return sum / n;
  }

  @Test
  void hardNegativeSamplerIsSeededAndChecksItsSettings() {
    LabeledDataset data = TestData.uniform(5, 3);
    PairDistance d = (i, j) -> Math.abs(i - j);
    PairBatch x = HardNegativePairSampler.builder(data).distance(d).seed(2).build().next(30);
    PairBatch y = HardNegativePairSampler.builder(data).distance(d).seed(2).build().next(30);
    assertArrayEquals(x.leftIndices(), y.leftIndices());
    assertArrayEquals(x.rightIndices(), y.rightIndices());
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> HardNegativePairSampler.builder(data).build(),
        "the distance must be set");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> HardNegativePairSampler.builder(data).distance(d).candidates(0).build(),
        "candidates must be >= 1, got 0");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> HardNegativePairSampler.builder(data).distance((i, j) -> Double.NaN).build().next(10),
        "must be finite and >= 0, got NaN");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> PairDistance.squaredEuclidean(new float[][] {{1, 2}, {3}}),
        "embedding row 1 has length 1, row 0 has 2");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> PairDistance.squaredEuclidean(new float[][] {{1, Float.NaN}}),
        "embedding 0, component 1 is NaN");
    assertEquals(
        25.0, PairDistance.squaredEuclidean(new float[][] {{0, 0}, {3, 4}}).distance(0, 1), 1e-12);
  }
}
