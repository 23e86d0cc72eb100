package io.siamese.bench;

import io.siamese.core.train.TwinBatching;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The library and its raw TensorFlow Java baselines in one JVM, interleaved: each "arm" (the
 * library, the raw baseline with each {@link RawPooling}) runs for a block of time in turn, the
 * order rotating from block to block, so that a slow phase of a shared host falls on every arm
 * alike. Reports each arm's median rate and, per baseline, the median over blocks of the ratio
 * library / baseline within the same round. On a noisy machine this pairs better than separate
 * JMH forks, at the price of sharing one JVM (and one TensorFlow thread pool) between the arms.
 *
 * <p>Each arm runs the same code as the JMH benchmark method of the same name, on the same state.
 *
 * <pre>
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.PairedComparison forward 256
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.PairedComparison contrastive 64 [STACKED|SEPARATE] [blockMs] [blocks]
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.PairedComparison batchHard 64 [blockMs] [blocks]
 * </pre>
 *
 * <p>{@code forward}: Conv-4 (28x28x1, 64 filters) forward at the given batch, as {@link
 * EncoderForwardBenchmark}. {@code contrastive} / {@code batchHard}: one training step of the
 * given number of pairs (pair-equivalents), as {@link TrainingStepBenchmark}. Blocks default to
 * 1,500 ms and 20 rounds, after a warm-up of two blocks per arm.
 */
public final class PairedComparison {
  private PairedComparison() {}

  private record Arm(String name, Runnable call, Runnable close) {}

  public static void main(String[] args) {
    if (args.length < 2) {
      usage("expected a kind and a batch size");
    }
    String kind = args[0];
    int batch = parsePositive(args[1], "batch");
    int next = 2;
    TwinBatching twins = TwinBatching.STACKED;
    if (kind.equals("contrastive") && args.length > next && !args[next].matches("\\d+")) {
      try {
        twins = TwinBatching.valueOf(args[next++]);
      } catch (IllegalArgumentException e) {
        usage("twin batching must be STACKED or SEPARATE, got " + args[next - 1]);
      }
    }
    long blockMs = args.length > next ? parsePositive(args[next++], "blockMs") : 1_500;
    int blocks = args.length > next ? parsePositive(args[next], "blocks") : 20;
    List<Arm> arms = new ArrayList<>();
    try {
      addArms(arms, kind, batch, twins);
      run(kind + " " + batch, arms, blockMs, blocks);
    } finally {
      // Also the arms set up before one that failed.
      arms.forEach(a -> a.close().run());
    }
  }

  private static void addArms(List<Arm> arms, String kind, int batch, TwinBatching twins) {
    switch (kind) {
      case "forward" -> {
        EncoderForwardBenchmark bm = new EncoderForwardBenchmark();
        GflopCounter counter = new GflopCounter();
        EncoderForwardBenchmark.Library lib = new EncoderForwardBenchmark.Library();
        lib.encoder = "conv4";
        lib.batch = batch;
        lib.setUp();
        arms.add(new Arm("library", () -> bm.library(lib, counter), lib::tearDown));
        for (RawPooling pooling : RawPooling.values()) {
          EncoderForwardBenchmark.Raw raw = new EncoderForwardBenchmark.Raw();
          raw.encoder = "conv4";
          raw.batch = batch;
          raw.rawPooling = pooling;
          raw.setUp();
          arms.add(new Arm("raw " + pooling, () -> bm.rawTensorFlow(raw, counter), raw::tearDown));
        }
      }
      case "contrastive" -> {
        TrainingStepBenchmark bm = new TrainingStepBenchmark();
        TrainingStepBenchmark.LibraryPairs lib = new TrainingStepBenchmark.LibraryPairs();
        lib.batch = batch;
        lib.twins = twins;
        lib.setUp();
        arms.add(new Arm("library " + twins, () -> bm.library(lib), lib::tearDown));
        for (RawPooling pooling : RawPooling.values()) {
          TrainingStepBenchmark.RawPairs raw = new TrainingStepBenchmark.RawPairs();
          raw.batch = batch;
          raw.rawPooling = pooling;
          raw.setUp();
          arms.add(new Arm("raw " + pooling, () -> bm.rawTensorFlow(raw), raw::tearDown));
        }
      }
      case "batchHard" -> {
        TrainingStepBenchmark bm = new TrainingStepBenchmark();
        TrainingStepBenchmark.LibraryBatchHard lib = new TrainingStepBenchmark.LibraryBatchHard();
        lib.batch = batch;
        lib.setUp();
        arms.add(new Arm("library", () -> bm.libraryBatchHard(lib), lib::tearDown));
        for (RawPooling pooling : RawPooling.values()) {
          TrainingStepBenchmark.RawBatchHard raw = new TrainingStepBenchmark.RawBatchHard();
          raw.batch = batch;
          raw.rawPooling = pooling;
          raw.setUp();
          arms.add(new Arm("raw " + pooling, () -> bm.rawBatchHard(raw), raw::tearDown));
        }
      }
      default -> usage("kind must be forward, contrastive or batchHard, got " + kind);
    }
  }

  private static void run(String title, List<Arm> arms, long blockMs, int blocks) {
    for (Arm arm : arms) {
      timed(arm, 2 * blockMs);
    }
    int n = arms.size();
    double[][] rate = new double[n][blocks];
    for (int b = 0; b < blocks; b++) {
      for (int j = 0; j < n; j++) {
        int i = (j + b) % n;
        rate[i][b] = timed(arms.get(i), blockMs);
      }
    }
    System.out.printf(Locale.ROOT, "%s: %d rounds of %d ms per arm, calls per second%n", title, blocks, blockMs);
    for (int i = 0; i < n; i++) {
      double[] sorted = rate[i].clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "  %-22s median %10.3f  (min %.3f, max %.3f)%n",
          arms.get(i).name(), median(rate[i]), sorted[0], sorted[blocks - 1]);
    }
    for (int i = 1; i < n; i++) {
      double[] ratio = new double[blocks];
      for (int b = 0; b < blocks; b++) {
        ratio[b] = rate[0][b] / rate[i][b];
      }
      double[] sorted = ratio.clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "  %s / %s: %.3f (median of the rounds' ratios; quartiles %.3f-%.3f)%n",
          arms.get(0).name(), arms.get(i).name(), median(ratio), sorted[blocks / 4], sorted[(3 * blocks) / 4]);
    }
  }

  /** Calls per second of {@code arm} over about {@code millis}. */
  private static double timed(Arm arm, long millis) {
    long start = System.nanoTime();
    long end = start + millis * 1_000_000;
    int calls = 0;
    while (System.nanoTime() - end < 0) {
      arm.call().run();
      calls++;
    }
    return calls / ((System.nanoTime() - start) / 1e9);
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static int parsePositive(String text, String what) {
    try {
      int v = Integer.parseInt(text);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(what + " must be a positive integer, got " + text);
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("PairedComparison: " + problem);
    System.err.println("usage: PairedComparison forward|contrastive|batchHard BATCH [STACKED|SEPARATE] [blockMs] [blocks]");
    System.exit(2);
  }
}
