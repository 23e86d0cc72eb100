package io.siamese.bench.gallery;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch.indices.stats.IndexStats;
import co.elastic.clients.json.SimpleJsonpMapper;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.elasticsearch.ElasticsearchGallery;
import io.siamese.elasticsearch.ElasticsearchGalleryBuilder;
import io.siamese.elasticsearch.VectorIndex;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.http.HttpHost;
import org.elasticsearch.client.RestClient;

/**
 * The Elasticsearch gallery's target of issue 15 (recall@1 >= 0.98 at 100,000 embeddings, with
 * throughput and latency reported), measured in one run against the exact scan ({@link ExactScan})
 * as baseline and truth. A documented harness, not JMH: the server, the bulk load and the merge
 * run once.
 *
 * <ol>
 *   <li>Loads (or makes and caches) the {@link EmbeddingCorpus} of {@code --size} embeddings (a
 *       trained Conv-4's embeddings of synthetic glyphs, 64 floats, Euclidean).
 *   <li>Exact scan, one thread: the truth for every query, and its latency.
 *   <li>Starts a single-node Elasticsearch 8.19 ({@link LocalElasticsearch}: the integ-test
 *       distribution siamese-elasticsearch's build unpacks, 512 MB heap, on 127.0.0.1), unless
 *       {@code --url} names a running one.
 *   <li>Bulk enrolment: {@code enrolAll} in calls of 10,000 (bulk requests of {@code --bulk}
 *       documents), one client thread, the default 1-s refresh (none with {@code --refresh-off});
 *       embeddings per second.
 *   <li>Search as loaded (many segments): {@code --measure-loaded} queries.
 *   <li>{@code forceMerge(1)}, the offline build's last step; its time; disk per vector.
 *   <li>Search, one client thread: {@code --warmup} queries, then {@code --measure} timed queries
 *       cycling through the corpus's 2,000 (1,000 held-out glyphs of enrolled classes, 1,000 of
 *       unknown classes); p50, p99, mean; recall@1 against the exact scan; the share of queries
 *       with the same decision (label, or unknown at the corpus's threshold).
 * </ol>
 *
 * <p>Run from the repository root (after {@code mvn -o -q -pl siamese-elasticsearch,siamese-bench
 * -am package -DskipTests}, which also unpacks the server into siamese-elasticsearch/target):
 *
 * <pre>
 * java -Xmx2g -cp siamese-bench/target/benchmarks.jar io.siamese.bench.gallery.ElasticsearchGalleryBenchmark \
 *     --size 100000 --cache siamese-bench/target/corpus
 * </pre>
 *
 * <p>Options: {@code --candidates K} (neighbours re-ranked exactly, default 10), {@code
 * --num-candidates N} (HNSW queue per shard, default 100), {@code --int8}, {@code --refresh-off},
 * {@code --bulk N} (1000), {@code --warmup N} (2000), {@code --measure N} (10000), {@code --measure-loaded N} (2000), {@code
 * --url URL} (a running server instead of starting one), {@code --home DIR} (the unpacked
 * distribution), {@code --run DIR} (the server's files, default
 * siamese-bench/target/elasticsearch-bench). Lines starting {@code RESULT} are the figures.
 */
public final class ElasticsearchGalleryBenchmark {
  private ElasticsearchGalleryBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Report.machine();
    EmbeddingCorpus corpus = Report.corpus(o.size, o.cache);
    ExactScan.Nearest[] truth = Report.exactTruth(corpus);

    LocalElasticsearch server = null;
    String url = o.url;
    if (url == null) {
      LocalElasticsearch.deleteTree(o.run);
      long t = System.nanoTime();
      server = LocalElasticsearch.start(o.home == null ? LocalElasticsearch.defaultHome() : o.home, o.run,
          Duration.ofMinutes(5));
      url = server.url();
      Report.result("server start s", Report.seconds(t));
    }
    String index = "siamese-bench-" + ProcessHandle.current().pid();
    try (ElasticsearchGallery<Integer> g = builder(o, corpus, url, index).build()) {
      long[] rowOfId = load(o, corpus, g);
      System.out.printf(Locale.ROOT, "segments after loading: %d%n", stats(url, index).segments().count());
      search(corpus, g, truth, rowOfId, 0, o.measureLoaded, "as loaded: ");

      long t = System.nanoTime();
      g.forceMerge(1);
      Report.result("forceMerge(1) s", Report.seconds(t));
      IndexStats stats = stats(url, index);
      Report.result("segments after merge", stats.segments().count());
      Report.result("disk bytes per vector (store, 1 copy)", stats.store().sizeInBytes() / (double) corpus.size());
      search(corpus, g, truth, rowOfId, o.warmup, o.measure, "");
    } finally {
      if (server != null) {
        server.close();
        LocalElasticsearch.deleteTree(o.run);
      }
    }
    System.out.printf(Locale.ROOT, "load at the end: %s%n", Report.load());
  }

  private static ElasticsearchGalleryBuilder<Integer> builder(Options o, EmbeddingCorpus corpus, String url, String index) {
    ElasticsearchGalleryBuilder<Integer> b = ElasticsearchGallery.builder(LabelCodec.integers())
        .host(url)
        .index(index)
        .space(corpus.space())
        .replicas(0)
        .vectorIndex(o.int8 ? VectorIndex.int8Hnsw() : VectorIndex.hnsw())
        .candidates(o.candidates)
        .numCandidates(o.numCandidates)
        .bulkSize(o.bulk);
    return o.refreshOff ? b.refreshInterval(Duration.ofSeconds(-1)) : b;
  }

  /** Enrols the corpus; returns the corpus row of each id. */
  private static long[] load(Options o, EmbeddingCorpus corpus, ElasticsearchGallery<Integer> g) {
    float[][] e = corpus.embeddings();
    int[] labels = corpus.labels();
    Map<Long, Integer> rows = new HashMap<>();
    long t = System.nanoTime();
    int batch = 10_000;
    for (int from = 0; from < e.length; from += batch) {
      int to = Math.min(e.length, from + batch);
      List<Integer> l = new ArrayList<>(to - from);
      for (int i = from; i < to; i++) {
        l.add(labels[i]);
      }
      long[] ids = g.enrolAll(l, Arrays.copyOfRange(e, from, to));
      for (int i = 0; i < ids.length; i++) {
        rows.put(ids[i], from + i);
      }
      System.out.printf(Locale.ROOT, "load: %d enrolled, %.0f s%n", to, Report.seconds(t));
    }
    double s = Report.seconds(t);
    t = System.nanoTime();
    g.commit();
    Report.result("bulk enrolment s", s);
    Report.result("bulk enrolment embeddings/s", e.length / s);
    Report.result("commit (refresh) after the load s", Report.seconds(t));
    long max = rows.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
    long[] rowOfId = new long[(int) max + 1];
    Arrays.fill(rowOfId, -1);
    rows.forEach((id, row) -> rowOfId[(int) (long) id] = row);
    return rowOfId;
  }

  private static void search(EmbeddingCorpus corpus, ElasticsearchGallery<Integer> g,
      ExactScan.Nearest[] truth, long[] rowOfId, int warmup, int measure, String prefix) {
    float[][] q = corpus.queries();
    for (int i = 0; i < warmup; i++) {
      g.nearest(q[i % q.length], 1);
    }
    long[] nanos = new long[measure];
    int sameTop = 0;
    int sameDecision = 0;
    for (int i = 0; i < measure; i++) {
      int qi = i % q.length;
      long s = System.nanoTime();
      List<Neighbor<Integer>> n = g.nearest(q[qi], 1);
      nanos[i] = System.nanoTime() - s;
      if (i < q.length) {
        Neighbor<Integer> got = n.get(0);
        ExactScan.Nearest want = truth[qi];
        if (rowOfId[(int) got.id()] == want.row()) {
          sameTop++;
        }
        boolean knownWant = want.distance() <= corpus.threshold();
        boolean knownGot = got.distance() <= corpus.threshold();
        if (knownWant == knownGot && (!knownWant || corpus.labels()[want.row()] == got.label())) {
          sameDecision++;
        }
      }
    }
    int judged = Math.min(measure, q.length);
    Report.result(prefix + "queries judged", judged);
    Report.result(prefix + "recall@1 vs exact", sameTop / (double) judged);
    Report.result(prefix + "same decision as exact", sameDecision / (double) judged);
    Report.result(prefix + "query p50 ms", Report.percentile(nanos, 0.50) / 1e6);
    Report.result(prefix + "query p99 ms", Report.percentile(nanos, 0.99) / 1e6);
    Report.result(prefix + "query mean ms", Arrays.stream(nanos).average().orElse(0) / 1e6);
  }

  /** The index's primary-shard statistics, read with a client of the benchmark's own. */
  private static IndexStats stats(String url, String index) throws IOException {
    try (RestClientTransport transport =
        new RestClientTransport(RestClient.builder(HttpHost.create(url)).build(), new SimpleJsonpMapper())) {
      return new ElasticsearchClient(transport).indices().stats(s -> s.index(index)).indices().get(index).primaries();
    }
  }

  /** Command-line options. */
  private record Options(
      int size, Path cache, int candidates, int numCandidates, boolean int8, int bulk, int warmup, int measure,
      int measureLoaded, boolean refreshOff, String url, Path home, Path run) {
    static Options parse(String[] args) {
      int size = 100_000;
      Path cache = Path.of("siamese-bench", "target", "corpus");
      int candidates = 10;
      int numCandidates = 100;
      boolean int8 = false;
      int bulk = 1_000;
      int warmup = 2000;
      int measure = 10_000;
      int measureLoaded = 2000;
      boolean refreshOff = false;
      String url = null;
      Path home = null;
      Path run = Path.of("siamese-bench", "target", "elasticsearch-bench");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--cache" -> cache = Path.of(args[++i]);
          case "--candidates" -> candidates = Integer.parseInt(args[++i]);
          case "--num-candidates" -> numCandidates = Integer.parseInt(args[++i]);
          case "--int8" -> int8 = true;
          case "--bulk" -> bulk = Integer.parseInt(args[++i]);
          case "--warmup" -> warmup = Integer.parseInt(args[++i]);
          case "--measure" -> measure = Integer.parseInt(args[++i]);
          case "--measure-loaded" -> measureLoaded = Integer.parseInt(args[++i]);
          case "--refresh-off" -> refreshOff = true;
          case "--url" -> url = args[++i];
          case "--home" -> home = Path.of(args[++i]);
          case "--run" -> run = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the class's Javadoc");
        }
      }
      return new Options(size, cache, candidates, numCandidates, int8, bulk, warmup, measure, measureLoaded, refreshOff,
          url, home, run.toAbsolutePath());
    }
  }
}
