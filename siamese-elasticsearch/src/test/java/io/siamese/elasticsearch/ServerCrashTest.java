package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.Neighbor;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distances;
import java.time.Duration;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Test;

/**
 * A server killed with SIGKILL in the middle of enrolments, then restarted on its data: every
 * enrolment it acknowledged is there, whole, and ids go on without reuse. It kills the shared server
 * and restarts it in place (same data, same address), so the other tests go on with it.
 */
@ExtendWith(ElasticsearchServer.class)
class ServerCrashTest {
  private static final EmbeddingSpace SPACE = Fixtures.space(8, Distances.EUCLIDEAN, "crash");

  @Test
  void everyAcknowledgedEnrolmentSurvivesAKilledServer(LocalElasticsearch es) throws Exception {
    String index = Fixtures.index("crash");
    Map<Long, float[]> acknowledged = new ConcurrentHashMap<>();
    AtomicReference<Throwable> stoppedBy = new AtomicReference<>();
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, index, SPACE).idBlock(10).build()) {
      Thread writer = new Thread(() -> {
        Random r = new Random(11);
        try {
          for (int i = 0; ; i++) {
            float[] row = new float[8];
            for (int j = 0; j < row.length; j++) {
              row[j] = (float) r.nextGaussian();
            }
            acknowledged.put(g.enrol("label-" + (i % 5), row), row);
          }
        } catch (RuntimeException e) {
          stoppedBy.set(e);
        }
      });
      writer.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (acknowledged.size() < 300 && writer.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      es.kill(); // mid-enrolment: the writer is still sending
      writer.join(Duration.ofSeconds(60).toMillis());
      assertTrue(stoppedBy.get() instanceof ElasticsearchGalleryException,
          "the writer should stop on the cluster's failure, got " + stoppedBy.get());
    }
    es.restart(Duration.ofMinutes(3)); // the same data directory

    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, index, SPACE).build()) {
      long size = g.size();
      // The enrolment in flight at the kill may or may not have been applied: at most one more.
      assertTrue(size == acknowledged.size() || size == acknowledged.size() + 1,
          "after the crash " + size + " embeddings, " + acknowledged.size() + " acknowledged");
      long maxId = 0;
      for (Map.Entry<Long, float[]> e : acknowledged.entrySet()) {
        Neighbor<String> n = g.nearest(e.getValue(), 1).get(0); // parses every candidate: none is partial
        assertEquals(e.getKey(), n.id(), "acknowledged id " + e.getKey() + " is gone");
        assertEquals(0.0, n.distance());
        maxId = Math.max(maxId, e.getKey());
      }
      long next = g.enrol("after", new float[] {1, 1, 1, 1, 1, 1, 1, 1});
      assertTrue(next > maxId, "id " + next + " handed out again after the crash");
      System.out.printf("killed after %d acknowledged enrolments; %d embeddings after the restart%n",
          acknowledged.size(), size);
    }
  }
}
