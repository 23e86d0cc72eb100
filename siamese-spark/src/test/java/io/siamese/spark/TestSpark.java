package io.siamese.spark;

import io.siamese.core.SavedModelEmbedder;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The one SparkSession of this module's tests (local[2], driver on 127.0.0.1, no UI), started on
 * first use and stopped when the test JVM exits, and the small models and data they share.
 */
final class TestSpark {
  private static SparkSession session;
  private static Path root;

  private TestSpark() {}

  static synchronized SparkSession session() {
    if (session == null) {
      session =
          SparkSession.builder()
              .master("local[2]")
              .appName("siamese-spark-tests")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.ui.enabled", "false")
              .config("spark.sql.shuffle.partitions", "4")
              .config("spark.driver.memory", "1g")
              .getOrCreate();
      SparkSession s = session;
      Runtime.getRuntime().addShutdownHook(new Thread(s::stop, "stop-test-spark"));
    }
    return session;
  }

  /** A scratch directory for this test JVM, deleted by the OS's temp cleaning, not by us. */
  static synchronized Path scratch() {
    if (root == null) {
      try {
        root = Files.createTempDirectory("siamese-spark-test-");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return root;
  }

  /**
   * Exports an untrained Conv-4 with 8 filters for 28x28x1 glyphs (embedding size 8); the seed
   * gives different weights, so a different digest, so a model no earlier test has loaded.
   */
  static Path exportConv4(long seed) {
    Path dir = scratch().resolve("model-" + seed + "-" + System.nanoTime());
    try (SiameseModel m =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 8))
            .loss(ContrastiveLoss.similarIsOne(1.0))
            .seed(seed)
            .build()) {
      m.exportSavedModel(dir);
    }
    return dir;
  }

  /** {@code classes x perClass} seeded glyphs. */
  static LabeledDataset glyphs(int classes, int perClass, long seed) {
    return SyntheticGlyphs.builder().classes(classes).examplesPerClass(perClass).seed(seed).build().generate();
  }

  static float[] example(LabeledDataset data, int i) {
    return data.features(i);
  }

  /**
   * The oracle: what a plain {@link SavedModelEmbedder} gives for the rows of {@code collected}
   * (which carry {@code id} and {@code pid}, the Spark partition, in the order Spark produced them)
   * when fed the same batches Spark fed it: each partition's rows in order, {@code batchSize} at a
   * time, less the rows that {@code inputs} has no valid example for. TensorFlow's kernels block
   * the batch dimension, so the same row can differ in the last bit between batch compositions.
   */
  static Map<Long, float[]> sameBatches(Path model, List<Row> collected, int batchSize, Map<Long, float[]> inputs) {
    Map<Integer, List<Long>> partitions = new TreeMap<>();
    for (Row r : collected) {
      partitions.computeIfAbsent(r.getInt(r.fieldIndex("pid")), p -> new ArrayList<>()).add(r.getLong(r.fieldIndex("id")));
    }
    Map<Long, float[]> out = new HashMap<>();
    try (SavedModelEmbedder e = SavedModelEmbedder.open(model)) {
      for (List<Long> ids : partitions.values()) {
        for (int from = 0; from < ids.size(); from += batchSize) {
          List<Long> valid = new ArrayList<>();
          for (long id : ids.subList(from, Math.min(ids.size(), from + batchSize))) {
            if (inputs.get(id) != null) {
              valid.add(id);
            }
          }
          if (valid.isEmpty()) {
            continue;
          }
          float[][] x = new float[valid.size()][];
          for (int i = 0; i < x.length; i++) {
            x[i] = inputs.get(valid.get(i));
          }
          float[][] y = e.embed(x);
          for (int i = 0; i < y.length; i++) {
            out.put(valid.get(i), y[i]);
          }
        }
      }
    }
    return out;
  }

  /** The embedding in {@code column} of {@code row}, null when the column is null. */
  static float[] floats(Row row, String column) {
    int c = row.fieldIndex(column);
    if (row.isNullAt(c)) {
      return null;
    }
    List<Float> e = row.getList(c);
    float[] f = new float[e.size()];
    for (int i = 0; i < f.length; i++) {
      f[i] = e.get(i);
    }
    return f;
  }

  static final StructType GLYPH_SCHEMA =
      DataTypes.createStructType(
          List.of(
              DataTypes.createStructField("id", DataTypes.LongType, false),
              DataTypes.createStructField("label", DataTypes.IntegerType, false),
              DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, true), true)));

  /** Rows {@code (id, label, pixels)} of {@code data} in {@code partitions} partitions. */
  static Dataset<Row> glyphRows(LabeledDataset data, int partitions) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < data.size(); i++) {
      rows.add(RowFactory.create((long) i, data.label(i), example(data, i)));
    }
    return session().createDataFrame(rows, GLYPH_SCHEMA).repartition(partitions);
  }
}
