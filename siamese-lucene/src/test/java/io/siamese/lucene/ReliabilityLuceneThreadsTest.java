package io.siamese.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.losses.Distances;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, reliability: 8 reader threads search while one thread enrols (in batches of 1 to 5,
 * committing now and then) and merges run in the background. The embedding of id {@code i} is a
 * fixed function of {@code i}, and ids count up from 0, so every answer can be checked exactly:
 *
 * <ul>
 *   <li>it is the exact top 5 (ids, labels, distances) over the ids {@code 0..m-1} for some
 *       {@code m} from the number acknowledged before the search began to the number handed out
 *       after it ended: a consistent point-in-time view, never a mix or a partial batch;
 *   <li>an embedding acknowledged before the search began is found (visibility);
 *   <li>the size a reader sees never decreases.
 * </ul>
 *
 * <p>The gallery stays under 1,000 embeddings and searches take 1,000 candidates, so Lucene
 * compares every vector of every segment and the exact answer is the only right one.
 */
class ReliabilityLuceneThreadsTest {
  private static final int DIM = 16;
  private static final int TOTAL = 900;
  private static final int K = 5;

  @TempDir Path tmp;

  static float[] vector(long id) {
    return TestVectors.gaussian(id * 7_919L + 3, DIM);
  }

  static String label(long id) {
    return "L" + (id % 37);
  }

  @Test
  void readersOnEightThreadsSeeConsistentExactAnswersDuringEnrolment() throws Exception {
    EmbeddingSpace space = new EmbeddingSpace(DIM, Distances.EUCLIDEAN, "threads-model");
    AtomicLong acknowledged = new AtomicLong(); // ids below are enrolled and returned
    AtomicLong handedOut = new AtomicLong(); // ids below may be visible
    AtomicBoolean done = new AtomicBoolean();
    ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
    AtomicLong searches = new AtomicLong();
    try (LuceneGallery<String> g = LuceneGallery.builder(tmp.resolve("g"), space, LabelCodec.strings()).candidates(1000).build()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Thread> readers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        long seed = t;
        Thread reader =
            new Thread(
                () -> {
                  SplittableRandom r = new SplittableRandom(seed);
                  long lastSize = 0;
                  try {
                    start.await();
                    while (!done.get()) {
                      long before = acknowledged.get();
                      float[] query;
                      long target = -1;
                      if (before > 0 && r.nextBoolean()) {
                        target = r.nextLong(before);
                        query = vector(target);
                      } else {
                        query = vector(1_000_000 + r.nextInt(1_000_000));
                      }
                      List<Neighbor<String>> got = g.nearest(query, K);
                      long after = handedOut.get();
                      check(query, got, before, after, target);
                      long size = g.size();
                      assertTrue(size >= lastSize, "size went from " + lastSize + " down to " + size);
                      assertTrue(size >= before, "size " + size + " < " + before + " acknowledged");
                      lastSize = size;
                      searches.incrementAndGet();
                    }
                  } catch (Throwable e) {
                    failures.add(e);
                  }
                },
                "reader-" + t);
        reader.start();
        readers.add(reader);
      }
      start.countDown();
      SplittableRandom r = new SplittableRandom(99);
      long next = 0;
      int batches = 0;
      while (next < TOTAL && failures.isEmpty()) {
        int n = (int) Math.min(TOTAL - next, 1 + r.nextInt(5));
        float[][] rows = new float[n][];
        for (int i = 0; i < n; i++) {
          rows[i] = vector(next + i);
        }
        handedOut.set(next + n);
        long[] ids = g.enrolAll(java.util.stream.LongStream.range(next, next + n).mapToObj(ReliabilityLuceneThreadsTest::label).toList(), rows);
        assertEquals(next, ids[0], "ids are not consecutive");
        next += n;
        acknowledged.set(next);
        if (++batches % 40 == 0) {
          g.commit();
        }
      }
      Thread.sleep(200); // readers on the final state
      done.set(true);
      for (Thread t : readers) {
        t.join(TimeUnit.SECONDS.toMillis(60));
      }
      if (!failures.isEmpty()) {
        AssertionError e = new AssertionError(failures.size() + " reader failures; the first: " + failures.peek(), failures.peek());
        throw e;
      }
      System.out.printf("lucene threads: %d searches on 8 threads while enrolling %d embeddings in %d batches, %d segments at the end%n",
          searches.get(), TOTAL, batches, g.segments());
      assertTrue(searches.get() > 8 * 10, "too few searches to test anything: " + searches.get());
    }
  }

  /** Checks an answer against the exact top K over ids {@code 0..m-1}, for some m in [before, after]. */
  private static void check(float[] query, List<Neighbor<String>> got, long before, long after, long target) {
    if (target >= 0) {
      assertTrue(!got.isEmpty() && got.get(0).id() == target && got.get(0).distance() == 0,
          "acknowledged id " + target + " not found first: " + got);
    }
    List<Neighbor<String>> all = new ArrayList<>();
    for (long id = 0; id < after; id++) {
      all.add(new Neighbor<>(label(id), id, Distances.EUCLIDEAN.between(query, vector(id))));
    }
    all.sort(Comparator.<Neighbor<String>>comparingDouble(Neighbor::distance).thenComparingLong(Neighbor::id));
    for (long m = before; m <= after; m++) {
      long limit = m;
      List<Neighbor<String>> exact = all.stream().filter(n -> n.id() < limit).limit(K).toList();
      if (exact.equals(got)) {
        return;
      }
    }
    throw new AssertionError("answer " + got + " is the exact top " + K + " of no prefix of " + before + ".." + after + " ids");
  }
}
