package io.siamese.data;

import static io.siamese.data.Assertions2.assertThrowsWithMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class EpisodeSamplerTest {

  @Property(tries = 300)
  void episodesHoldNDistinctClassesWithDisjointSupportAndQueries(
      @ForAll @Size(min = 2, max = 12) List<@IntRange(min = 1, max = 7) Integer> classSizes,
      @ForAll @IntRange(min = 2, max = 6) int ways,
      @ForAll @IntRange(min = 1, max = 3) int shots,
      @ForAll @IntRange(min = 1, max = 3) int queries,
      @ForAll long seed) {
    int[] sizes = classSizes.stream().mapToInt(Integer::intValue).toArray();
    Assume.that(Arrays.stream(sizes).filter(s -> s >= shots + queries).count() >= ways);
    LabeledDataset data = TestData.indexed(sizes, seed);
    EpisodeSampler sampler =
        EpisodeSampler.builder(data)
            .ways(ways)
            .shots(shots)
            .queriesPerClass(queries)
            .seed(seed)
            .build();
    for (int round = 0; round < 3; round++) {
      Episode episode = sampler.next();
      int[] support = episode.support();
      int[] supportLabels = episode.supportLabels();
      int[] query = episode.queries();
      int[] queryLabels = episode.queryLabels();
      assertEquals(ways * shots, support.length);
      assertEquals(ways * queries, query.length);

      Map<Integer, Integer> shotsPerClass = new HashMap<>();
      Map<Integer, Integer> queriesPerClass = new HashMap<>();
      Set<Integer> used = new HashSet<>();
      for (int i = 0; i < support.length; i++) {
        assertEquals(data.label(support[i]), supportLabels[i], "support label " + i);
        assertTrue(used.add(support[i]), "example " + support[i] + " used twice");
        shotsPerClass.merge(supportLabels[i], 1, Integer::sum);
      }
      for (int i = 0; i < query.length; i++) {
        assertEquals(data.label(query[i]), queryLabels[i], "query label " + i);
        assertTrue(used.add(query[i]), "query " + query[i] + " also in support or repeated");
        queriesPerClass.merge(queryLabels[i], 1, Integer::sum);
      }
      assertEquals(ways, shotsPerClass.size(), "distinct classes");
      assertEquals(shotsPerClass.keySet(), queriesPerClass.keySet());
      for (int label : shotsPerClass.keySet()) {
        assertEquals(shots, shotsPerClass.get(label), "shots of class " + label);
        assertEquals(queries, queriesPerClass.get(label), "queries of class " + label);
      }
    }
  }

  @Test
  void smallClassesAreNeverChosen() {
    // Classes 0 and 2 have too few examples for 2 shots + 2 queries.
    LabeledDataset data = TestData.indexed(new int[] {3, 4, 2, 6, 5}, 4);
    EpisodeSampler sampler =
        EpisodeSampler.builder(data).ways(3).shots(2).queriesPerClass(2).build();
    Set<Integer> chosen = new HashSet<>();
    for (int round = 0; round < 100; round++) {
      Arrays.stream(sampler.next().supportLabels()).forEach(chosen::add);
    }
    assertEquals(Set.of(TestData.labelOf(1), TestData.labelOf(3), TestData.labelOf(4)), chosen);
  }

  @Test
  void classesAndExamplesVaryAcrossEpisodesAndSeedsRepeat() {
    LabeledDataset data = TestData.uniform(10, 4);
    EpisodeSampler a = EpisodeSampler.builder(data).ways(3).seed(7).build();
    EpisodeSampler b = EpisodeSampler.builder(data).ways(3).seed(7).build();
    Set<Integer> supportSeen = new HashSet<>();
    for (int round = 0; round < 200; round++) {
      Episode x = a.next();
      Episode y = b.next();
      assertArrayEquals(x.support(), y.support());
      assertArrayEquals(x.queries(), y.queries());
      Arrays.stream(x.support()).forEach(supportSeen::add);
    }
    // 200 draws of 3 of 40 examples should reach every example.
    assertEquals(40, supportSeen.size());
  }

  @Test
  void defaultsAndAccessors() {
    LabeledDataset data = TestData.uniform(6, 2);
    EpisodeSampler sampler = EpisodeSampler.builder(data).build();
    assertSame(data, sampler.dataset());
    assertEquals(5, sampler.ways());
    assertEquals(1, sampler.shots());
    assertEquals(1, sampler.queriesPerClass());
    assertEquals(5, sampler.next().support().length);
  }

  @Test
  void rejectsBadSettingsNamingThem() {
    LabeledDataset data = TestData.uniform(6, 3);
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).ways(1).build(),
        "ways must be >= 2, got 1");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).shots(0).build(),
        "shots must be >= 1, got 0");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).queriesPerClass(0).build(),
        "queriesPerClass must be >= 1, got 0");
    assertThrowsWithMessage(NullPointerException.class, () -> EpisodeSampler.builder(null), "data");
  }

  @Test
  void rejectsTooFewLargeEnoughClassesGivingCounts() {
    LabeledDataset data = TestData.indexed(new int[] {3, 4, 2, 6, 5}, 4);
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).ways(4).shots(2).queriesPerClass(2).build(),
        "4-way",
        "at least 4 examples",
        "only 3 of the 5 classes");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).ways(6).build(),
        "6-way",
        "only 5 of the 5 classes");
    assertThrowsWithMessage(
        IllegalArgumentException.class,
        () -> EpisodeSampler.builder(data).ways(2).shots(Integer.MAX_VALUE).build(),
        "only 0 of the 5 classes");
  }
}
