package io.siamese.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.NoBenchmarksException;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptionException;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Two ready-made runs of every benchmark class, then a summary of the figures read across rows
 * (per-example rates, GFLOP/s against the matrix-product peak, library / baseline ratios):
 *
 * <pre>
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.Profiles quick [JMH options]
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.Profiles full  [JMH options]
 * </pre>
 *
 * <ul>
 *   <li>{@code quick}: each class at its key sizes only, one fork, one warm-up and two measured
 *       iterations of one second each: about 25 forks, 3 to 4 minutes on 2 busy cores. Good for
 *       "did anything regress by 2x", not for publishing.
 *   <li>{@code full}: every benchmark with the parameters, iterations and forks of its
 *       annotations: over an hour on 2 cores.
 * </ul>
 *
 * <p>The JMH options (e.g. {@code -rf json -rff quick.json}, {@code -p intraOp=1}, {@code -f 2},
 * {@code -jvmArgsAppend ...}) override the profile's settings; the result file holds the rows of
 * every class. Benchmark names are not accepted: run {@code java -jar benchmarks.jar Name} for one
 * class.
 */
public final class Profiles {
  private static final String PACKAGE = "io.siamese.bench.";

  private Profiles() {}

  /** A class (or part of one) run with its own parameter values. */
  private record Group(String benchmarkClass, Map<String, String[]> params) {
    String include() {
      return "^" + PACKAGE.replace(".", "\\.") + benchmarkClass + "\\.";
    }
  }

  private static Map<String, String[]> params(String... keyValues) {
    Map<String, String[]> m = new LinkedHashMap<>();
    for (int i = 0; i < keyValues.length; i += 2) {
      m.put(keyValues[i], keyValues[i + 1].split(","));
    }
    return m;
  }

  /** The key sizes of each class; JMH parameters are global by name, hence one run per group. */
  private static List<Group> quick() {
    return List.of(
        new Group("MatMulPeakBenchmark", params()),
        new Group("EncoderForwardBenchmark", params("encoder", "conv4", "batch", "1,256")),
        new Group("EncoderForwardBenchmark", params("encoder", "koch", "batch", "32")),
        new Group("TrainingStepBenchmark", params("batch", "64", "twins", "STACKED")),
        new Group("LossBenchmark", params("batch", "128", "dim", "64", "loss", "baseline,contrastive,batchHard")),
        new Group("BatchAssemblyBenchmark", params("batch", "64", "augment", "false")),
        new Group("GallerySearchBenchmark", params("gallery", "1000000")),
        new Group("PeerComparisonBenchmark", params("batch", "256", "pairs", "64", "allocator", "tuned")));
  }

  public static void main(String[] args) throws RunnerException, CommandLineOptionException {
    if (args.length == 0 || !(args[0].equals("quick") || args[0].equals("full"))) {
      System.err.println("usage: Profiles quick|full [JMH options, e.g. -rf json -rff results.json]");
      System.exit(2);
    }
    boolean quick = args[0].equals("quick");
    String[] extra = Arrays.copyOfRange(args, 1, args.length);
    CommandLineOptions cli = new CommandLineOptions(extra);
    if (!cli.getIncludes().isEmpty() || !cli.getExcludes().isEmpty()) {
      System.err.println(
          "Profiles runs every class; for one class use java -jar benchmarks.jar <Name>. Got "
              + cli.getIncludes() + " " + cli.getExcludes());
      System.exit(2);
    }
    long start = System.nanoTime();
    List<RunResult> results = new ArrayList<>();
    List<Group> groups = quick ? quick() : List.of(new Group(".*", params()));
    for (Group g : groups) {
      // The parent supplies every option given on the command line; ours apply where it is silent.
      ChainedOptionsBuilder b = new OptionsBuilder().parent(cli).include(quick ? g.include() : "^" + PACKAGE.replace(".", "\\."));
      if (quick) {
        if (!cli.getForkCount().hasValue()) {
          b.forks(1);
        }
        if (!cli.getWarmupIterations().hasValue()) {
          b.warmupIterations(1);
        }
        if (!cli.getWarmupTime().hasValue()) {
          b.warmupTime(TimeValue.seconds(1));
        }
        if (!cli.getMeasurementIterations().hasValue()) {
          b.measurementIterations(2);
        }
        if (!cli.getMeasurementTime().hasValue()) {
          b.measurementTime(TimeValue.seconds(1));
        }
        g.params().forEach((name, values) -> {
          if (!cli.getParameter(name).hasValue()) {
            b.param(name, values);
          }
        });
      }
      try {
        results.addAll(run(b.build()));
      } catch (NoBenchmarksException e) {
        System.err.println("[profiles] no benchmark matches " + g.benchmarkClass() + " in this jar; skipped");
      }
    }
    double minutes = (System.nanoTime() - start) / 60e9;
    if (cli.getResultFormat().hasValue()) {
      ResultFormatType type = cli.getResultFormat().get();
      String file = cli.getResult().orElse("jmh-result." + type.toString().toLowerCase(Locale.ROOT));
      // Each group's run wrote only its own rows to this file; this writes them all.
      ResultFormatFactory.getInstance(type, file).writeOut(results);
      System.out.println("[profiles] " + results.size() + " rows written to " + file);
    }
    System.out.println(summary(results));
    System.out.printf(Locale.ROOT, "[profiles] %s profile: %d rows in %.1f minutes%n", args[0], results.size(), minutes);
  }

  /**
   * Runs one group. JMH refuses to start while another JMH run on the machine holds its lock, and
   * on a shared machine another one may start between two groups: wait for it, up to 15 minutes,
   * rather than lose the rest of the profile.
   */
  private static Collection<RunResult> run(Options options) throws RunnerException {
    for (int attempt = 1; ; attempt++) {
      try {
        return new Runner(options).run();
      } catch (NoBenchmarksException e) {
        throw e;
      } catch (RunnerException e) {
        if (attempt > 90 || e.getMessage() == null || !e.getMessage().contains("JMH lock")) {
          throw e;
        }
        System.err.println("[profiles] another JMH run holds its lock; retrying in 10 s");
        try {
          Thread.sleep(10_000);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          throw e;
        }
      }
    }
  }

  /** The figures that need more than one row, or a row and its parameters. */
  static String summary(Collection<RunResult> results) {
    StringBuilder s = new StringBuilder("\nSummary (per-example rates, GFLOP/s, ratios within this run)\n");
    double peak = 0;
    for (RunResult r : results) {
      if (method(r).equals("MatMulPeakBenchmark.matMul")) {
        peak = Math.max(peak, gflops(r));
      }
    }
    if (peak > 0) {
      s.append(String.format(Locale.ROOT, "  practical peak (float32 MatMul 2048^3): %.0f GFLOP/s%n", peak));
    }
    for (RunResult r : results) {
      String m = method(r);
      Result<?> p = r.getPrimaryResult();
      StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "  %-42s %-34s %12.4g %s", m, paramText(r), p.getScore(), p.getScoreUnit()));
      String batch = param(r, "batch") != null ? param(r, "batch") : param(r, "pairs");
      if (batch != null && p.getScoreUnit().equals("ops/s") && !m.startsWith("LossBenchmark")) {
        double perExample = p.getScore() * Integer.parseInt(batch);
        String what = m.startsWith("EncoderForward") || m.startsWith("PeerComparisonBenchmark.forward") ? "embeddings/s" : m.startsWith("BatchAssembly") ? "items/s" : "pairs/s";
        line.append(String.format(Locale.ROOT, " = %,.0f %s", perExample, what));
      }
      double g = gflops(r);
      if (g > 0 && !m.startsWith("MatMulPeak")) {
        line.append(String.format(Locale.ROOT, ", %.1f GFLOP/s", g));
        if (peak > 0) {
          line.append(String.format(Locale.ROOT, " (%.0f%% of peak)", 100 * g / peak));
        }
      }
      s.append(line).append('\n');
    }
    s.append(ratio(results, "EncoderForwardBenchmark", "library", "rawTensorFlow", "forward, library / raw TF Java"));
    s.append(ratio(results, "TrainingStepBenchmark", "library", "rawTensorFlow", "contrastive step, library / raw"));
    s.append(ratio(results, "TrainingStepBenchmark", "libraryBatchHard", "rawBatchHard", "batch-hard step, library / raw"));
    s.append(ratio(results, "GallerySearchBenchmark", "stream", "library", "gallery, library time / stream time (target <= 2 at 1e6)"));
    s.append(ratio(results, "GallerySearchBenchmark", "library", "bruteForce", "gallery, library / brute force (speed-up)"));
    s.append(ratio(results, "PeerComparisonBenchmark", "forwardLibrary", "forwardDjl", "forward, library / DJL"));
    s.append(ratio(results, "PeerComparisonBenchmark", "trainingLibrary", "trainingDjl", "training, library / DJL"));
    return s.toString();
  }

  /**
   * {@code numerator score / denominator score} for each row of {@code numerator} and each row of
   * {@code denominator} whose shared parameters equal the numerator row's. Either side may have
   * parameters of its own (the training step's {@code twins}, the raw baselines' {@code
   * rawPooling}); the denominator's are named after the label.
   */
  private static String ratio(Collection<RunResult> results, String cls, String numerator, String denominator, String label) {
    StringBuilder s = new StringBuilder();
    for (RunResult n : results) {
      if (!method(n).equals(cls + "." + numerator)) {
        continue;
      }
      for (RunResult d : results) {
        if (!method(d).equals(cls + "." + denominator)) {
          continue;
        }
        boolean same = true;
        StringBuilder own = new StringBuilder();
        for (Object k : d.getParams().getParamsKeys()) {
          String key = (String) k;
          if (n.getParams().getParamsKeys().contains(key)) {
            same &= Objects.equals(d.getParams().getParam(key), n.getParams().getParam(key));
          } else {
            own.append(own.length() == 0 ? " (raw " : ", ").append(key).append('=').append(d.getParams().getParam(key));
          }
        }
        if (same) {
          String fullLabel = own.length() == 0 ? label : label + own + ")";
          s.append(String.format(Locale.ROOT, "  %-58s %-34s %.2f%n", fullLabel, paramText(n),
              n.getPrimaryResult().getScore() / d.getPrimaryResult().getScore()));
        }
      }
    }
    return s.toString();
  }

  private static String method(RunResult r) {
    String name = r.getParams().getBenchmark();
    return name.startsWith(PACKAGE) ? name.substring(PACKAGE.length()) : name;
  }

  private static String param(RunResult r, String key) {
    return r.getParams().getParamsKeys().contains(key) ? r.getParams().getParam(key) : null;
  }

  /** The parameters that vary in practice; the thread settings only when not TensorFlow's default. */
  private static String paramText(RunResult r) {
    StringBuilder s = new StringBuilder();
    for (Object k : r.getParams().getParamsKeys()) {
      String key = (String) k;
      String value = r.getParams().getParam(key);
      if ((key.equals("intraOp") || key.equals("interOp")) && value.equals("0")) {
        continue;
      }
      s.append(s.length() == 0 ? "" : " ").append(key).append('=').append(value);
    }
    return s.toString();
  }

  private static double gflops(RunResult r) {
    Result<?> g = r.getSecondaryResults().get("gflop");
    return g == null ? 0 : g.getScore();
  }
}
