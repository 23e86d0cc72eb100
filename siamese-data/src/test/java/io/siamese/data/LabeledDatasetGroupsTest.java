package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LabeledDatasetGroupsTest {
  private static final ExampleShape ONE = ExampleShape.vector(1);

  /** Six examples (feature = index), classes 0 0 1 2 2 5, groups 7 7 7 3 3 3. */
  private static LabeledDataset grouped() {
    return LabeledDataset.builder(new float[] {0, 1, 2, 3, 4, 5}, new int[] {0, 0, 1, 2, 2, 5}, ONE)
        .groups(new int[] {7, 7, 7, 3, 3, 3})
        .classNames(Map.of(0, "A/a", 1, "A/b", 2, "B/c", 5, "B/d"))
        .groupNames(Map.of(7, "A", 3, "B"))
        .build();
  }

  @Test
  void groupsAndNamesAreIndexed() {
    LabeledDataset d = grouped();
    assertTrue(d.hasGroups());
    assertArrayEquals(new int[] {3, 7}, d.groupIds());
    assertEquals(2, d.groupCount());
    assertEquals(3, d.group(4));
    assertArrayEquals(new int[] {7, 7, 7, 3, 3, 3}, d.groups());
    assertEquals(7, d.groupOfClass(1));
    assertEquals(3, d.groupOfClass(5));
    assertArrayEquals(new int[] {0, 1}, d.classesOfGroup(7));
    assertArrayEquals(new int[] {2, 5}, d.classesOfGroup(3));
    assertArrayEquals(new int[0], d.classesOfGroup(4));
    assertArrayEquals(new int[] {3, 4, 5}, d.indicesOfGroup(3));
    assertEquals("B/d", d.className(5));
    assertEquals("A", d.groupName(7));
    assertEquals(List.of(0, 1, 2, 5), List.copyOf(d.classNames().keySet()));
    assertEquals("LabeledDataset[6 examples of [1], 4 classes, 2 groups]", d.toString());
  }

  @Test
  void subsetKeepsGroupsAndTheNamesStillPresent() {
    LabeledDataset d = grouped().subset(new int[] {5, 1, 3});
    assertArrayEquals(new int[] {3, 7, 3}, d.groups());
    assertEquals(Map.of(0, "A/a", 2, "B/c", 5, "B/d"), d.classNames());
    assertEquals(Map.of(3, "B", 7, "A"), d.groupNames());
    LabeledDataset onlyB = grouped().subset(new int[] {3, 4});
    assertEquals(Map.of(3, "B"), onlyB.groupNames());
    assertEquals(Map.of(2, "B/c"), onlyB.classNames());
  }

  @Test
  void listNamesNumberFromZeroAndBuilderCopiesInputs() {
    int[] groups = {0, 1, 1};
    LabeledDatasetBuilder b =
        LabeledDataset.builder(new float[] {1, 2, 3}, new int[] {0, 1, 2}, ONE)
            .groups(groups)
            .classNames(List.of("x", "y", "z"))
            .groupNames(List.of("g0", "g1"));
    LabeledDataset d = b.build();
    groups[0] = 1;
    assertEquals(0, d.group(0));
    assertEquals("y", d.className(1));
    assertEquals("g1", d.groupName(1));
    d.groups()[1] = 9;
    assertEquals(1, d.group(1));
  }

  @Test
  void plainDatasetsHaveNoGroupsAndNumberNames() {
    LabeledDataset d = LabeledDataset.of(new float[] {1, 2}, new int[] {4, 6}, ONE);
    assertFalse(d.hasGroups());
    assertEquals(0, d.groupCount());
    assertEquals("4", d.className(4));
    assertTrue(d.classNames().isEmpty());
    assertThrowsWithMessage(IllegalStateException.class, d::groups, "has no group labels");
    assertThrowsWithMessage(IllegalStateException.class, () -> d.group(0), "no group labels");
    assertThrowsWithMessage(
        IllegalArgumentException.class, () -> d.className(5), "no example has label 5");
  }

  @Test
  void rejectsInconsistentGroupsAndNames() {
    float[] f = {0, 1, 2};
    int[] labels = {0, 0, 1};
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).groups(new int[] {0, 1, 1}).build(),
        "class 0 spans groups 0 (example 0) and 1 (example 1)");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).groups(new int[] {0, 0}).build(),
        "one group per example, 3, got 2");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).groups(new int[] {0, 0, -2}).build(),
        "group of example 2 must be >= 0, got -2");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).classNames(Map.of(0, "a")).build(),
        "classNames lacks a name for class 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).classNames(List.of("a", "b", "c")).build(),
        "names class 2, but no example has that class");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).groupNames(List.of("a")).build(),
        "groupNames were given but the dataset has no groups");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(f, labels, ONE).classNames(Map.of(0, "", 1, "b")).build(),
        "empty name for 0");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> LabeledDataset.builder(f, labels, ONE).groups(new int[] {0, 0, 0}).groups(new int[3]),
        "groups were already set");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> LabeledDataset.builder(new float[] {Float.NaN}, new int[] {0}, ONE).build(),
        "is NaN");
  }
}
