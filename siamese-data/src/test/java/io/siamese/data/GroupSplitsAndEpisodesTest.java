package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class GroupSplitsAndEpisodesTest {

  /**
   * A grouped dataset: group {@code g} has {@code classesPerGroup.get(g)} classes of {@code
   * perClass} examples; feature = index; class labels run on across groups; group ids are {@code 10
   * + 2g}, examples interleaved by a shuffle so that order matters.
   */
  static LabeledDataset grouped(List<Integer> classesPerGroup, int perClass, long seed) {
    int classes = classesPerGroup.stream().mapToInt(Integer::intValue).sum();
    int n = classes * perClass;
    int[] labels = new int[n];
    int[] groups = new int[n];
    int k = 0;
    int label = 0;
    for (int g = 0; g < classesPerGroup.size(); g++) {
      for (int c = 0; c < classesPerGroup.get(g); c++, label++) {
        for (int e = 0; e < perClass; e++, k++) {
          labels[k] = label;
          groups[k] = 10 + 2 * g;
        }
      }
    }
    java.util.SplittableRandom rng = new java.util.SplittableRandom(seed);
    for (int i = n - 1; i > 0; i--) {
      int j = rng.nextInt(i + 1);
      int t = labels[i];
      labels[i] = labels[j];
      labels[j] = t;
      t = groups[i];
      groups[i] = groups[j];
      groups[j] = t;
    }
    float[] f = new float[n];
    for (int i = 0; i < n; i++) {
      f[i] = i;
    }
    return LabeledDataset.builder(f, labels, ExampleShape.vector(1)).groups(groups).build();
  }

  @Property(tries = 200)
  void byGroupIsGroupDisjointCompleteAndOrderPreserving(
      @ForAll @Size(min = 2, max = 8) List<@IntRange(min = 1, max = 4) Integer> classesPerGroup,
      @ForAll @IntRange(min = 1, max = 7) int testGroups,
      @ForAll long seed) {
    Assume.that(testGroups < classesPerGroup.size());
    LabeledDataset data = grouped(classesPerGroup, 2, seed);
    DatasetSplit split = Splits.byGroup(data, testGroups, seed);
    assertEquals(testGroups, split.test().groupCount());
    assertEquals(data.groupCount() - testGroups, split.train().groupCount());
    Set<Integer> trainGroups = toSet(split.train().groupIds());
    for (int g : split.test().groupIds()) {
      assertFalse(trainGroups.contains(g), "group " + g + " on both sides");
    }
    Set<Integer> trainClasses = toSet(split.train().classes());
    for (int c : split.test().classes()) {
      assertFalse(trainClasses.contains(c), "class " + c + " on both sides");
    }
    boolean[] seen = new boolean[data.size()];
    for (LabeledDataset side : List.of(split.train(), split.test())) {
      int previous = -1;
      for (int i = 0; i < side.size(); i++) {
        int original = TestData.originalIndex(side, i);
        assertTrue(original > previous, "order changed");
        previous = original;
        assertFalse(seen[original]);
        seen[original] = true;
        assertEquals(data.group(original), side.group(i));
        assertEquals(data.label(original), side.label(i));
      }
    }
    for (boolean s : seen) {
      assertTrue(s);
    }
    assertArrayEquals(
        split.test().groupIds(), Splits.byGroup(data, testGroups, seed).test().groupIds());
  }

  @Test
  void byGroupSeedsVaryAndErrorsNameCounts() {
    LabeledDataset data = grouped(List.of(1, 1, 1, 1, 1, 1, 1, 1), 2, 3);
    Set<Set<Integer>> distinct = new HashSet<>();
    for (long seed = 0; seed < 10; seed++) {
      distinct.add(toSet(Splits.byGroup(data, 3, seed).test().groupIds()));
    }
    assertTrue(distinct.size() >= 6, "only " + distinct.size() + " distinct test groups");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Splits.byGroup(data, 8, 1),
        "testGroups must be in [1, 7]",
        "8 groups",
        "got 8");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> Splits.byGroup(grouped(List.of(3), 2, 1), 1, 1),
        "at least 2 groups, got 1");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> Splits.byGroup(TestData.uniform(4, 2), 1, 1),
        "no group labels");
  }

  @Property(tries = 100)
  void withinGroupEpisodesDrawAllClassesFromOneGroup(
      @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 6) Integer> classesPerGroup,
      @ForAll @IntRange(min = 2, max = 4) int ways,
      @ForAll long seed) {
    Assume.that(classesPerGroup.stream().anyMatch(c -> c >= ways));
    LabeledDataset data = grouped(classesPerGroup, 3, seed);
    EpisodeSampler sampler =
        EpisodeSampler.builder(data)
            .ways(ways)
            .shots(1)
            .queriesPerClass(2)
            .withinGroup(true)
            .seed(seed)
            .build();
    assertTrue(sampler.withinGroup());
    Set<Integer> groupsSeen = new HashSet<>();
    for (int round = 0; round < 20; round++) {
      Episode e = sampler.next();
      int group = data.group(e.support()[0]);
      groupsSeen.add(group);
      assertEquals(ways, toSet(e.supportLabels()).size());
      for (int i : e.support()) {
        assertEquals(group, data.group(i));
      }
      for (int i : e.queries()) {
        assertEquals(group, data.group(i));
      }
    }
    for (int group : groupsSeen) {
      int g = (group - 10) / 2;
      assertTrue(classesPerGroup.get(g) >= ways, "group " + group + " has too few classes");
    }
  }

  @Test
  void withinGroupVisitsEveryEligibleGroupAndNeedsGroups() {
    LabeledDataset data = grouped(List.of(5, 2, 5, 5), 2, 4);
    EpisodeSampler sampler = EpisodeSampler.builder(data).ways(3).withinGroup(true).seed(2).build();
    Set<Integer> groups = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      groups.add(data.group(sampler.next().support()[0]));
    }
    assertEquals(Set.of(10, 14, 16), groups); // group 12 has only 2 classes
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).ways(6).withinGroup(true).build(),
        "6-way episodes within one group",
        "none of the 4 groups");
    assertThrowsWithMessage(
        IllegalStateException.class,
        () -> EpisodeSampler.builder(TestData.uniform(6, 2)).withinGroup(true).build(),
        "needs group labels");
  }

  private static Set<Integer> toSet(int[] values) {
    Set<Integer> set = new HashSet<>();
    for (int v : values) {
      set.add(v);
    }
    return set;
  }
}
