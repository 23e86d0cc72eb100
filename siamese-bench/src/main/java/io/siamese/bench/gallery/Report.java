package io.siamese.bench.gallery;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the gallery harnesses print and how they summarise timings, in one place so that the
 * Lucene and Elasticsearch figures are read the same way. Harness output, not library logging.
 */
final class Report {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

  private Report() {}

  /** The first line of every run: the JVM, the CPUs, the load and the heap the figures came from. */
  static void machine() {
    System.out.printf(Locale.ROOT, "java %s, %d cpus, load %s, max heap %d MB%n", Runtime.version(),
        Runtime.getRuntime().availableProcessors(), load(), Runtime.getRuntime().maxMemory() >> 20);
  }

  /** Loads (or makes and caches) the corpus of {@code size} embeddings and says how long it took. */
  static EmbeddingCorpus corpus(int size, Path cache) {
    long t = System.nanoTime();
    EmbeddingCorpus corpus = EmbeddingCorpus.load(size, cache);
    System.out.printf(Locale.ROOT, "corpus: %d embeddings, %d queries, threshold %.4f, loaded in %.1f s%n",
        corpus.size(), corpus.queries().length, corpus.threshold(), seconds(t));
    return corpus;
  }

  /**
   * The exact answer to every query (the truth each index is judged against) and the exact scan's
   * single-threaded latency, by wall clock and by this thread's CPU time, as the baseline.
   */
  static ExactScan.Nearest[] exactTruth(EmbeddingCorpus corpus) {
    float[][] queries = corpus.queries();
    ExactScan exact = new ExactScan(corpus.embeddings());
    for (int i = 0; i < 50; i++) {
      exact.nearest(queries[i]);
    }
    ExactScan.Nearest[] truth = new ExactScan.Nearest[queries.length];
    long[] exactNanos = new long[queries.length];
    long[] exactCpu = new long[queries.length];
    for (int i = 0; i < queries.length; i++) {
      long c = THREADS.getCurrentThreadCpuTime();
      long s = System.nanoTime();
      truth[i] = exact.nearest(queries[i]);
      exactNanos[i] = System.nanoTime() - s;
      exactCpu[i] = THREADS.getCurrentThreadCpuTime() - c;
    }
    result("exact scan (1 thread) p50 ms", percentile(exactNanos, 0.50) / 1e6);
    result("exact scan (1 thread) p99 ms", percentile(exactNanos, 0.99) / 1e6);
    result("exact scan (1 thread) CPU p50 ms", percentile(exactCpu, 0.50) / 1e6);
    result("exact scan (1 thread) CPU p99 ms", percentile(exactCpu, 0.99) / 1e6);
    return truth;
  }

  /** One {@code RESULT name value} line, the form the docs quote and scripts grep. */
  static void result(String name, double value) {
    System.out.printf(Locale.ROOT, "RESULT %-45s %.4f%n", name, value);
  }

  /** Seconds elapsed since a {@link System#nanoTime()} reading. */
  static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  /**
   * The nearest-rank percentile of {@code values} (their units), {@code p} in (0, 1]; the array
   * is not modified.
   */
  static double percentile(long[] values, double p) {
    long[] v = values.clone();
    Arrays.sort(v);
    return v[(int) Math.min(v.length - 1, Math.ceil(p * v.length) - 1)];
  }

  /** The machine's 1-minute load average, printed beside every figure measured under it. */
  static String load() {
    double l = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    return String.format(Locale.ROOT, "%.2f (1-min average)", l);
  }
}
