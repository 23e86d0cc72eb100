package io.siamese.spark.examples;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.SavedModelEmbedder;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.gallery.Gallery;
import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.lucene.LuceneGallery;
import io.siamese.spark.EmbeddingJob;
import io.siamese.spark.SparkEmbedder;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The end-to-end example: a million synthetic glyphs, generated inside Spark's partitions, embedded
 * by Spark {@code local[2]} into Parquet, bulk-loaded into a persistent Lucene gallery, then asked
 * a few one-shot questions whose answers are known.
 *
 * <ol>
 *   <li>Trains a Conv-4 (64 filters, 64-float embeddings) on 160 glyph classes on the driver (600
 *       steps of 64 pairs) and exports it as a SavedModel.
 *   <li>Generates the corpus in the partitions: partition {@code p} draws {@code --classes} glyph
 *       classes of {@code --examples} drawings each with {@link SyntheticGlyphs} seeded by {@code
 *       p}, so the corpus is the same on every run and no image passes through the driver. Class
 *       {@code c} of partition {@code p} is label {@code p * classes + c}; none was seen in
 *       training.
 *   <li>Embeds it with {@link SparkEmbedder} and writes {@code (id, label, embedding)} to Parquet.
 *   <li>Reads the Parquet back on the driver and bulk-loads it into a {@code LuceneGallery}
 *       ({@code --gallery memory}: an {@code InMemoryGallery}), then force-merges and commits it.
 *   <li>Queries it: for a few classes, an enrolled drawing (known answer: its own label at distance
 *       about 0) and a drawing held out of the corpus (its label is the right answer; whether the
 *       nearest neighbour finds it among a hundred thousand classes is what the encoder is worth).
 * </ol>
 *
 * <pre>
 * mvn -o -q -pl siamese-spark compile exec:exec                       # the full million
 * mvn -o -q -pl siamese-spark compile exec:exec -Dexec.args="--rows 100000"
 * </pre>
 *
 * Options: {@code --rows} (1000000), {@code --classes} per partition (1000), {@code --master}
 * ({@code local[2]}), {@code --train-epochs} (6, of 100 steps), {@code --gallery lucene|memory},
 * {@code --out} ({@code siamese-output/spark}).
 */
public final class SparkEmbedExample {
  private static final long CORPUS_SEED = 20_260_000L;

  private SparkEmbedExample() {}

  public static void main(String[] args) throws IOException {
    Options o = Options.parse(args);
    PrintStream out = System.out;
    long start = System.nanoTime();
    out.printf(Locale.ROOT, "load average at start: %s%n", loadAverage());
    Path savedModel = o.out.resolve("savedmodel");
    Path parquet = o.out.resolve("embeddings.parquet");
    Path galleryDir = o.out.resolve("gallery-" + o.gallery);
    deleteTree(savedModel);
    deleteTree(galleryDir);
    Files.createDirectories(o.out);

    // 1. A Conv-4 trained briefly on the driver, exported for the executors.
    long t = System.nanoTime();
    LabeledDataset training = SyntheticGlyphs.builder().classes(160).examplesPerClass(20).seed(42).build().generate();
    try (SiameseModel model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(training.shape(), 64))
            .loss(ContrastiveLoss.similarIsOne(1.0))
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(42)
            .build()) {
      model.fit(BalancedPairSampler.of(training, 42), TrainingConfig.builder().epochs(o.trainEpochs).stepsPerEpoch(100).batchSize(64).build());
      model.exportSavedModel(savedModel);
    }
    double trainSeconds = seconds(t);
    out.printf(Locale.ROOT, "1. trained Conv-4 for %d steps and exported it in %.1f s%n", o.trainEpochs * 100, trainSeconds);

    SparkSession spark =
        SparkSession.builder()
            .master(o.master)
            .appName("siamese-spark-example")
            .config("spark.driver.bindAddress", "127.0.0.1")
            .config("spark.driver.host", "127.0.0.1")
            .config("spark.ui.enabled", "false")
            .getOrCreate();
    spark.sparkContext().setLogLevel("WARN");
    try (SavedModelEmbedder driverEmbedder = SavedModelEmbedder.open(savedModel)) {
      // 2 and 3. Generate in the partitions, embed, write Parquet: one pass, one job.
      int partitions = o.partitions();
      StructType schema =
          DataTypes.createStructType(
              List.of(
                  DataTypes.createStructField("id", DataTypes.LongType, false),
                  DataTypes.createStructField("label", DataTypes.IntegerType, false),
                  DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
      var corpus =
          spark.range(0, partitions, 1, partitions)
              .mapPartitions(new GlyphPartition(o.classes, o.examples), Encoders.row(schema));
      SparkEmbedder embedder = SparkEmbedder.builder(savedModel).keyColumn("id").keepInputColumn(false).build();
      EmbeddingJob job = embedder.embed(corpus, "pixels", "embedding");
      t = System.nanoTime();
      job.rows().write().mode(SaveMode.Overwrite).parquet(parquet.toString());
      double embedSeconds = seconds(t);
      long rows = job.embeddedRows();
      out.printf(Locale.ROOT, "2-3. generated and embedded %,d glyphs (%d partitions on %s) into %s in %.1f s: %.0f glyphs/s%n",
          rows, partitions, o.master, parquet, embedSeconds, rows / embedSeconds);
      out.printf(Locale.ROOT, "     %s%n", job);

      // 4. Bulk load.
      EmbeddingSpace space = driverEmbedder.embeddingSpace();
      t = System.nanoTime();
      try (Gallery<Integer> gallery = openGallery(o.gallery, galleryDir, space)) {
        Dataset<Row> stored = spark.read().parquet(parquet.toString());
        // The Parquet records the space its embeddings were made in: refuse it if not the gallery's.
        SparkEmbedder.requireSpace(stored, "embedding", gallery.space());
        Iterator<Row> it = stored.select("label", "embedding").toLocalIterator();
        List<Integer> labels = new ArrayList<>();
        List<float[]> embeddings = new ArrayList<>();
        while (it.hasNext()) {
          Row r = it.next();
          labels.add(r.getInt(0));
          embeddings.add(floats(r.getList(1)));
          if (labels.size() == 50_000 || !it.hasNext()) {
            gallery.enrolAll(labels, embeddings.toArray(new float[0][]));
            labels.clear();
            embeddings.clear();
          }
        }
        double loadSeconds = seconds(t);
        t = System.nanoTime();
        if (gallery instanceof LuceneGallery<Integer> lucene) {
          lucene.forceMerge(1);
        }
        gallery.commit();
        double mergeSeconds = seconds(t);
        out.printf(Locale.ROOT, "4. bulk-loaded %,d embeddings into %s in %.1f s (%.0f/s), force-merge and commit %.1f s%n",
            gallery.size(), gallery.getClass().getSimpleName(), loadSeconds, gallery.size() / loadSeconds, mergeSeconds);

        // 5. One-shot queries with known answers.
        out.println("5. queries (label = partition * classes + class; distance in the model's " + space.distance().name() + " distance):");
        int heldOutHits = 0;
        int[][] asked = {{0, 3}, {partitions / 3, 141}, {partitions / 2, 500}, {2 * partitions / 3, 777}, {partitions - 1, o.classes - 1}};
        for (int[] q : asked) {
          int p = q[0];
          int c = Math.min(q[1], o.classes - 1);
          int label = p * o.classes + c;
          LabeledDataset drawings = GlyphPartition.glyphs(p, o.classes, o.examples + 1);
          float[][] x = {drawings.features(c * (o.examples + 1)), drawings.features(c * (o.examples + 1) + o.examples)};
          float[][] e = driverEmbedder.embed(x);
          List<Neighbor<Integer>> enrolled = gallery.nearest(e[0], 5);
          List<Neighbor<Integer>> heldOut = gallery.nearest(e[1], 5);
          boolean exact = enrolled.get(0).label() == label && enrolled.get(0).distance() < 1e-3;
          boolean hit = heldOut.get(0).label() == label;
          heldOutHits += hit ? 1 : 0;
          out.printf(Locale.ROOT, "   class %d: enrolled drawing -> %s %s; held-out drawing -> %s (%s)%n",
              label, describe(enrolled), exact ? "OK" : "WRONG", describe(heldOut), hit ? "right class" : "another class first");
          if (!exact) {
            throw new IllegalStateException("the enrolled drawing of class " + label + " did not find itself: " + enrolled);
          }
        }
        out.printf(Locale.ROOT, "   held-out drawings answered with their class: %d of %d%n", heldOutHits, asked.length);
      }
      out.printf(Locale.ROOT, "done in %.1f s; load average at end: %s%n", seconds(start), loadAverage());
    } finally {
      spark.stop();
    }
  }

  private static Gallery<Integer> openGallery(String kind, Path dir, EmbeddingSpace space) {
    return kind.equals("memory")
        ? InMemoryGallery.create(space)
        : LuceneGallery.builder(dir, space, LabelCodec.integers()).indexingBufferMegabytes(256).build();
  }

  private static String describe(List<Neighbor<Integer>> neighbours) {
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < Math.min(3, neighbours.size()); i++) {
      Neighbor<Integer> n = neighbours.get(i);
      s.append(i == 0 ? "" : ", ").append(n.label()).append(String.format(Locale.ROOT, " @ %.4f", n.distance()));
    }
    return s.append("]").toString();
  }

  private static float[] floats(List<Float> list) {
    float[] f = new float[list.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = list.get(i);
    }
    return f;
  }

  private static double seconds(long since) {
    return (System.nanoTime() - since) / 1e9;
  }

  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).trim();
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  private static void deleteTree(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * Runs in the executors: turns each partition number {@code p} of {@code spark.range} into the
   * {@code classes x examples} glyphs of partition {@code p}, rows {@code (id, label, pixels)}.
   */
  static final class GlyphPartition implements MapPartitionsFunction<Long, Row> {
    private static final long serialVersionUID = 1L;
    private final int classes;
    private final int examples;

    GlyphPartition(int classes, int examples) {
      this.classes = classes;
      this.examples = examples;
    }

    static LabeledDataset glyphs(long partition, int classes, int examples) {
      return SyntheticGlyphs.builder().classes(classes).examplesPerClass(examples).seed(CORPUS_SEED + partition).build().generate();
    }

    @Override
    public Iterator<Row> call(Iterator<Long> partitions) {
      return new Iterator<>() {
        private LabeledDataset current;
        private long partition;
        private int next;

        @Override
        public boolean hasNext() {
          while (current == null || next == current.size()) {
            if (!partitions.hasNext()) {
              return false;
            }
            partition = partitions.next();
            current = glyphs(partition, classes, examples);
            next = 0;
          }
          return true;
        }

        @Override
        public Row next() {
          if (!hasNext()) {
            throw new java.util.NoSuchElementException();
          }
          int i = next++;
          long id = partition * classes * examples + i;
          return RowFactory.create(id, (int) (partition * classes + current.label(i)), current.features(i));
        }
      };
    }
  }

  private record Options(int rows, int classes, int examples, String master, int trainEpochs, String gallery, Path out) {
    int partitions() {
      return rows / (classes * examples);
    }

    static Options parse(String[] args) {
      int rows = 1_000_000;
      int classes = 1000;
      int examples = 10;
      String master = "local[2]";
      int epochs = 6;
      String gallery = "lucene";
      Path out = Path.of("siamese-output", "spark");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--rows" -> rows = Integer.parseInt(args[++i]);
          case "--classes" -> classes = Integer.parseInt(args[++i]);
          case "--examples" -> examples = Integer.parseInt(args[++i]);
          case "--master" -> master = args[++i];
          case "--train-epochs" -> epochs = Integer.parseInt(args[++i]);
          case "--gallery" -> gallery = args[++i];
          case "--out" -> out = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown option " + args[i]);
        }
      }
      if (!gallery.equals("lucene") && !gallery.equals("memory")) {
        throw new IllegalArgumentException("--gallery must be lucene or memory, got " + gallery);
      }
      if (rows % (classes * examples) != 0 || rows <= 0) {
        throw new IllegalArgumentException("--rows must be a positive multiple of classes x examples = " + classes * examples + ", got " + rows);
      }
      return new Options(rows, classes, examples, master, epochs, gallery, out);
    }
  }
}
