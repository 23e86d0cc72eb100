package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableSortedMap;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Which examples of a {@link LabeledDataset} belong to which class and group, and the names of
 * both: built once from the labels, then read. Checks that every class lies in one group and that
 * names cover exactly the classes and groups present. Immutable; owns the arrays it is given.
 */
final class ClassIndex {
  /** The distinct labels, ascending. */
  final int[] classes;
  private final int[][] indicesByClassPosition;
  /** Group of each example, or null when the dataset has no groups. */
  final int[] groups;
  /** Distinct groups, ascending; empty when the dataset has no groups. */
  final int[] groupIds;
  /** Group of each class, by class position; null when the dataset has no groups. */
  private final int[] groupOfClassPosition;
  final ImmutableSortedMap<Integer, String> classNames;
  final ImmutableSortedMap<Integer, String> groupNames;

  ClassIndex(
      int[] labels,
      int[] groups,
      ImmutableSortedMap<Integer, String> classNames,
      ImmutableSortedMap<Integer, String> groupNames) {
    this.classes = Arrays.stream(labels).distinct().sorted().toArray();
    int[] counts = new int[classes.length];
    for (int label : labels) {
      counts[Arrays.binarySearch(classes, label)]++;
    }
    this.indicesByClassPosition = new int[classes.length][];
    for (int c = 0; c < classes.length; c++) {
      indicesByClassPosition[c] = new int[counts[c]];
    }
    int[] fill = new int[classes.length];
    for (int i = 0; i < labels.length; i++) {
      int c = Arrays.binarySearch(classes, labels[i]);
      indicesByClassPosition[c][fill[c]++] = i;
    }
    this.groups = groups;
    if (groups == null) {
      checkArgument(groupNames.isEmpty(), "groupNames were given but the dataset has no groups");
      this.groupIds = new int[0];
      this.groupOfClassPosition = null;
    } else {
      this.groupIds = Arrays.stream(groups).distinct().sorted().toArray();
      this.groupOfClassPosition = new int[classes.length];
      for (int c = 0; c < classes.length; c++) {
        int[] members = indicesByClassPosition[c];
        int g = groups[members[0]];
        for (int i : members) {
          if (groups[i] != g) {
            throw new IllegalArgumentException(
                String.format(
                    "class %s spans groups %s (example %s) and %s (example %s); every class must"
                        + " lie in one group",
                    classes[c], g, members[0], groups[i], i));
          }
        }
        groupOfClassPosition[c] = g;
      }
      DatasetNames.checkCover(groupNames, groupIds, "groupNames", "group");
    }
    DatasetNames.checkCover(classNames, classes, "classNames", "class");
    this.classNames = classNames;
    this.groupNames = groupNames;
  }

  /** The examples of {@code label}, ascending; the shared array. */
  int[] indicesOfClass(int label) {
    int c = Arrays.binarySearch(classes, label);
    checkArgument(c >= 0, "no example has label %s", label);
    return indicesByClassPosition[c];
  }

  int countOfClass(int label) {
    int c = Arrays.binarySearch(classes, label);
    return c < 0 ? 0 : indicesByClassPosition[c].length;
  }

  /** Needs groups. */
  int groupOfClass(int label) {
    int c = Arrays.binarySearch(classes, label);
    checkArgument(c >= 0, "no example has label %s", label);
    return groupOfClassPosition[c];
  }

  /** Needs groups. */
  int[] classesOfGroup(int group) {
    int n = 0;
    int[] out = new int[classes.length];
    for (int c = 0; c < classes.length; c++) {
      if (groupOfClassPosition[c] == group) {
        out[n++] = classes[c];
      }
    }
    return Arrays.copyOf(out, n);
  }

  /** Needs groups. */
  int[] indicesOfGroup(int group) {
    return IntStream.range(0, groups.length).filter(i -> groups[i] == group).toArray();
  }

  String className(int label) {
    checkArgument(Arrays.binarySearch(classes, label) >= 0, "no example has label %s", label);
    String name = classNames.get(label);
    return name != null ? name : Integer.toString(label);
  }

  /** Needs groups. */
  String groupName(int group) {
    checkArgument(Arrays.binarySearch(groupIds, group) >= 0, "no example has group %s", group);
    String name = groupNames.get(group);
    return name != null ? name : Integer.toString(group);
  }
}
