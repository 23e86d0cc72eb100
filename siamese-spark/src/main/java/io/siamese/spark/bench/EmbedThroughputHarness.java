package io.siamese.spark.bench;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.SavedModelEmbedder;
import io.siamese.core.SiameseModel;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.spark.EmbeddingJob;
import io.siamese.spark.ExecutorModels;
import io.siamese.spark.SparkEmbedder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

/**
 * Measures {@link SparkEmbedder} on Spark {@code local[N]} against a single {@link
 * SavedModelEmbedder} in the same JVM, side by side: the same inputs, the same SavedModel, the same
 * batch size, the arms alternated (ABBA) round after round, so that a change in the machine's load
 * hits both. Reports rows per second of each arm, their ratio per round and its median, and, apart
 * from them, the Spark arm's model load and first batch.
 *
 * <p>The single-JVM arm calls {@code embed} on {@code batch}-row slices of arrays already in memory:
 * the fastest the encoder runs on this machine. The Spark arm embeds the same rows from a cached
 * Dataset and writes them to Spark's {@code noop} sink, so it pays for Spark's row conversion,
 * scheduling and its tasks sharing the model, but not for storage; {@code --parquet} adds one Parquet
 * write at the end to show what output costs.
 *
 * <p>Each arm is also timed in CPU seconds of this process: on a host shared with other jobs the
 * wall-clock ratio swings with their load, while rows per CPU-second stays put (it cannot show an
 * arm that leaves a core idle, which the wall-clock ratio on a quiet host does).
 *
 * <pre>
 * mvn -o -q -pl siamese-spark compile exec:exec -Dexec.mainClass=io.siamese.spark.bench.EmbedThroughputHarness \
 *     -Dexec.args="--rows 50000 --rounds 5"
 * </pre>
 *
 * Options: {@code --rows N} (50000), {@code --rounds R} (5), {@code --batch B} (256), {@code
 * --partitions P} (8), {@code --master M} ({@code local[2]}), {@code --filters F} (Conv-4 width,
 * 64), {@code --threads-per-task T} (0), {@code --parquet}.
 */
public final class EmbedThroughputHarness {
  private EmbedThroughputHarness() {}

  public static void main(String[] args) throws IOException {
    int rows = 50_000;
    int rounds = 5;
    int batch = 256;
    int partitions = 8;
    int filters = 64;
    int threadsPerTask = 0;
    String master = "local[2]";
    boolean parquet = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Integer.parseInt(args[++i]);
        case "--rounds" -> rounds = Integer.parseInt(args[++i]);
        case "--batch" -> batch = Integer.parseInt(args[++i]);
        case "--partitions" -> partitions = Integer.parseInt(args[++i]);
        case "--filters" -> filters = Integer.parseInt(args[++i]);
        case "--threads-per-task" -> threadsPerTask = Integer.parseInt(args[++i]);
        case "--master" -> master = args[++i];
        case "--parquet" -> parquet = true;
        default -> throw new IllegalArgumentException("unknown option " + args[i]);
      }
    }
    PrintStream out = System.out;
    out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
    Path work = Files.createTempDirectory("siamese-spark-bench-");
    Path model = work.resolve("savedmodel");
    LabeledDataset data = SyntheticGlyphs.builder().classes(Math.max(2, rows / 10)).examplesPerClass(10).seed(7).build().generate();
    try (SiameseModel m =
        SiameseModel.builder().encoder(EncoderSpec.conv4(data.shape(), filters)).loss(ContrastiveLoss.similarIsOne(1.0)).seed(1).build()) {
      m.exportSavedModel(model);
    }
    float[][] x = new float[rows][];
    List<Row> input = new ArrayList<>(rows);
    for (int i = 0; i < rows; i++) {
      x[i] = data.features(i);
      input.add(RowFactory.create((long) i, x[i]));
    }
    StructType schema =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("id", DataTypes.LongType, false),
                DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)));

    SparkSession spark =
        SparkSession.builder()
            .master(master)
            .appName("siamese-spark-throughput")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try (SavedModelEmbedder single = SavedModelEmbedder.open(model)) {
      Dataset<Row> cached = spark.createDataFrame(input, schema).repartition(partitions).persist(StorageLevel.MEMORY_ONLY());
      input.clear();
      cached.count();
      SparkEmbedder embedder = SparkEmbedder.builder(model).batchSize(batch).threadsPerTask(threadsPerTask).keepInputColumn(false).build();

      out.printf(Locale.ROOT, "%,d rows of %s, Conv-4 with %d filters, batch %d, %s with %d partitions, threads per task %d%n",
          rows, data.shape(), filters, batch, master, partitions, threadsPerTask);
      // Warm-up of both arms; the Spark one loads the model in the executor and runs its first batch.
      double singleWarm = singleJvm(single, x, batch)[0];
      EmbeddingJob warm = embedder.embed(cached, "pixels", "embedding");
      double sparkWarm = spark(warm)[0];
      out.printf(Locale.ROOT, "warm-up: single JVM %.0f rows/s, Spark %.0f rows/s; Spark model loads %d (%d ms), first batch %d ms, JVM loads so far %d%n",
          singleWarm, sparkWarm, warm.modelLoads(), warm.modelLoadMillis(), warm.firstBatchMillis(), ExecutorModels.loads());

      double[] ratios = new double[rounds];
      double[] cpuRatios = new double[rounds];
      out.println("round  order  single JVM rows/s  Spark rows/s  Spark / single  single rows/CPU-s  Spark rows/CPU-s  Spark / single (CPU)");
      for (int r = 0; r < rounds; r++) {
        boolean singleFirst = r % 2 == 0;
        double[] s;
        double[] p;
        if (singleFirst) {
          s = singleJvm(single, x, batch);
          p = spark(embedder.embed(cached, "pixels", "embedding"));
        } else {
          p = spark(embedder.embed(cached, "pixels", "embedding"));
          s = singleJvm(single, x, batch);
        }
        ratios[r] = p[0] / s[0];
        cpuRatios[r] = p[1] / s[1];
        out.printf(Locale.ROOT, "%5d  %s  %17.0f  %12.0f  %14.3f  %17.0f  %16.0f  %20.3f%n",
            r + 1, singleFirst ? "AB   " : "BA   ", s[0], p[0], ratios[r], s[1], p[1], cpuRatios[r]);
      }
      double[] sorted = ratios.clone();
      Arrays.sort(sorted);
      double[] cpuSorted = cpuRatios.clone();
      Arrays.sort(cpuSorted);
      out.printf(Locale.ROOT, "median Spark / single JVM, wall clock: %.3f (min %.3f, max %.3f); per CPU-second: %.3f (min %.3f, max %.3f); model loads in this JVM: %d%n",
          sorted[rounds / 2], sorted[0], sorted[rounds - 1], cpuSorted[rounds / 2], cpuSorted[0], cpuSorted[rounds - 1], ExecutorModels.loads());
      if (parquet) {
        Path target = work.resolve("parquet");
        EmbeddingJob job = embedder.embed(cached, "pixels", "embedding");
        long t0 = System.nanoTime();
        job.rows().write().parquet(target.toString());
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "Spark into Parquet: %.0f rows/s (%.1f s)%n", rows / seconds, seconds);
      }
      cached.unpersist();
    } finally {
      spark.stop();
    }
    out.printf(Locale.ROOT, "load average at end: %s%n", loadAverage());
  }

  /** Rows per second and rows per CPU-second of this process. */
  private static double[] singleJvm(SavedModelEmbedder e, float[][] x, int batch) {
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    long sink = 0;
    for (int from = 0; from < x.length; from += batch) {
      float[][] y = e.embed(Arrays.copyOfRange(x, from, Math.min(x.length, from + batch)));
      sink += y.length;
    }
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (cpuNanos() - c0) / 1e9;
    if (sink != x.length) {
      throw new IllegalStateException("embedded " + sink + " of " + x.length + " rows");
    }
    return new double[] {x.length / seconds, x.length / cpu};
  }

  /** Rows per second and rows per CPU-second of this process (driver and executors: local mode). */
  private static double[] spark(EmbeddingJob job) {
    long before = job.embeddedRows();
    long c0 = cpuNanos();
    long t0 = System.nanoTime();
    job.rows().write().format("noop").mode("overwrite").save();
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpu = (cpuNanos() - c0) / 1e9;
    long rows = job.embeddedRows() - before;
    return new double[] {rows / seconds, rows / cpu};
  }

  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }
}
