package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws batches with a fixed share of positive pairs (two different examples of one class) and
 * negative pairs (examples of two different classes), in shuffled order. Balancing matters because
 * pairs drawn uniformly at random from {@code C} classes are positive only about {@code 1/C} of the
 * time, too rarely to learn from.
 *
 * <p>A positive pair picks its class uniformly among the classes with at least 2 examples, then two
 * distinct examples of it uniformly. A negative pair picks two distinct classes uniformly, then one
 * example of each uniformly. Classes are weighted equally whatever their size.
 *
 * <p>Seeded with {@link SplittableRandom}: the same dataset and seed give the same sequence of
 * batches on every machine. Stateful and not thread-safe; the dataset is shared, not copied.
 */
public final class BalancedPairSampler implements PairSampler {
  private final LabeledDataset data;
  private final double positiveFraction;
  private final int[] classes;
  private final int[] pairableClasses;
  private final SplittableRandom rng;

  private BalancedPairSampler(Builder b) {
    this.data = b.data;
    this.positiveFraction = b.positiveFraction;
    this.classes = b.data.classes();
    this.pairableClasses =
        Arrays.stream(classes).filter(c -> b.data.countOfClass(c) >= 2).toArray();
    this.rng = new SplittableRandom(b.seed);
  }

  /**
   * A sampler of half positive, half negative pairs.
   *
   * @param data at least 2 classes, at least one of them with 2 or more examples
   * @param seed fixes the sequence of batches
   * @throws IllegalArgumentException if {@code data} cannot form both kinds of pair
   */
  public static BalancedPairSampler of(LabeledDataset data, long seed) {
    return builder(data).seed(seed).build();
  }

  /** A builder over {@code data}, with seed 0 and positive fraction 0.5. */
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

  /**
   * The next batch: {@code round(pairs * positiveFraction())} positive pairs and the rest negative,
   * in random order.
   *
   * @param pairs number of pairs, {@code > 0}
   * @throws IllegalArgumentException if {@code pairs <= 0}
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
        int b = Draws.otherThan(a, classes.length, rng);
        int[] first = data.indicesOfClassShared(classes[a]);
        int[] second = data.indicesOfClassShared(classes[b]);
        left[p] = first[rng.nextInt(first.length)];
        right[p] = second[rng.nextInt(second.length)];
      }
    }
    // Shuffle so that a consumer slicing a batch never sees only one kind of pair.
    Draws.shufflePairs(left, right, same, rng);
    return new PairBatch(left, right, same);
  }

  @Override
  public String toString() {
    return "BalancedPairSampler[" + data + ", positive fraction " + positiveFraction + "]";
  }

  /** Collects {@link BalancedPairSampler} settings; {@link #build()} validates them. */
  public static final class Builder {
    private final LabeledDataset data;
    private long seed = 0;
    private double positiveFraction = 0.5;

    private Builder(LabeledDataset data) {
      this.data = data;
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

    /**
     * The sampler.
     *
     * @throws IllegalArgumentException if the positive fraction is not in {@code (0, 1)}, the
     *     dataset has fewer than 2 classes, or no class has 2 examples
     */
    public BalancedPairSampler build() {
      checkArgument(
          positiveFraction > 0 && positiveFraction < 1,
          "positiveFraction must be in (0, 1), got %s",
          positiveFraction);
      checkArgument(
          data.classCount() >= 2,
          "a balanced pair sampler needs at least 2 classes, got %s (a negative pair takes two)",
          data.classCount());
      boolean pairable = false;
      for (int c : data.classes()) {
        pairable |= data.countOfClass(c) >= 2;
      }
      checkArgument(
          pairable,
          "a balanced pair sampler needs a class with at least 2 examples to form positive pairs,"
              + " but each of the %s classes has 1",
          data.classCount());
      return new BalancedPairSampler(this);
    }
  }
}
