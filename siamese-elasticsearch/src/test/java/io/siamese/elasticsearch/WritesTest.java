package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.Neighbor;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distances;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Enrolment, removal, size, labels, ids and persistence, each checked against what was written. */
@ExtendWith(ElasticsearchServer.class)
class WritesTest {
  private static final EmbeddingSpace SPACE = Fixtures.space(8, Distances.EUCLIDEAN, "writes");

  @Test
  void enrolRemoveSizeAndLabels(LocalElasticsearch es) {
    float[][] rows = Fixtures.clustered(30, 8, 3, 0.1, 1);
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, Fixtures.index("writes"), SPACE).build()) {
      assertEquals(0, g.size());
      assertEquals(Set.of(), g.labels());
      assertEquals(List.of(), g.nearest(rows[0], 3));
      assertThrows(IllegalStateException.class, () -> g.classify(rows[0], 1.0));

      long a = g.enrol("alpha", rows[0]);
      long[] b = g.enrol("beta", new float[][] {rows[1], rows[4]});
      long[] c = g.enrolAll(List.of("gamma", "alpha", "beta"), new float[][] {rows[2], rows[3], rows[7]});
      assertArrayEquals(new long[0], g.enrolAll(List.of(), new float[0][]));
      List<Long> ids = new ArrayList<>(List.of(a, b[0], b[1], c[0], c[1], c[2]));
      for (int i = 1; i < ids.size(); i++) {
        assertTrue(ids.get(i) > ids.get(i - 1), "ids of one gallery increase: " + ids);
      }
      assertEquals(6, g.size());
      assertEquals(Set.of("alpha", "beta", "gamma"), g.labels());

      // Every embedding is its own nearest neighbour, at distance 0, under its label.
      Map<Long, String> labelOf = Map.of(a, "alpha", b[0], "beta", b[1], "beta", c[0], "gamma", c[1], "alpha", c[2], "beta");
      float[][] enrolled = {rows[0], rows[1], rows[4], rows[2], rows[3], rows[7]};
      for (int i = 0; i < ids.size(); i++) {
        Neighbor<String> n = g.nearest(enrolled[i], 1).get(0);
        assertEquals(ids.get(i), n.id());
        assertEquals(0.0, n.distance());
        assertEquals(labelOf.get(ids.get(i)), n.label());
      }
      assertEquals(6, g.nearest(rows[0], 10).size(), "k beyond the size gives everything");

      assertTrue(g.remove(b[0]));
      assertFalse(g.remove(b[0]), "removed twice");
      assertFalse(g.remove(-1));
      assertFalse(g.remove(123_456_789L));
      assertEquals(5, g.size());
      assertTrue(g.nearest(rows[1], 5).stream().noneMatch(n -> n.id() == b[0]), "a removed id is still found");

      assertEquals(2, g.removeLabel("alpha"));
      assertEquals(0, g.removeLabel("alpha"));
      assertEquals(0, g.removeLabel("never-enrolled"));
      assertEquals(3, g.size());
      assertEquals(Set.of("beta", "gamma"), g.labels());
      assertTrue(g.nearest(rows[0], 5).stream().noneMatch(n -> n.label().equals("alpha")));
    }
  }

  @Test
  void bulkAndPagingBeyondOnePage(LocalElasticsearch es) throws IOException {
    int n = 2_500;
    float[][] rows = Fixtures.clustered(n, 8, 50, 0.2, 2);
    List<String> labels = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      labels.add(i < 1_300 ? "big" : "label-" + i); // 1,201 labels: more than one page of 1,000
    }
    try (ElasticsearchGallery<String> g =
        Fixtures.gallery(es, Fixtures.index("bulk"), SPACE).bulkSize(400).idBlock(100).build()) {
      long[] ids = g.enrolAll(labels, rows);
      assertEquals(n, ids.length);
      for (int i = 1; i < n; i++) {
        assertEquals(ids[0] + i, ids[i], "one call's ids are consecutive");
      }
      assertEquals(n, g.size());
      g.forceMerge(1);
      ElasticsearchClient raw = Fixtures.rawClient(es);
      try {
        String idx = g.index();
        assertEquals(1, raw.indices().stats(s -> s.index(idx)).indices().get(idx).primaries().segments().count());
      } finally {
        raw._transport().close();
      }
      assertEquals(n, g.size());
      assertEquals(ids[1_777], g.nearest(rows[1_777], 1).get(0).id());
      Set<String> expected = new HashSet<>(labels);
      assertEquals(expected, g.labels());
      assertEquals(1_300, g.removeLabel("big"));
      assertEquals(n - 1_300, g.size());
      expected.remove("big");
      assertEquals(expected, g.labels());
    }
  }

  @Test
  void theGalleryOutlivesItsClient(LocalElasticsearch es) {
    String index = Fixtures.index("reopen");
    float[][] rows = Fixtures.clustered(20, 8, 4, 0.1, 3);
    long[] first;
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, index, SPACE).build()) {
      first = g.enrolAll(Fixtures.labels(20, 4), rows);
      g.remove(first[3]);
    }
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, index, SPACE).build()) {
      assertEquals(19, g.size());
      assertEquals(Set.of("class-0", "class-1", "class-2", "class-3"), g.labels());
      Neighbor<String> n = g.nearest(rows[5], 1).get(0);
      assertEquals(first[5], n.id());
      assertEquals("class-1", n.label());
      long next = g.enrol("class-9", rows[0]);
      assertTrue(next > first[19], "an id was reused after reopening: " + next);
    }
  }

  @Test
  void clientsOfOneIndexNeverShareAnId(LocalElasticsearch es) throws Exception {
    String index = Fixtures.index("clients");
    float[] row = {1, 2, 3, 4, 5, 6, 7, 8};
    List<Long> all = Collections.synchronizedList(new ArrayList<>());
    try (ElasticsearchGallery<String> a = Fixtures.gallery(es, index, SPACE).idBlock(7).build();
        ElasticsearchGallery<String> b = Fixtures.gallery(es, index, SPACE).idBlock(5).build()) {
      ExecutorService pool = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
          ElasticsearchGallery<String> g = t % 2 == 0 ? a : b;
          String label = "thread-" + t;
          done.add(pool.submit(() -> {
            long previous = -1;
            for (int i = 0; i < 25; i++) {
              long id = g.enrol(label, row);
              assertTrue(id > previous, "one thread's ids increase");
              previous = id;
              all.add(id);
            }
            return null;
          }));
        }
        for (Future<?> f : done) {
          f.get();
        }
      } finally {
        pool.shutdownNow();
      }
      assertEquals(200, new HashSet<>(all).size(), "an id was handed out twice");
      assertEquals(200, a.size());
      assertEquals(200, b.size());
    }
  }

  @Test
  void aRefusedDocumentUndoesTheWholeEnrolment(LocalElasticsearch es) throws IOException {
    String index = Fixtures.index("partial");
    float[][] rows = Fixtures.clustered(10, 8, 2, 0.1, 4);
    ElasticsearchClient raw = Fixtures.rawClient(es);
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, index, SPACE).idBlock(1).build()) {
      long first = g.enrol("before", rows[0]);
      // Someone else writes a document where this gallery's next ids go: the 6th of the next call
      // is refused (documents are created, never replaced).
      String squatter = Long.toString(first + 6);
      raw.create(c -> c.index(index).id(squatter).document(new EmbeddingDocument(first + 6, "squatter", rows[9])));
      ElasticsearchGalleryException e = assertThrows(ElasticsearchGalleryException.class,
          () -> g.enrolAll(Fixtures.labels(10, 2), rows));
      Fixtures.assertMessage(e, "refused 1 of the documents", "version_conflict_engine_exception",
          "none of this call's embeddings was kept");
      assertEquals(0, e.unresolvedIds().length);
      assertEquals(2, g.size(), "what stays: the first enrolment and the other writer's document");
      assertEquals(Set.of("before", "squatter"), g.labels());
      assertTrue(raw.get(r -> r.index(index).id(squatter), Void.class).found(), "the rollback removed another's document");
      // The gallery goes on working, with fresh ids.
      long after = g.enrol("after", rows[1]);
      assertTrue(after > first + 10);
      assertEquals(3, g.size());
    } finally {
      raw._transport().close();
    }
  }

  @Test
  void aUsersClientIsUsedAndLeftOpen(LocalElasticsearch es) throws IOException {
    ElasticsearchClient client = Fixtures.rawClient(es);
    String index = Fixtures.index("user-client");
    try {
      try (ElasticsearchGallery<String> g = ElasticsearchGallery.builder(io.siamese.core.gallery.LabelCodec.strings())
          .client(client).index(index).space(SPACE).replicas(0).build()) {
        g.enrol("a", new float[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertTrue(g.toString().contains("on Elasticsearch at " + es.url()), g.toString());
      }
      // The gallery is closed; the client still answers.
      assertTrue(client.indices().exists(e -> e.index(index)).value());
      client.indices().refresh(r -> r.index(index)); // the gallery did not commit: make its write visible
      assertEquals(1, client.count(c -> c.index(index).query(q -> q.exists(x -> x.field("label")))).count());
    } finally {
      client._transport().close();
    }
  }

  @Test
  void labelsOfAnyTypeRoundTrip(LocalElasticsearch es) {
    try (ElasticsearchGallery<Integer> g = ElasticsearchGallery.builder(io.siamese.core.gallery.LabelCodec.integers())
        .host(es.url()).index(Fixtures.index("ints")).space(SPACE).replicas(0).build()) {
      float[][] rows = Fixtures.clustered(6, 8, 3, 0.1, 5);
      g.enrolAll(List.of(7, -3, 12, 7, -3, 12), rows);
      assertEquals(Set.of(7, -3, 12), g.labels());
      assertEquals(Set.of(7, -3, 12), g.nearest(rows[0], 6).stream().map(Neighbor::label).collect(Collectors.toSet()));
      assertEquals(2, g.removeLabel(-3));
    }
  }
}
