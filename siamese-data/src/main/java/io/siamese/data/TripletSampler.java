package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Draws fixed (not mined) triplets: the anchor's class is chosen uniformly among the classes with
 * at least 2 examples, anchor and positive are two distinct examples of it chosen uniformly, and
 * the negative is a uniform example of a class chosen uniformly among the others. Classes are
 * weighted equally whatever their size, as in {@link BalancedPairSampler}.
 *
 * <p>Seeded with {@link SplittableRandom}: the same dataset and seed give the same sequence of
 * batches on every machine. Stateful and not thread-safe; the dataset is shared, not copied.
 */
public final class TripletSampler {
  private final LabeledDataset data;
  private final int[] classes;
  private final int[] anchorClasses;
  private final SplittableRandom rng;

  private TripletSampler(LabeledDataset data, int[] anchorClasses, long seed) {
    this.data = data;
    this.classes = data.classes();
    this.anchorClasses = anchorClasses;
    this.rng = new SplittableRandom(seed);
  }

  /**
   * A sampler over {@code data}.
   *
   * @param data at least 2 classes, at least one of them with 2 or more examples
   * @param seed fixes the sequence of batches
   * @throws IllegalArgumentException if {@code data} cannot form a triplet
   */
  public static TripletSampler of(LabeledDataset data, long seed) {
    checkNotNull(data, "data");
    checkArgument(
        data.classCount() >= 2,
        "a triplet sampler needs at least 2 classes, got %s (the negative takes another class)",
        data.classCount());
    int[] anchorClasses =
        Arrays.stream(data.classes()).filter(c -> data.countOfClass(c) >= 2).toArray();
    checkArgument(
        anchorClasses.length > 0,
        "a triplet sampler needs a class with at least 2 examples, but each of the %s classes has"
            + " 1",
        data.classCount());
    return new TripletSampler(data, anchorClasses, seed);
  }

  /** The dataset whose indices this sampler returns. */
  public LabeledDataset dataset() {
    return data;
  }

  /**
   * The next batch.
   *
   * @param triplets number of triplets, {@code > 0}
   * @throws IllegalArgumentException if {@code triplets <= 0}
   */
  public TripletBatch next(int triplets) {
    checkArgument(triplets > 0, "triplets must be > 0, got %s", triplets);
    int[] anchor = new int[triplets];
    int[] positive = new int[triplets];
    int[] negative = new int[triplets];
    int[] two = new int[2];
    for (int t = 0; t < triplets; t++) {
      int label = anchorClasses[rng.nextInt(anchorClasses.length)];
      Draws.twoDistinct(data.indicesOfClassShared(label), rng, two);
      anchor[t] = two[0];
      positive[t] = two[1];
      int other = Draws.otherThan(Arrays.binarySearch(classes, label), classes.length, rng);
      int[] others = data.indicesOfClassShared(classes[other]);
      negative[t] = others[rng.nextInt(others.length)];
    }
    return new TripletBatch(anchor, positive, negative);
  }

  @Override
  public String toString() {
    return "TripletSampler[" + data + "]";
  }
}
