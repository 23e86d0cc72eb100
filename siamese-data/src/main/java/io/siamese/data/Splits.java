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
    int[] test = chooseTest(data.classes(), testClasses, seed);
    return splitBy(data, data.labels(), test);
  }

  /**
   * Group-disjoint split: puts {@code testGroups} groups (for Omniglot, alphabets), chosen by a
   * seeded shuffle, in the test set and the other groups in the training set. Since every class
   * lies in one group, the split is class-disjoint too. Labels, groups and names are kept.
   *
   * @param data a dataset with group labels and at least 2 groups
   * @param testGroups number of test groups, {@code [1, data.groupCount() - 1]}
   * @param seed chooses the groups
   * @throws IllegalStateException if {@code data} has no group labels
   * @throws IllegalArgumentException if {@code data} has one group or {@code testGroups} is out of
   *     range (the message names both counts)
   */
  public static DatasetSplit byGroup(LabeledDataset data, int testGroups, long seed) {
    checkNotNull(data, "data");
    int[] groups = data.groups();
    int groupCount = data.groupCount();
    checkArgument(
        groupCount >= 2, "a group-disjoint split needs at least 2 groups, got %s", groupCount);
    checkArgument(
        testGroups >= 1 && testGroups <= groupCount - 1,
        "testGroups must be in [1, %s] so both sides keep a group (the data has %s groups), got"
            + " %s",
        groupCount - 1,
        groupCount,
        testGroups);
    return splitBy(data, groups, chooseTest(data.groupIds(), testGroups, seed));
  }

  /** A seeded choice of {@code count} of {@code ids} (sorted ascending), returned ascending. */
  private static int[] chooseTest(int[] ids, int count, long seed) {
    int[] shuffled = ids.clone();
    SplittableRandom rng = new SplittableRandom(seed);
    for (int i = shuffled.length - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = shuffled[i];
      shuffled[i] = shuffled[j];
      shuffled[j] = t;
    }
    int[] test = Arrays.copyOf(shuffled, count);
    Arrays.sort(test);
    return test;
  }

  /** Examples whose key is in {@code test} (sorted) go to the test side, in their order. */
  private static DatasetSplit splitBy(LabeledDataset data, int[] keys, int[] test) {
    int testSize = 0;
    for (int key : keys) {
      if (Arrays.binarySearch(test, key) >= 0) {
        testSize++;
      }
    }
    int[] testIndices = new int[testSize];
    int[] trainIndices = new int[keys.length - testSize];
    int t = 0;
    int r = 0;
    for (int i = 0; i < keys.length; i++) {
      if (Arrays.binarySearch(test, keys[i]) >= 0) {
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
