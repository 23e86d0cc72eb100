package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Class-disjoint train/test splits: every example of a class lands on the same side, so a model
 * evaluated on {@link DatasetSplit#test()} is measured on classes it never trained on, which is
 * what one-shot learning promises.
 *
 * <p>Both sides keep the original labels (no relabelling) and the original order of their examples.
 * The classes are chosen by a seeded shuffle: the same data and seed give the same split on every
 * machine.
 */
public final class Splits {
  private Splits() {}

  /**
   * Puts {@code testClasses} classes, chosen by a seeded shuffle, in the test set and the other
   * classes in the training set.
   *
   * @param data at least 2 classes
   * @param testClasses number of test classes, {@code [1, data.classCount() - 1]} so that neither
   *     side is empty
   * @param seed chooses the classes
   * @throws IllegalArgumentException if {@code data} has one class or {@code testClasses} is out of
   *     range (the message names both counts)
   */
  public static DatasetSplit byClass(LabeledDataset data, int testClasses, long seed) {
    checkNotNull(data, "data");
    int classCount = data.classCount();
    checkArgument(
        classCount >= 2, "a class-disjoint split needs at least 2 classes, got %s", classCount);
    checkArgument(
        testClasses >= 1 && testClasses <= classCount - 1,
        "testClasses must be in [1, %s] so both sides keep a class (the data has %s classes), got"
            + " %s",
        classCount - 1,
        classCount,
        testClasses);
    int[] classes = data.classes();
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = classes.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = classes[i];
      classes[i] = classes[j];
      classes[j] = t;
    }
    int[] test = Arrays.copyOf(classes, testClasses);
    Arrays.sort(test);
    int[] labels = data.labels();
    int testSize = 0;
    for (int label : labels) {
      if (Arrays.binarySearch(test, label) >= 0) {
        testSize++;
      }
    }
    int[] testIndices = new int[testSize];
    int[] trainIndices = new int[labels.length - testSize];
    int t = 0;
    int r = 0;
    for (int i = 0; i < labels.length; i++) {
      if (Arrays.binarySearch(test, labels[i]) >= 0) {
        testIndices[t++] = i;
      } else {
        trainIndices[r++] = i;
      }
    }
    return new DatasetSplit(data.subset(trainIndices), data.subset(testIndices));
  }

  /**
   * As {@link #byClass}, with {@code round(testFraction * classCount)} test classes, but at least
   * one class on each side.
   *
   * @param testFraction share of classes to hold out, in {@code (0, 1)}
   * @throws IllegalArgumentException if {@code data} has one class or {@code testFraction} is not
   *     in {@code (0, 1)}
   */
  public static DatasetSplit byClassFraction(LabeledDataset data, double testFraction, long seed) {
    checkNotNull(data, "data");
    checkArgument(
        testFraction > 0 && testFraction < 1,
        "testFraction must be in (0, 1), got %s",
        testFraction);
    int classCount = data.classCount();
    checkArgument(
        classCount >= 2, "a class-disjoint split needs at least 2 classes, got %s", classCount);
    long rounded = Math.round(testFraction * classCount);
    int testClasses = (int) Math.max(1, Math.min(classCount - 1, rounded));
    return byClass(data, testClasses, seed);
  }
}
