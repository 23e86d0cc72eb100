package io.siamese.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.json.SimpleJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distance;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/** Shared test data: spaces, index names, clustered embeddings and a brute-force oracle. */
final class Fixtures {
  private static final AtomicInteger INDEXES = new AtomicInteger();

  private Fixtures() {}

  static EmbeddingSpace space(int dimension, Distance distance, String digest) {
    return new EmbeddingSpace(dimension, distance, digest);
  }

  /** A fresh index name for one test. */
  static String index(String prefix) {
    return (prefix + "-" + ProcessHandle.current().pid() + "-" + INDEXES.incrementAndGet()).toLowerCase(Locale.ROOT);
  }

  /** A builder of a string-labelled gallery on the test server, with no replicas (one node). */
  static ElasticsearchGalleryBuilder<String> gallery(LocalElasticsearch es, String index, EmbeddingSpace space) {
    return ElasticsearchGallery.builder(LabelCodec.strings()).host(es.url()).index(index).space(space).replicas(0);
  }

  /** A raw client, for what the tests look at behind the gallery's back. Close its transport. */
  static ElasticsearchClient rawClient(LocalElasticsearch es) {
    RestClient rest = RestClient.builder(HttpHost.create(es.url())).build();
    return new ElasticsearchClient(new RestClientTransport(rest, new SimpleJsonpMapper()));
  }

  /**
   * {@code n} embeddings in {@code classes} Gaussian clusters: class {@code i % classes}, centre
   * drawn from N(0, 1), spread {@code spread}.
   */
  static float[][] clustered(int n, int dimension, int classes, double spread, long seed) {
    Random r = new Random(seed);
    float[][] centres = new float[classes][dimension];
    for (float[] c : centres) {
      for (int j = 0; j < dimension; j++) {
        c[j] = (float) r.nextGaussian();
      }
    }
    float[][] out = new float[n][dimension];
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < dimension; j++) {
        out[i][j] = centres[i % classes][j] + (float) (spread * r.nextGaussian());
      }
    }
    return out;
  }

  static List<String> labels(int n, int classes) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add("class-" + (i % classes));
    }
    return out;
  }

  /** One brute-force answer: the row index, its id and its distance. */
  record Exact(int row, long id, double distance) {}

  /** The exact k nearest rows, nearest first, ties to the smaller id: a plain loop, the oracle. */
  static List<Exact> bruteForce(float[][] rows, long[] ids, Distance distance, float[] query, int k) {
    List<Exact> all = new ArrayList<>(rows.length);
    for (int i = 0; i < rows.length; i++) {
      all.add(new Exact(i, ids[i], distance.between(query, rows[i])));
    }
    all.sort(Comparator.comparingDouble(Exact::distance).thenComparingLong(Exact::id));
    return all.subList(0, Math.min(k, all.size()));
  }

  /** Asserts that {@code e}'s message contains every one of {@code parts}. */
  static void assertMessage(Throwable e, String... parts) {
    for (String part : parts) {
      org.junit.jupiter.api.Assertions.assertTrue(
          e.getMessage() != null && e.getMessage().contains(part),
          () -> "expected the message to contain \"" + part + "\", got: " + e.getMessage());
    }
  }
}
