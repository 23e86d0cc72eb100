package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws pair batches whose negatives are hard: for each negative pair an anchor is drawn (class
 * uniformly, then an example of it uniformly), then {@link Builder#candidates(int) candidates}
 * examples of other classes are drawn as a {@link BalancedPairSampler} would draw a negative
 * partner, and the candidate nearest the anchor under a {@link PairDistance} is kept (ties go to
 * the first drawn). One candidate gives plain random negatives; more make them harder. The cost is
 * {@code candidates} distance calls per negative pair, never a pass over the dataset.
 *
 * <p>Positive pairs are drawn as by {@link BalancedPairSampler}; each batch holds {@code
 * round(pairs * positiveFraction)} of them, shuffled among the negatives.
 *
 * <p>Seeded with {@link SplittableRandom}: the same dataset, distance and seed give the same
 * sequence of batches on every machine. Stateful and not thread-safe; the dataset and the distance
 * are shared, not copied.
 */
public final class HardNegativePairSampler implements PairSampler {
  private final LabeledDataset data;
  private final PairDistance distance;
  private final double positiveFraction;
  private final int candidates;
  private final int[] classes;
  private final int[] pairableClasses;
  private final SplittableRandom rng;

  private HardNegativePairSampler(Builder b) {
    this.data = b.data;
    this.distance = b.distance;
    this.positiveFraction = b.positiveFraction;
    this.candidates = b.candidates;
    this.classes = b.data.classes();
    this.pairableClasses =
        Arrays.stream(classes).filter(c -> b.data.countOfClass(c) >= 2).toArray();
    this.rng = new SplittableRandom(b.seed);
  }

  /**
   * A builder over {@code data}: seed 0, positive fraction 0.5, 8 candidates per negative; the
   * distance must be set.
   */
  public static Builder builder(LabeledDataset data) {
    return new Builder(checkNotNull(data, "data"));
  }

  @Override
  public LabeledDataset dataset() {
    return data;
  }

  /** Share of positive pairs per batch, in {@code (0, 1)}. */
  public double positiveFraction() {
    return positiveFraction;
  }

  /** Candidate negatives drawn per negative pair, {@code >= 1}. */
  public int candidates() {
    return candidates;
  }

  /**
   * The next batch: {@code round(pairs * positiveFraction())} positive pairs and the rest hard
   * negatives, in random order.
   *
   * @param pairs number of pairs, {@code > 0}
   * @throws IllegalArgumentException if {@code pairs <= 0}
   * @throws IllegalStateException if the distance returns NaN, an infinity or a negative value
   */
  @Override
  public PairBatch next(int pairs) {
    checkArgument(pairs > 0, "pairs must be > 0, got %s", pairs);
    int positives = (int) Math.round(pairs * positiveFraction);
    int[] left = new int[pairs];
    int[] right = new int[pairs];
    boolean[] same = new boolean[pairs];
    int[] two = new int[2];
    for (int p = 0; p < pairs; p++) {
      if (p < positives) {
        Draws.twoDistinct(
            data.indicesOfClassShared(pairableClasses[rng.nextInt(pairableClasses.length)]), rng, two);
        left[p] = two[0];
        right[p] = two[1];
        same[p] = true;
      } else {
        int a = rng.nextInt(classes.length);
        int[] own = data.indicesOfClassShared(classes[a]);
        int anchor = own[rng.nextInt(own.length)];
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int k = 0; k < candidates; k++) {
          int b = Draws.otherThan(a, classes.length, rng);
          int[] other = data.indicesOfClassShared(classes[b]);
          int candidate = other[rng.nextInt(other.length)];
          double d = distance.distance(anchor, candidate);
          checkState(
              d >= 0 && d < Double.POSITIVE_INFINITY,
              "distance(%s, %s) must be finite and >= 0, got %s",
              anchor,
              candidate,
              d);
          if (d < bestDistance) {
            bestDistance = d;
            best = candidate;
          }
        }
        left[p] = anchor;
        right[p] = best;
      }
    }
    Draws.shufflePairs(left, right, same, rng);
    return new PairBatch(left, right, same);
  }

  @Override
  public String toString() {
    return "HardNegativePairSampler["
        + data
        + ", positive fraction "
        + positiveFraction
        + ", "
        + candidates
        + " candidates per negative]";
  }

  /** Collects {@link HardNegativePairSampler} settings; {@link #build()} validates them. */
  public static final class Builder {
    private final LabeledDataset data;
    private PairDistance distance;
    private long seed = 0;
    private double positiveFraction = 0.5;
    private int candidates = 8;

    private Builder(LabeledDataset data) {
      this.data = data;
    }

    /** How far apart two examples are; required. See {@link PairDistance#squaredEuclidean}. */
    public Builder distance(PairDistance distance) {
      checkNotNull(distance, "distance");
      checkState(this.distance == null, "distance was already set to %s", this.distance);
      this.distance = distance;
      return this;
    }

    /** Fixes the sequence of batches; default 0. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /** Share of positive pairs per batch, in {@code (0, 1)}; default 0.5. */
    public Builder positiveFraction(double positiveFraction) {
      this.positiveFraction = positiveFraction;
      return this;
    }

    /** Candidate negatives drawn per negative pair, {@code >= 1}; default 8. */
    public Builder candidates(int candidates) {
      this.candidates = candidates;
      return this;
    }

    /**
     * The sampler.
     *
     * @throws IllegalArgumentException if the distance is unset, the positive fraction is not in
     *     {@code (0, 1)}, {@code candidates < 1}, or the data cannot form both kinds of pair
     */
    public HardNegativePairSampler build() {
      checkArgument(distance != null, "the distance must be set");
      checkArgument(
          positiveFraction > 0 && positiveFraction < 1,
          "positiveFraction must be in (0, 1), got %s",
          positiveFraction);
      checkArgument(candidates >= 1, "candidates must be >= 1, got %s", candidates);
      checkArgument(
          data.classCount() >= 2,
          "a hard-negative pair sampler needs at least 2 classes, got %s",
          data.classCount());
      checkArgument(
          Arrays.stream(data.classes()).anyMatch(c -> data.countOfClass(c) >= 2),
          "a hard-negative pair sampler needs a class with at least 2 examples to form positive"
              + " pairs, but each of the %s classes has 1",
          data.classCount());
      return new HardNegativePairSampler(this);
    }
  }
}
