package io.siamese.bench.gallery;

import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.lucene.LuceneGallery;
import io.siamese.lucene.LuceneGalleryBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * The Lucene gallery's targets of issue 15, measured in one run against the exact scan ({@link
 * ExactScan}) as baseline and truth. A documented harness, not JMH: a build of a million
 * embeddings runs once, for minutes.
 *
 * <ol>
 *   <li>Loads (or makes and caches) the {@link EmbeddingCorpus} of {@code --size} embeddings.
 *   <li>Exact scan: the truth for every query, and its latency, one thread; the in-memory gallery's
 *       latency as users get it (exact, on the common fork-join pool), checked against that truth.
 *   <li>Build: {@code enrolAll} in batches of 10,000, {@code forceMerge(1)}, {@code commit}; time,
 *       and disk per vector.
 *   <li>Reopen + first query, in this JVM (page cache warm from the build; the reopen verifies
 *       every file's checksum, which also reads the whole index once).
 *   <li>Search, one thread: {@code --warmup} queries, then {@code --measure} timed queries cycling
 *       through the corpus's 2,000 (1,000 held-out glyphs of enrolled classes, 1,000 of unknown
 *       classes); p50, p99, mean; recall@1 against the exact scan and the share of queries with
 *       the same decision (label, or unknown at the corpus's threshold from held-out pairs). Each
 *       query's CPU time is reported beside its wall time: on a shared host the wall-time tail
 *       is mostly time the thread waited for a core.
 *   <li>Sustained enrolment: on a copy of the gallery, with a 1-s group commit, one thread enrols
 *       one embedding per call for {@code --enrol-seconds}.
 *   <li>Alternation: on another copy, {@code --alternate} rounds (300) of search, enrol one, search:
 *       the CPU cost of making each enrolment visible to the next search.
 * </ol>
 *
 * <p>Run (after {@code mvn -o -q -pl siamese-bench package -DskipTests}):
 *
 * <pre>
 * java -Xmx4g -cp siamese-bench/target/benchmarks.jar io.siamese.bench.gallery.LuceneGalleryBenchmark \
 *     --size 1000000 --dir /tmp/lucene-gallery --cache siamese-bench/target/corpus
 * </pre>
 *
 * <p>Options: {@code --candidates K} (HNSW candidates re-ranked, default the gallery's), {@code
 * --int8}, {@code --buffer-mb M} (indexing buffer of the build, default 1024), {@code --warmup N}
 * (2000), {@code --measure N} (10000), {@code --enrol-seconds S} (60; 0 skips), {@code --reuse}
 * (search an existing build instead of building), {@code --sweep 25,50,200} (search again with
 * each of these candidate counts, against the same truth). Lines starting {@code RESULT} are the
 * figures.
 */
public final class LuceneGalleryBenchmark {
  private LuceneGalleryBenchmark() {}

  public static void main(String[] args) throws Exception {
    Options o = Options.parse(args);
    Report.machine();
    EmbeddingCorpus corpus = Report.corpus(o.size, o.cache);
    float[][] queries = corpus.queries();
    ExactScan.Nearest[] truth = Report.exactTruth(corpus);
    inMemory(corpus, truth);

    if (!o.reuse) {
      build(o, corpus);
    }
    Report.result("disk bytes per vector", directoryBytes(o.dir) / (double) corpus.size());

    long t = System.nanoTime();
    try (LuceneGallery<Integer> g = builder(o, corpus, o.dir).build()) {
      g.nearest(queries[0], 1);
      Report.result("reopen + first query s", Report.seconds(t));
      search(o, corpus, g, truth);
    }
    t = System.nanoTime();
    try (LuceneGallery<Integer> g = builder(o, corpus, o.dir).verifyChecksumsOnOpen(false).build()) {
      g.nearest(queries[1], 1);
      Report.result("reopen (no checksum pass) + first query s", Report.seconds(t));
    }
    for (int c : o.sweep) {
      System.out.printf(Locale.ROOT, "candidates %d:%n", c);
      try (LuceneGallery<Integer> g =
          LuceneGallery.builder(o.dir, corpus.space(), LabelCodec.integers()).candidates(c).build()) {
        search(o, corpus, g, truth);
      }
    }
    if (o.enrolSeconds > 0) {
      enrol(o, corpus);
    }
    if (o.alternations > 0) {
      alternate(o, corpus);
    }
    System.out.printf(Locale.ROOT, "load at the end: %s%n", Report.load());
  }

  /**
   * The in-memory gallery as users get it (exact; it scans on the common fork-join pool above
   * 16,384 x 64 floats): its latency, and a cross-check of the truth on the first 500 queries.
   */
  private static void inMemory(EmbeddingCorpus corpus, ExactScan.Nearest[] truth) {
    float[][] q = corpus.queries();
    try (InMemoryGallery<Integer> g = InMemoryGallery.create(corpus.space())) {
      float[][] e = corpus.embeddings();
      int[] labels = corpus.labels();
      for (int from = 0; from < e.length; from += 100_000) {
        int to = Math.min(e.length, from + 100_000);
        List<Integer> l = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          l.add(labels[i]);
        }
        g.enrolAll(l, Arrays.copyOfRange(e, from, to));
      }
      for (int i = 0; i < 50; i++) {
        g.nearest(q[i], 1);
      }
      int n = Math.min(500, q.length);
      long[] nanos = new long[n];
      for (int i = 0; i < n; i++) {
        long s = System.nanoTime();
        Neighbor<Integer> got = g.nearest(q[i], 1).get(0);
        nanos[i] = System.nanoTime() - s;
        if (got.id() != truth[i].row() || got.distance() != truth[i].distance()) {
          throw new AssertionError("the exact scan and the in-memory gallery disagree on query " + i);
        }
      }
      Report.result("in-memory gallery (common pool) p50 ms", Report.percentile(nanos, 0.50) / 1e6);
      Report.result("in-memory gallery (common pool) p99 ms", Report.percentile(nanos, 0.99) / 1e6);
    }
  }

  private static LuceneGalleryBuilder<Integer> builder(Options o, EmbeddingCorpus corpus, Path dir) {
    LuceneGalleryBuilder<Integer> b = LuceneGallery.builder(dir, corpus.space(), LabelCodec.integers());
    if (o.candidates > 0) {
      b.candidates(o.candidates);
    }
    return b;
  }

  private static void build(Options o, EmbeddingCorpus corpus) throws IOException {
    deleteRecursively(o.dir);
    long t = System.nanoTime();
    long cpu = processCpuNanos();
    long mainCpu = THREADS.getCurrentThreadCpuTime();
    LuceneGalleryBuilder<Integer> b = builder(o, corpus, o.dir).indexingBufferMegabytes(o.bufferMegabytes);
    if (o.int8) {
      b.int8Quantization();
    }
    try (LuceneGallery<Integer> g = b.build()) {
      float[][] e = corpus.embeddings();
      int[] labels = corpus.labels();
      int batch = 10_000;
      for (int from = 0; from < e.length; from += batch) {
        int to = Math.min(e.length, from + batch);
        List<Integer> l = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
          l.add(labels[i]);
        }
        g.enrolAll(l, Arrays.copyOfRange(e, from, to));
        if ((to / batch) % 10 == 0) {
          System.out.printf(Locale.ROOT, "build: %d enrolled, %.0f s%n", to, Report.seconds(t));
        }
      }
      g.commit();
      double enrolled = Report.seconds(t);
      int segments = g.segments();
      long m = System.nanoTime();
      g.forceMerge(1);
      g.commit();
      Report.result("build: enrolAll s", enrolled);
      Report.result("build: segments before merge", segments);
      Report.result("build: forceMerge(1) + commit s", Report.seconds(m));
      Report.result("build + force-merge s", Report.seconds(t));
      Report.result("build + force-merge, process CPU s", (processCpuNanos() - cpu) / 1e9);
      Report.result("build + force-merge, main thread CPU s", (THREADS.getCurrentThreadCpuTime() - mainCpu) / 1e9);
    }
  }

  private static void search(Options o, EmbeddingCorpus corpus, LuceneGallery<Integer> g, ExactScan.Nearest[] truth) {
    float[][] q = corpus.queries();
    for (int i = 0; i < o.warmup; i++) {
      g.nearest(q[i % q.length], 1);
    }
    long[] nanos = new long[o.measure];
    long[] cpu = new long[o.measure];
    int sameTop = 0;
    int sameDecision = 0;
    for (int i = 0; i < o.measure; i++) {
      int qi = i % q.length;
      long c = THREADS.getCurrentThreadCpuTime();
      long s = System.nanoTime();
      List<Neighbor<Integer>> n = g.nearest(q[qi], 1);
      nanos[i] = System.nanoTime() - s;
      cpu[i] = THREADS.getCurrentThreadCpuTime() - c;
      if (i < q.length) {
        Neighbor<Integer> got = n.get(0);
        ExactScan.Nearest want = truth[qi];
        if (got.id() == want.row()) {
          sameTop++;
        }
        // Ids count up from 0 in enrolment order, so the row of the exact scan is the id.
        boolean knownWant = want.distance() <= corpus.threshold();
        boolean knownGot = got.distance() <= corpus.threshold();
        int labelWant = corpus.labels()[want.row()];
        if (knownWant == knownGot && (!knownWant || labelWant == got.label())) {
          sameDecision++;
        }
      }
    }
    int judged = Math.min(o.measure, q.length);
    Report.result("queries judged", judged);
    Report.result("recall@1 vs exact", sameTop / (double) judged);
    Report.result("same decision as exact", sameDecision / (double) judged);
    Report.result("query p50 ms", Report.percentile(nanos, 0.50) / 1e6);
    Report.result("query p99 ms", Report.percentile(nanos, 0.99) / 1e6);
    Report.result("query mean ms", Arrays.stream(nanos).average().orElse(0) / 1e6);
    Report.result("query CPU p50 ms", Report.percentile(cpu, 0.50) / 1e6);
    Report.result("query CPU p99 ms", Report.percentile(cpu, 0.99) / 1e6);
  }

  private static void enrol(Options o, EmbeddingCorpus corpus) throws IOException {
    Path copy = o.dir.resolveSibling(o.dir.getFileName() + "-enrol");
    deleteRecursively(copy);
    copyRecursively(o.dir, copy);
    float[][] e = corpus.embeddings();
    long deadline = System.nanoTime() + Duration.ofSeconds(o.enrolSeconds).toNanos();
    long t = System.nanoTime();
    long cpu = processCpuNanos();
    long n = 0;
    long durableAtEnd;
    long lastId = -1;
    try (LuceneGallery<Integer> g = builder(o, corpus, copy).groupCommit(Duration.ofSeconds(1)).build()) {
      while (System.nanoTime() < deadline) {
        lastId = g.enrol(-2, e[(int) (n % e.length)]);
        n++;
      }
      double s = Report.seconds(t);
      durableAtEnd = g.durableBelow();
      Report.result("sustained enrolment, 1-s group commit, per s", n / s);
      Report.result("enrolled in the window", n);
      Report.result("enrolment: process CPU per wall s", (processCpuNanos() - cpu) / 1e9 / s);
      Report.result("not yet durable at the end (ids)", lastId + 1 - durableAtEnd);
      Report.result("segments after enrolment", g.segments());
    }
    deleteRecursively(copy);
  }

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  /** CPU time of the whole process (all threads: merges and group commits included). */
  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * Single enrolments alternating with searches, on a copy: each search after an enrolment
   * reopens the near-real-time reader (the new document is flushed as a one-document segment and
   * opened). CPU time of the calling thread, which does that work.
   */
  private static void alternate(Options o, EmbeddingCorpus corpus) throws IOException {
    Path copy = o.dir.resolveSibling(o.dir.getFileName() + "-alternate");
    deleteRecursively(copy);
    copyRecursively(o.dir, copy);
    float[][] q = corpus.queries();
    float[][] e = corpus.embeddings();
    int n = o.alternations;
    long[] plain = new long[n];
    long[] enrol = new long[n];
    long[] after = new long[n];
    try (LuceneGallery<Integer> g = builder(o, corpus, copy).build()) {
      for (int i = 0; i < 500; i++) {
        g.nearest(q[i % q.length], 1);
      }
      for (int i = 0; i < n; i++) {
        long c = THREADS.getCurrentThreadCpuTime();
        g.nearest(q[i % q.length], 1);
        long d = THREADS.getCurrentThreadCpuTime();
        g.enrol(-3, e[i % e.length]);
        long f = THREADS.getCurrentThreadCpuTime();
        g.nearest(q[(i + 1) % q.length], 1);
        after[i] = THREADS.getCurrentThreadCpuTime() - f;
        enrol[i] = f - d;
        plain[i] = d - c;
      }
      Report.result("alternating: search CPU p50 ms", Report.percentile(plain, 0.50) / 1e6);
      Report.result("alternating: enrol CPU p50 ms", Report.percentile(enrol, 0.50) / 1e6);
      Report.result("alternating: search after an enrol CPU p50 ms", Report.percentile(after, 0.50) / 1e6);
      Report.result("alternating: search after an enrol CPU p90 ms", Report.percentile(after, 0.90) / 1e6);
    }
    deleteRecursively(copy);
  }

  private static long directoryBytes(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.mapToLong(p -> p.toFile().length()).sum();
    }
  }

  private static void copyRecursively(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> s = Files.list(from)) {
      for (Path p : s.toList()) {
        if (!p.getFileName().toString().equals("write.lock")) {
          Files.copy(p, to.resolve(p.getFileName()));
        }
      }
    }
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** Command-line options. */
  private record Options(
      int size, Path dir, Path cache, int candidates, boolean int8, double bufferMegabytes, int warmup, int measure,
      int enrolSeconds, boolean reuse, int[] sweep, int alternations) {
    static Options parse(String[] args) {
      int size = 1_000_000;
      Path dir = Path.of(System.getProperty("java.io.tmpdir"), "siamese-lucene-bench");
      Path cache = Path.of("siamese-bench", "target", "corpus");
      int candidates = 0;
      boolean int8 = false;
      double buffer = 1024;
      int warmup = 2000;
      int measure = 10_000;
      int enrolSeconds = 60;
      boolean reuse = false;
      int[] sweep = {};
      int alternations = 300;
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--size" -> size = Integer.parseInt(args[++i]);
          case "--dir" -> dir = Path.of(args[++i]);
          case "--cache" -> cache = Path.of(args[++i]);
          case "--candidates" -> candidates = Integer.parseInt(args[++i]);
          case "--int8" -> int8 = true;
          case "--buffer-mb" -> buffer = Double.parseDouble(args[++i]);
          case "--warmup" -> warmup = Integer.parseInt(args[++i]);
          case "--measure" -> measure = Integer.parseInt(args[++i]);
          case "--enrol-seconds" -> enrolSeconds = Integer.parseInt(args[++i]);
          case "--reuse" -> reuse = true;
          case "--alternate" -> alternations = Integer.parseInt(args[++i]);
          case "--sweep" -> sweep = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          default -> throw new IllegalArgumentException("unknown option " + args[i] + "; see the class's Javadoc");
        }
      }
      return new Options(size, dir.toAbsolutePath(), cache, candidates, int8, buffer, warmup, measure, enrolSeconds, reuse, sweep, alternations);
    }
  }
}
