package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.Neighbor;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distances;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Eight readers search while one writer enrols: readers of the writer's gallery object see every
 * enrolment acknowledged before their search began; readers of another object see the count only
 * grow; every answer is a whole embedding at its exact distance.
 */
@ExtendWith(ElasticsearchServer.class)
class ConcurrencyTest {
  private static final EmbeddingSpace SPACE = Fixtures.space(8, Distances.EUCLIDEAN, "threads");

  @Test
  void readersDuringEnrolmentGetConsistentAnswers(LocalElasticsearch es) throws Exception {
    String index = Fixtures.index("threads");
    float[][] rows = Fixtures.clustered(400, 8, 40, 0.2, 12);
    Map<Long, float[]> enrolled = new ConcurrentHashMap<>();
    AtomicLong acknowledged = new AtomicLong();
    AtomicBoolean done = new AtomicBoolean();
    ExecutorService pool = Executors.newFixedThreadPool(9);
    try (ElasticsearchGallery<String> writer = Fixtures.gallery(es, index, SPACE).build();
        ElasticsearchGallery<String> other = Fixtures.gallery(es, index, SPACE).build()) {
      long anchor = writer.enrol("anchor", rows[0]);
      writer.commit(); // the other object sees the anchor from the start
      enrolled.put(anchor, rows[0]);
      acknowledged.set(1);
      List<Future<Integer>> readers = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        ElasticsearchGallery<String> g = t < 4 ? writer : other;
        boolean sameObject = t < 4;
        readers.add(pool.submit(() -> {
          long lastSize = 0;
          int searches = 0;
          while (!done.get() || searches == 0) {
            long before = acknowledged.get();
            long size = g.size();
            if (sameObject) {
              assertTrue(size >= before, "the writer's object missed acknowledged enrolments: " + size + " < " + before);
            }
            assertTrue(size >= lastSize, "the count went back from " + lastSize + " to " + size);
            lastSize = size;
            List<Neighbor<String>> found = g.nearest(rows[searches % rows.length], 3);
            for (Neighbor<String> n : found) {
              float[] v = enrolled.get(n.id());
              if (v != null) { // else enrolled, not yet recorded by the writer: checked below
                assertEquals(Distances.EUCLIDEAN.between(rows[searches % rows.length], v), n.distance(), 0.0);
              }
            }
            Neighbor<String> self = g.nearest(rows[0], 1).get(0);
            assertEquals(anchor, self.id());
            assertEquals(0.0, self.distance());
            searches++;
          }
          return searches;
        }));
      }
      Future<?> writing = pool.submit(() -> {
        for (int i = 1; i < rows.length; i += 20) {
          float[][] batch = java.util.Arrays.copyOfRange(rows, i, Math.min(rows.length, i + 20));
          long[] ids = writer.enrolAll(Fixtures.labels(batch.length, 7), batch);
          for (int j = 0; j < ids.length; j++) {
            enrolled.put(ids[j], batch[j]);
          }
          acknowledged.addAndGet(ids.length);
        }
        return null;
      });
      try {
        writing.get();
      } finally {
        done.set(true);
      }
      int searches = 0;
      for (Future<Integer> r : readers) {
        searches += r.get();
      }
      assertEquals(rows.length, writer.size());
      assertEquals(rows.length, other.size()); // the writer's refreshes are the index's
      for (Map.Entry<Long, float[]> e : enrolled.entrySet()) {
        assertEquals(0.0, other.nearest(e.getValue(), 1).get(0).distance());
      }
      System.out.printf("%d searches by 8 readers during %d enrolments%n", searches, rows.length);
    } finally {
      pool.shutdownNow();
    }
  }
}
