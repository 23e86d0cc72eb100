package io.siamese.bench.gallery;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Locale;

/**
 * What the gallery harnesses print and how they summarise timings, in one place so that the
 * Lucene and Elasticsearch figures are read the same way. Harness output, not library logging.
 */
final class Report {

  private Report() {}

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
