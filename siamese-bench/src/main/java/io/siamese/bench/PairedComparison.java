package io.siamese.bench;

import io.siamese.core.train.TwinBatching;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

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
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.PairedComparison forward 256 [options]
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.PairedComparison contrastive 64 [STACKED|SEPARATE] [blockMs] [blocks] [options]
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.PairedComparison batchHard 64 [blockMs] [blocks] [options]
 * </pre>
 *
 * <p>{@code forward}: Conv-4 (28x28x1, 64 filters) forward at the given batch, as {@link
 * EncoderForwardBenchmark}. {@code contrastive} / {@code batchHard}: one training step of the
 * given number of pairs (pair-equivalents), as {@link TrainingStepBenchmark}. Blocks default to
 * 1,500 ms and 20 rounds, after a warm-up of two blocks per arm.
 *
 * <p>Options, {@code key=value} anywhere after the kind and batch:
 *
 * <ul>
 *   <li>{@code encoder=conv4|koch} ({@code forward} only; default conv4).
 *   <li>{@code threads=INTRA,INTER}: TensorFlow's pools for every arm (default 0,0: TensorFlow's
 *       choice). With {@code threads=1,1} the CPU time per call is the work a call does, which a
 *       busy host disturbs far less than the wall time.
 *   <li>{@code precision=FP32|MIXED}: the library arm's precision (default FP32); {@code
 *       rawPrecision=...} the same for the raw arms (the session-level rewrite, as the library
 *       applies it).
 *   <li>{@code raw=TF_JAVA_API,MAX_POOL_OP}: which raw arms to run (default: both for training,
 *       {@code TF_JAVA_API} for forward).
 *   <li>{@code fp32Library=true} ({@code forward} and {@code contrastive}): a second library arm in
 *       float32, the yardstick of {@code precision=MIXED}.
 * </ul>
 *
 * <p>Besides the rates it prints each arm's process CPU time per call (all threads: TensorFlow's
 * pools spin while they wait, so under the default pools the CPU time overstates the work) and
 * the ratio baseline / library of CPU time per call, per round, as a second reading of the same
 * comparison.
 */
public final class PairedComparison {
  private PairedComparison() {}

  private record Arm(String name, Runnable call, Runnable close) {}

  private static final com.sun.management.OperatingSystemMXBean OS =
      ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean o ? o : null;

  /** The options, with their defaults. */
  static final class Options {
    String encoder = "conv4";
    int intraOp;
    int interOp;
    String precision = "FP32";
    String rawPrecision = "FP32";
    List<RawPooling> raw;
    boolean fp32Library;

    void set(String key, String value) {
      switch (key) {
        case "encoder" -> encoder = value;
        case "threads" -> {
          String[] t = value.split(",");
          if (t.length != 2) {
            usage("threads must be INTRA,INTER, got " + value);
          }
          intraOp = parseNonNegative(t[0], "intra-op threads");
          interOp = parseNonNegative(t[1], "inter-op threads");
        }
        case "precision" -> precision = value;
        case "fp32Library" -> fp32Library = Boolean.parseBoolean(value);
        case "rawPrecision" -> rawPrecision = value;
        case "raw" -> {
          raw = new ArrayList<>();
          for (String p : value.split(",")) {
            try {
              raw.add(RawPooling.valueOf(p));
            } catch (IllegalArgumentException e) {
              usage("raw must list TF_JAVA_API and/or MAX_POOL_OP, got " + p);
            }
          }
        }
        default -> usage("unknown option " + key);
      }
    }
  }

  public static void main(String[] args) {
    List<String> positional = new ArrayList<>();
    Options options = new Options();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq > 0) {
        options.set(a.substring(0, eq), a.substring(eq + 1));
      } else {
        positional.add(a);
      }
    }
    if (positional.size() < 2) {
      usage("expected a kind and a batch size");
    }
    String kind = positional.get(0);
    int batch = parsePositive(positional.get(1), "batch");
    int next = 2;
    TwinBatching twins = TwinBatching.STACKED;
    if (kind.equals("contrastive") && positional.size() > next && !positional.get(next).matches("\\d+")) {
      try {
        twins = TwinBatching.valueOf(positional.get(next++));
      } catch (IllegalArgumentException e) {
        usage("twin batching must be STACKED or SEPARATE, got " + positional.get(next - 1));
      }
    }
    long blockMs = positional.size() > next ? parsePositive(positional.get(next++), "blockMs") : 1_500;
    int blocks = positional.size() > next ? parsePositive(positional.get(next), "blocks") : 20;
    List<Arm> arms = new ArrayList<>();
    try {
      addArms(arms, kind, batch, twins, options);
      String title =
          String.format(
              Locale.ROOT,
              "%s %d%s, threads %d,%d, library %s, raw %s",
              kind,
              batch,
              kind.equals("forward") ? " " + options.encoder : "",
              options.intraOp,
              options.interOp,
              options.precision,
              options.rawPrecision);
      run(title, arms, blockMs, blocks);
    } finally {
      // Also the arms set up before one that failed.
      arms.forEach(a -> a.close().run());
    }
  }

  private static void addArms(List<Arm> arms, String kind, int batch, TwinBatching twins, Options o) {
    switch (kind) {
      case "forward" -> {
        EncoderForwardBenchmark bm = new EncoderForwardBenchmark();
        GflopCounter counter = new GflopCounter();
        EncoderForwardBenchmark.Library lib = new EncoderForwardBenchmark.Library();
        lib.encoder = o.encoder;
        lib.batch = batch;
        lib.intraOp = o.intraOp;
        lib.interOp = o.interOp;
        lib.precision = o.precision;
        lib.setUp();
        arms.add(new Arm("library", () -> bm.library(lib, counter), lib::tearDown));
        if (o.fp32Library) {
          EncoderForwardBenchmark.Library fp32 = new EncoderForwardBenchmark.Library();
          fp32.encoder = o.encoder;
          fp32.batch = batch;
          fp32.intraOp = o.intraOp;
          fp32.interOp = o.interOp;
          fp32.precision = "FP32";
          fp32.setUp();
          arms.add(new Arm("library FP32", () -> bm.library(fp32, counter), fp32::tearDown));
        }
        for (RawPooling pooling : o.raw == null ? List.of(RawPooling.TF_JAVA_API) : o.raw) {
          EncoderForwardBenchmark.Raw raw = new EncoderForwardBenchmark.Raw();
          raw.encoder = o.encoder;
          raw.batch = batch;
          raw.intraOp = o.intraOp;
          raw.interOp = o.interOp;
          raw.rawPooling = pooling;
          raw.precision = o.rawPrecision;
          raw.setUp();
          arms.add(new Arm("raw " + pooling, () -> bm.rawTensorFlow(raw, counter), raw::tearDown));
        }
      }
      case "contrastive" -> {
        TrainingStepBenchmark bm = new TrainingStepBenchmark();
        TrainingStepBenchmark.LibraryPairs lib = new TrainingStepBenchmark.LibraryPairs();
        lib.batch = batch;
        lib.twins = twins;
        lib.intraOp = o.intraOp;
        lib.interOp = o.interOp;
        lib.precision = o.precision;
        lib.setUp();
        arms.add(new Arm("library " + twins, () -> bm.library(lib), lib::tearDown));
        if (o.fp32Library) {
          TrainingStepBenchmark.LibraryPairs fp32 = new TrainingStepBenchmark.LibraryPairs();
          fp32.batch = batch;
          fp32.twins = twins;
          fp32.intraOp = o.intraOp;
          fp32.interOp = o.interOp;
          fp32.precision = "FP32";
          fp32.setUp();
          arms.add(new Arm("library FP32", () -> bm.library(fp32), fp32::tearDown));
        }
        for (RawPooling pooling : o.raw == null ? List.of(RawPooling.values()) : o.raw) {
          TrainingStepBenchmark.RawPairs raw = new TrainingStepBenchmark.RawPairs();
          raw.batch = batch;
          raw.rawPooling = pooling;
          raw.intraOp = o.intraOp;
          raw.interOp = o.interOp;
          raw.precision = o.rawPrecision;
          raw.setUp();
          arms.add(new Arm("raw " + pooling, () -> bm.rawTensorFlow(raw), raw::tearDown));
        }
      }
      case "batchHard" -> {
        TrainingStepBenchmark bm = new TrainingStepBenchmark();
        TrainingStepBenchmark.LibraryBatchHard lib = new TrainingStepBenchmark.LibraryBatchHard();
        lib.batch = batch;
        lib.intraOp = o.intraOp;
        lib.interOp = o.interOp;
        lib.precision = o.precision;
        lib.setUp();
        arms.add(new Arm("library", () -> bm.libraryBatchHard(lib), lib::tearDown));
        for (RawPooling pooling : o.raw == null ? List.of(RawPooling.values()) : o.raw) {
          TrainingStepBenchmark.RawBatchHard raw = new TrainingStepBenchmark.RawBatchHard();
          raw.batch = batch;
          raw.rawPooling = pooling;
          raw.intraOp = o.intraOp;
          raw.interOp = o.interOp;
          raw.precision = o.rawPrecision;
          raw.setUp();
          arms.add(new Arm("raw " + pooling, () -> bm.rawBatchHard(raw), raw::tearDown));
        }
      }
      default -> usage("kind must be forward, contrastive or batchHard, got " + kind);
    }
  }

  /** One block of one arm: calls per second, and CPU milliseconds per call (NaN if unknown). */
  private record Block(double rate, double cpuMsPerCall) {}

  private static void run(String title, List<Arm> arms, long blockMs, int blocks) {
    for (Arm arm : arms) {
      timed(arm, 2 * blockMs);
    }
    int n = arms.size();
    double[][] rate = new double[n][blocks];
    double[][] cpu = new double[n][blocks];
    for (int b = 0; b < blocks; b++) {
      for (int j = 0; j < n; j++) {
        int i = (j + b) % n;
        Block block = timed(arms.get(i), blockMs);
        rate[i][b] = block.rate();
        cpu[i][b] = block.cpuMsPerCall();
      }
    }
    System.out.printf(Locale.ROOT, "%s: %d rounds of %d ms per arm, calls per second%n", title, blocks, blockMs);
    System.out.printf(Locale.ROOT, "  load average at the end: %s%n", loadAverage());
    for (int i = 0; i < n; i++) {
      double[] sorted = rate[i].clone();
      Arrays.sort(sorted);
      System.out.printf(Locale.ROOT, "  %-22s median %10.3f  (min %.3f, max %.3f); CPU %.2f ms per call (median)%n",
          arms.get(i).name(), median(rate[i]), sorted[0], sorted[blocks - 1], median(cpu[i]));
    }
    for (int i = 1; i < n; i++) {
      double[] ratio = new double[blocks];
      double[] cpuRatio = new double[blocks];
      for (int b = 0; b < blocks; b++) {
        ratio[b] = rate[0][b] / rate[i][b];
        cpuRatio[b] = cpu[i][b] / cpu[0][b];
      }
      double[] sorted = ratio.clone();
      Arrays.sort(sorted);
      double[] cpuSorted = cpuRatio.clone();
      Arrays.sort(cpuSorted);
      System.out.printf(Locale.ROOT, "  %s / %s: %.3f (median of the rounds' ratios; quartiles %.3f-%.3f)%n",
          arms.get(0).name(), arms.get(i).name(), median(ratio), sorted[blocks / 4], sorted[(3 * blocks) / 4]);
      System.out.printf(Locale.ROOT, "    by CPU time per call, %s / %s: %.3f (quartiles %.3f-%.3f)%n",
          arms.get(i).name(), arms.get(0).name(), median(cpuRatio), cpuSorted[blocks / 4], cpuSorted[(3 * blocks) / 4]);
    }
  }

  /** Calls per second of {@code arm} over about {@code millis}, and its CPU time per call. */
  private static Block timed(Arm arm, long millis) {
    long start = System.nanoTime();
    long cpu0 = OS == null ? -1 : OS.getProcessCpuTime();
    long end = start + millis * 1_000_000;
    int calls = 0;
    while (System.nanoTime() - end < 0) {
      arm.call().run();
      calls++;
    }
    long elapsed = System.nanoTime() - start;
    long cpu1 = OS == null ? -1 : OS.getProcessCpuTime();
    double cpuMs = cpu0 < 0 || cpu1 < 0 ? Double.NaN : (cpu1 - cpu0) / 1e6 / calls;
    return new Block(calls / (elapsed / 1e9), cpuMs);
  }

  private static String loadAverage() {
    try {
      return new String(java.nio.file.Files.readAllBytes(java.nio.file.Path.of("/proc/loadavg"))).trim();
    } catch (java.io.IOException | RuntimeException e) {
      return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
  }

  private static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  }

  private static int parsePositive(String text, String what) {
    int v = parseNonNegative(text, what);
    if (v == 0) {
      usage(what + " must be a positive integer, got " + text);
    }
    return v;
  }

  private static int parseNonNegative(String text, String what) {
    try {
      int v = Integer.parseInt(text);
      if (v >= 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(what + " must be a non-negative integer, got " + text);
    return 0;
  }

  private static void usage(String problem) {
    System.err.println("PairedComparison: " + problem);
    System.err.println(
        "usage: PairedComparison forward|contrastive|batchHard BATCH [STACKED|SEPARATE] [blockMs] [blocks]"
            + " [encoder=conv4|koch] [threads=INTRA,INTER] [precision=FP32|MIXED] [rawPrecision=...] [raw=TF_JAVA_API,MAX_POOL_OP] [fp32Library=true]");
    System.exit(2);
  }
}
