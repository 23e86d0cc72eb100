package io.siamese.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.gallery.OneShotPrediction;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The gallery's behaviour against an exact brute-force oracle, on galleries small enough that
 * Lucene compares every vector (a search for at least as many candidates as a segment holds
 * scans it), so the answers must be identical: ids, labels and distances.
 */
class LuceneGalleryTest {
  static final int DIM = 16;

  @TempDir Path tmp;

  static EmbeddingSpace space(Distance d) {
    return new EmbeddingSpace(DIM, d, "model-a");
  }

  static float[] vector(SplittableRandom r) {
    float[] v = new float[DIM];
    for (int i = 0; i < DIM; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }

  private LuceneGallery<String> open(Path dir, Distance d) {
    return LuceneGallery.builder(dir, space(d), LabelCodec.strings()).candidates(1000).build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"euclidean", "squared_euclidean", "cosine"})
  void nearestIsTheExactAnswerWithExactDistances(String distanceName) {
    Distance d = Distances.byName(distanceName);
    SplittableRandom r = new SplittableRandom(1);
    ExactOracle<String> oracle = new ExactOracle<>(d);
    try (LuceneGallery<String> g = open(tmp.resolve("g"), d)) {
      for (int c = 0; c < 30; c++) {
        float[][] rows = new float[1 + r.nextInt(12)][];
        for (int i = 0; i < rows.length; i++) {
          rows[i] = vector(r);
        }
        long[] ids = g.enrol("class-" + c, rows);
        for (int i = 0; i < rows.length; i++) {
          oracle.add(ids[i], "class-" + c, rows[i]);
        }
        if (c % 7 == 6) {
          g.commit(); // several segments
        }
      }
      for (int q = 0; q < 50; q++) {
        float[] query = vector(r);
        assertEquals(oracle.nearest(query, 5), g.nearest(query, 5), "query " + q);
      }
      assertEquals(oracle.size(), g.size());
    }
  }

  @Test
  void idsCountUpAndTiesGoToTheSmallerId() {
    float[] v = vector(new SplittableRandom(2));
    try (LuceneGallery<String> g = open(tmp.resolve("g"), Distances.EUCLIDEAN)) {
      assertArrayEquals(new long[] {0}, g.enrol("b", new float[][] {v}));
      assertArrayEquals(new long[] {1, 2}, g.enrol("a", new float[][] {v, v}));
      List<Neighbor<String>> n = g.nearest(v, 3);
      assertEquals(List.of(new Neighbor<>("b", 0, 0.0), new Neighbor<>("a", 1, 0.0), new Neighbor<>("a", 2, 0.0)), n);
    }
  }

  @Test
  void changesAreSeenByTheNextSearchAndRemovalsToo() {
    SplittableRandom r = new SplittableRandom(3);
    try (LuceneGallery<String> g = open(tmp.resolve("g"), Distances.EUCLIDEAN)) {
      assertEquals(List.of(), g.nearest(vector(r), 3));
      assertThrows(IllegalStateException.class, () -> g.classify(vector(r), 1.0));
      float[] a = vector(r);
      float[] b = vector(r);
      long ia = g.enrol("alice", a);
      assertEquals(ia, g.nearest(a, 1).get(0).id());
      long ib = g.enrol("bob", b);
      assertEquals(ib, g.nearest(b, 1).get(0).id());
      assertEquals(2, g.size());
      assertEquals(Set.of("alice", "bob"), g.labels());
      assertEquals(new OneShotPrediction<>("bob", 0, true), g.classify(b, 0.5));
      assertTrue(g.remove(ib));
      assertFalse(g.remove(ib));
      assertFalse(g.remove(12345));
      assertEquals(ia, g.nearest(b, 1).get(0).id());
      assertEquals(Set.of("alice"), g.labels());
      g.enrol("carol", new float[][] {vector(r), vector(r)});
      assertEquals(2, g.removeLabel("carol"));
      assertEquals(0, g.removeLabel("carol"));
      assertEquals(1, g.size());
    }
  }

  @Test
  void aCommitSurvivesReopeningAndCloseDiscardsTheRest() {
    Path dir = tmp.resolve("g");
    SplittableRandom r = new SplittableRandom(4);
    float[] kept = vector(r);
    float[] lost = vector(r);
    long lostId;
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      g.enrol("kept", kept);
      g.commit();
      assertEquals(1, g.durableBelow());
      lostId = g.enrol("lost", lost);
      assertEquals(1, g.durableBelow());
    }
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      assertEquals(1, g.size());
      assertEquals(List.of(new Neighbor<>("kept", 0, 0.0)), g.nearest(kept, 5));
      long next = g.enrol("new", lost);
      assertTrue(next > lostId, "an id handed out before a close without commit was handed out again: " + next);
    }
  }

  @Test
  void removalsAreDurableAtCommit() {
    Path dir = tmp.resolve("g");
    SplittableRandom r = new SplittableRandom(5);
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      g.enrol("a", new float[][] {vector(r), vector(r)});
      g.enrol("b", vector(r));
      g.commit();
      g.removeLabel("a");
      g.commit();
      g.removeLabel("b"); // not committed
    }
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      assertEquals(Set.of("b"), g.labels());
      assertEquals(1, g.size());
    }
  }

  @Test
  void groupCommitByCountCommitsTheEnrolmentThatReachesIt() {
    Path dir = tmp.resolve("g");
    SplittableRandom r = new SplittableRandom(6);
    try (LuceneGallery<String> g =
        LuceneGallery.builder(dir, space(Distances.EUCLIDEAN), LabelCodec.strings()).groupCommitEvery(3).build()) {
      g.enrol("a", new float[][] {vector(r), vector(r)});
      assertEquals(0, g.durableBelow());
      g.enrol("b", new float[][] {vector(r), vector(r)});
      assertEquals(4, g.durableBelow());
      g.enrol("c", vector(r));
    }
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      assertEquals(Set.of("a", "b"), g.labels());
    }
  }

  @Test
  void groupCommitByTimeCommitsInTheBackground() throws InterruptedException {
    Path dir = tmp.resolve("g");
    SplittableRandom r = new SplittableRandom(7);
    try (LuceneGallery<String> g =
        LuceneGallery.builder(dir, space(Distances.EUCLIDEAN), LabelCodec.strings())
            .groupCommit(Duration.ofMillis(50))
            .build()) {
      g.enrol("a", vector(r));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (g.durableBelow() < 1 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertEquals(1, g.durableBelow(), "no group commit within 30 s");
    }
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      assertEquals(Set.of("a"), g.labels());
    }
  }

  @Test
  void aBatchWithOneBadEmbeddingEnrolsNothing() {
    SplittableRandom r = new SplittableRandom(8);
    try (LuceneGallery<String> g = open(tmp.resolve("g"), Distances.EUCLIDEAN)) {
      float[] bad = vector(r);
      bad[3] = Float.NaN;
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> g.enrolAll(List.of("a", "b"), new float[][] {vector(r), bad}));
      assertTrue(e.getMessage().contains("embedding 1") && e.getMessage().contains("NaN"), e.getMessage());
      assertEquals(0, g.size());
      assertArrayEquals(new long[] {0, 1}, g.enrolAll(List.of("a", "b"), new float[][] {vector(r), vector(r)}));
    }
  }

  @Test
  void aSecondWriterIsRefusedAndReadOnlyGalleriesSearchBesideIt() {
    Path dir = tmp.resolve("g");
    SplittableRandom r = new SplittableRandom(9);
    float[] a = vector(r);
    float[] b = vector(r);
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, () -> open(dir, Distances.EUCLIDEAN));
      assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("already open for writing"), e.getMessage());
      g.enrol("a", a);
      g.commit();
      try (LuceneGallery<String> reader =
          LuceneGallery.builder(dir, space(Distances.EUCLIDEAN), LabelCodec.strings()).readOnly().build()) {
        assertTrue(reader.isReadOnly());
        assertEquals(1, reader.size());
        g.enrol("b", b);
        g.commit();
        assertEquals(1, reader.size(), "a read-only gallery sees a new commit only after refresh()");
        reader.refresh();
        assertEquals(2, reader.size());
        assertEquals("b", reader.nearest(b, 1).get(0).label());
        assertThrows(IllegalStateException.class, () -> reader.enrol("c", b));
        assertThrows(IllegalStateException.class, () -> reader.remove(0));
        reader.commit(); // nothing to make durable
      }
    }
    // The lock is released on close.
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      assertEquals(2, g.size());
    }
  }

  @Test
  void forceMergeKeepsTheAnswersInOneSegment() {
    Path dir = tmp.resolve("g");
    SplittableRandom r = new SplittableRandom(10);
    ExactOracle<String> oracle = new ExactOracle<>(Distances.EUCLIDEAN);
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      for (int c = 0; c < 5; c++) {
        float[][] rows = {vector(r), vector(r), vector(r)};
        long[] ids = g.enrol("c" + c, rows);
        for (int i = 0; i < 3; i++) {
          oracle.add(ids[i], "c" + c, rows[i]);
        }
        g.commit();
      }
      g.remove(4);
      oracle.remove(4);
      assertTrue(g.segments() > 1);
      g.forceMerge(1);
      assertEquals(1, g.segments());
      g.commit();
    }
    try (LuceneGallery<String> g = open(dir, Distances.EUCLIDEAN)) {
      assertEquals(1, g.segments());
      for (int q = 0; q < 20; q++) {
        float[] query = vector(r);
        assertEquals(oracle.nearest(query, 4), g.nearest(query, 4));
      }
    }
  }

  @Test
  void int8QuantisationStillAnswersWithExactDistances() {
    SplittableRandom r = new SplittableRandom(11);
    ExactOracle<Integer> oracle = new ExactOracle<>(Distances.COSINE);
    try (LuceneGallery<Integer> g =
        LuceneGallery.builder(tmp.resolve("g"), space(Distances.COSINE), LabelCodec.integers())
            .int8Quantization()
            .candidates(1000)
            .build()) {
      List<Integer> labels = new ArrayList<>();
      float[][] rows = new float[200][];
      for (int i = 0; i < rows.length; i++) {
        rows[i] = vector(r);
        labels.add(i % 17);
      }
      long[] ids = g.enrolAll(labels, rows);
      for (int i = 0; i < rows.length; i++) {
        oracle.add(ids[i], labels.get(i), rows[i]);
      }
      g.commit();
      for (int q = 0; q < 20; q++) {
        float[] query = vector(r);
        assertEquals(oracle.nearest(query, 3), g.nearest(query, 3));
      }
    }
  }

  @Test
  void closeIsIdempotentAndEverythingElseFailsAfterIt() {
    SplittableRandom r = new SplittableRandom(12);
    LuceneGallery<String> g = open(tmp.resolve("g"), Distances.EUCLIDEAN);
    g.enrol("a", vector(r));
    g.close();
    g.close();
    float[] v = vector(r);
    for (Runnable call :
        List.<Runnable>of(
            () -> g.enrol("a", v), () -> g.nearest(v, 1), g::size, g::labels, g::commit, () -> g.remove(0),
            () -> g.removeLabel("a"), () -> g.forceMerge(1), g::refresh)) {
      IllegalStateException e = assertThrows(IllegalStateException.class, call::run);
      assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }
  }
}
