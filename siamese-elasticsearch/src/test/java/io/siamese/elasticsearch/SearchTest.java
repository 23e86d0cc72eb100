package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.gallery.OneShotPrediction;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Searches against a brute-force scan of the same embeddings (a plain loop: the oracle). */
@ExtendWith(ElasticsearchServer.class)
class SearchTest {
  private static final int ROWS = 3_000;
  private static final int QUERIES = 200;
  private static final int DIMENSION = 16;

  static Stream<Arguments> spaces() {
    return Stream.of(
        Arguments.of(Distances.EUCLIDEAN, VectorIndex.hnsw()),
        Arguments.of(Distances.COSINE, VectorIndex.int8Hnsw()),
        Arguments.of(Distances.SQUARED_EUCLIDEAN, VectorIndex.int8Hnsw(8, 32)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("spaces")
  void answersAsTheExactScanDoes(Distance distance, VectorIndex vectorIndex, LocalElasticsearch es) {
    float[][] all = Fixtures.clustered(ROWS + QUERIES, DIMENSION, 100, 0.35, 7);
    float[][] rows = Arrays.copyOf(all, ROWS);
    float[][] queries = Arrays.copyOfRange(all, ROWS, ROWS + QUERIES);
    List<String> labels = Fixtures.labels(ROWS, 100);
    EmbeddingSpace space = Fixtures.space(DIMENSION, distance, "search");
    try (ElasticsearchGallery<String> g = Fixtures.gallery(es, Fixtures.index("search"), space)
        .vectorIndex(vectorIndex).bulkSize(700).build()) {
      long[] ids = g.enrolAll(labels, rows);
      Map<Long, Integer> rowOf = new HashMap<>();
      for (int i = 0; i < ids.length; i++) {
        rowOf.put(ids[i], i);
      }
      assertEquals(ROWS, rowOf.size(), "ids are not unique");

      double[] nearestExact = new double[QUERIES];
      for (int q = 0; q < QUERIES; q++) {
        nearestExact[q] = Fixtures.bruteForce(rows, ids, distance, queries[q], 1).get(0).distance();
      }
      double threshold = Arrays.stream(nearestExact).sorted().toArray()[QUERIES / 2]; // half known, half unknown

      int top1 = 0;
      int inTop5 = 0;
      int sameDecision = 0;
      for (int q = 0; q < QUERIES; q++) {
        List<Fixtures.Exact> exact = Fixtures.bruteForce(rows, ids, distance, queries[q], 5);
        List<Neighbor<String>> found = g.nearest(queries[q], 5);
        assertEquals(5, found.size());
        for (int i = 0; i < found.size(); i++) {
          Neighbor<String> n = found.get(i);
          int row = rowOf.get(n.id());
          // The re-ranking computes the distance from the stored vector: exactly the scan's.
          assertEquals(distance.between(queries[q], rows[row]), n.distance(), 0.0, "distance of id " + n.id());
          assertEquals(labels.get(row), n.label());
          if (i > 0) {
            assertTrue(found.get(i - 1).distance() <= n.distance(), "neighbours out of order");
          }
        }
        if (found.get(0).id() == exact.get(0).id()) {
          top1++;
        }
        Set<Long> exactIds = new HashSet<>();
        exact.forEach(x -> exactIds.add(x.id()));
        inTop5 += (int) found.stream().filter(n -> exactIds.contains(n.id())).count();
        OneShotPrediction<String> expected = OneShotPrediction.of(
            new Neighbor<>(labels.get(exact.get(0).row()), exact.get(0).id(), exact.get(0).distance()), threshold);
        if (g.classify(queries[q], threshold).equals(expected)) {
          sameDecision++;
        }
      }
      double recall1 = top1 / (double) QUERIES;
      double recall5 = inTop5 / (5.0 * QUERIES);
      double decisions = sameDecision / (double) QUERIES;
      System.out.printf("%s %s: recall@1 %.3f, recall@5 %.3f, same decision %.3f%n",
          distance.name(), vectorIndex, recall1, recall5, decisions);
      assertTrue(recall1 >= 0.98, "recall@1 " + recall1);
      assertTrue(recall5 >= 0.95, "recall@5 " + recall5);
      assertTrue(decisions >= 0.99, "same decision as the exact scan for " + decisions);
    }
  }
}
