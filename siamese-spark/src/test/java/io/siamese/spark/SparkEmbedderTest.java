package io.siamese.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.data.LabeledDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.SparkException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class SparkEmbedderTest {
  private static SparkSession spark;
  private static Path model;
  private static LabeledDataset glyphs;
  private static Map<Long, float[]> inputs;

  @BeforeAll
  static void setUp() {
    spark = TestSpark.session();
    model = TestSpark.exportConv4(11);
    glyphs = TestSpark.glyphs(30, 10, 5);
    inputs = new HashMap<>();
    for (int i = 0; i < glyphs.size(); i++) {
      inputs.put((long) i, TestSpark.example(glyphs, i));
    }
  }

  /** Asserts that every row of {@code rows} has exactly the oracle's embedding for the same batches. */
  private static void assertSameAsSavedModelEmbedder(List<Row> rows, int batchSize, Map<Long, float[]> in) {
    Map<Long, float[]> expected = TestSpark.sameBatches(model, rows, batchSize, in);
    for (Row r : rows) {
      long id = r.getLong(r.fieldIndex("id"));
      assertArrayEquals(expected.get(id), TestSpark.floats(r, "embedding"), "embedding of row " + id);
    }
  }

  @Test
  void embeddingsEqualTheSavedModelEmbeddersValueForValue() {
    SparkEmbedder embedder = SparkEmbedder.builder(model).batchSize(32).keyColumn("id").build();
    EmbeddingJob job = embedder.embed(TestSpark.glyphRows(glyphs, 7), "pixels", "embedding");
    List<Row> rows = job.rows().withColumn("pid", functions.spark_partition_id()).collectAsList();
    assertEquals(glyphs.size(), rows.size());
    assertEquals(glyphs.size(), rows.stream().map(r -> r.getLong(0)).distinct().count());
    assertSameAsSavedModelEmbedder(rows, 32, inputs);
    for (Row r : rows) {
      assertEquals(glyphs.label((int) r.getLong(0)), r.getInt(r.fieldIndex("label")), "the input columns pass through");
    }
    assertEquals(glyphs.size(), job.embeddedRows());
    assertEquals(0, job.skippedRows());
  }

  @Test
  void threadsPerTaskSizeTheSharedModelsPoolsForTheExecutorsTasks() {
    Path fresh = TestSpark.exportConv4(13);
    SparkEmbedder embedder = SparkEmbedder.builder(fresh).threadsPerTask(1).build();
    assertEquals(glyphs.size(), embedder.embed(TestSpark.glyphRows(glyphs, 4), "pixels", "embedding").rows().count());
    // local[2]: two concurrent tasks, one thread each, share an intra-op pool of 2 and 2 inter-op threads.
    assertTrue(ExecutorModels.keys().contains(new ExecutorModels.Key(embedder.modelDigest(), 2, 2)), ExecutorModels.keys().toString());
    // A model loaded without the op check is a model of its own: a job that wants the check never gets it.
    long before = ExecutorModels.loads();
    SparkEmbedder trusting = SparkEmbedder.builder(fresh).threadsPerTask(1).trustAllOps().build();
    assertEquals(glyphs.size(), trusting.embed(TestSpark.glyphRows(glyphs, 2), "pixels", "embedding").rows().count());
    assertEquals(before + 1, ExecutorModels.loads());
    assertTrue(ExecutorModels.keys().contains(new ExecutorModels.Key(embedder.modelDigest(), 2, 2, true)), ExecutorModels.keys().toString());
  }

  @Test
  void arraysWithoutNullsAreReadAsFloatArraysWithTheSameResult() {
    // array<float> declared without null elements: read and carried on as float[], not boxed.
    StructType noNulls =
        DataTypes.createStructType(
            List.of(
                DataTypes.createStructField("id", DataTypes.LongType, false),
                DataTypes.createStructField("label", DataTypes.IntegerType, false),
                DataTypes.createStructField("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)));
    Dataset<Row> rows = spark.createDataFrame(TestSpark.glyphRows(glyphs, 5).collectAsList(), noNulls).repartition(5);
    SparkEmbedder embedder = SparkEmbedder.builder(model).batchSize(16).keyColumn("id").build();
    List<Row> out = embedder.embed(rows, "pixels", "embedding").rows().withColumn("pid", functions.spark_partition_id()).collectAsList();
    assertEquals(glyphs.size(), out.size());
    assertSameAsSavedModelEmbedder(out, 16, inputs);
    for (Row r : out) {
      assertArrayEquals(inputs.get(r.getLong(0)), TestSpark.floats(r, "pixels"), "the input column passes through unchanged");
    }
  }

  @Test
  void parquetOutputKeepsTheEmbeddingsAndTheModelDigest() {
    SparkEmbedder embedder = SparkEmbedder.builder(model).keepInputColumn(false).build();
    EmbeddingJob job = embedder.embed(TestSpark.glyphRows(glyphs, 3), "pixels", "embedding");
    String out = TestSpark.scratch().resolve("parquet-" + System.nanoTime()).toString();
    job.rows().withColumn("pid", functions.spark_partition_id()).write().parquet(out);
    Dataset<Row> back = spark.read().parquet(out);
    assertEquals(List.of("id", "label", "embedding", "pid"), List.of(back.columns()), "the pixels were left behind");
    assertEquals(embedder.modelDigest(), SparkEmbedder.modelDigestOf(back.schema(), "embedding").orElseThrow());
    assertEquals(ShippedModel.digest(model), embedder.modelDigest());
    // The Parquet carries the space its embeddings live in: a gallery of that space takes them,
    // a gallery of another model's refuses them before anything is enrolled.
    try (io.siamese.core.SavedModelEmbedder oracle = io.siamese.core.SavedModelEmbedder.open(model)) {
      assertEquals(oracle.embeddingSpace(), embedder.embeddingSpace());
      SparkEmbedder.requireSpace(back, "embedding", oracle.embeddingSpace());
      io.siamese.core.EmbeddingSpace other =
          new io.siamese.core.EmbeddingSpace(oracle.embeddingSize(), oracle.embeddingSpace().distance(), "another-model");
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SparkEmbedder.requireSpace(back, "embedding", other));
      assertTrue(e.getMessage().contains("made by another model"), e.getMessage());
    }
    List<Row> rows = back.collectAsList();
    assertEquals(glyphs.size(), rows.size());
    assertSameAsSavedModelEmbedder(rows, SparkEmbedder.DEFAULT_BATCH_SIZE, inputs);
  }

  @Test
  void oneModelLoadPerJvmAcrossPartitionsTasksAndJobs() {
    Path fresh = TestSpark.exportConv4(12);
    SparkEmbedder embedder = SparkEmbedder.builder(fresh).batchSize(16).build();
    long before = ExecutorModels.loads();
    // 24 partitions on local[2]: two task threads ask for the model at the same moment, and 22
    // more tasks follow; then a second job over the same rows.
    EmbeddingJob first = embedder.embed(TestSpark.glyphRows(glyphs, 24), "pixels", "embedding");
    List<Row> tasks =
        first.rows().mapPartitions(
                (org.apache.spark.api.java.function.MapPartitionsFunction<Row, Row>)
                    it -> {
                      long n = 0;
                      while (it.hasNext()) {
                        it.next();
                        n++;
                      }
                      return List.of(RowFactory.create(ProcessHandle.current().pid(), ExecutorModels.loads(), n)).iterator();
                    },
                org.apache.spark.sql.Encoders.row(
                    org.apache.spark.sql.types.DataTypes.createStructType(
                        List.of(
                            org.apache.spark.sql.types.DataTypes.createStructField("pid", org.apache.spark.sql.types.DataTypes.LongType, false),
                            org.apache.spark.sql.types.DataTypes.createStructField("loads", org.apache.spark.sql.types.DataTypes.LongType, false),
                            org.apache.spark.sql.types.DataTypes.createStructField("rows", org.apache.spark.sql.types.DataTypes.LongType, false)))))
            .collectAsList();
    assertEquals(24, tasks.size());
    long rows = 0;
    for (Row t : tasks) {
      assertEquals(before + 1, t.getLong(1), "every task saw exactly one new load in its JVM (pid " + t.getLong(0) + ")");
      rows += t.getLong(2);
    }
    assertEquals(glyphs.size(), rows);
    assertEquals(1, first.modelLoads());
    assertTrue(first.modelLoadMillis() > 0, "the load's time is reported");
    EmbeddingJob second = embedder.embed(TestSpark.glyphRows(glyphs, 5), "pixels", "embedding");
    assertEquals(glyphs.size(), second.rows().count());
    assertEquals(before + 1, ExecutorModels.loads(), "a second job reuses the JVM's model");
    assertEquals(0, second.modelLoads());
    assertEquals(0, second.firstBatchMillis(), "the first batch was the first job's");
  }

  private static Dataset<Row> withBadRows() {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      float[] x = TestSpark.example(glyphs, i);
      Object pixels = x;
      if (i == 7) {
        x[100] = Float.NaN;
      } else if (i == 13) {
        pixels = new float[100];
      } else if (i == 21) {
        pixels = null;
      } else if (i == 30) {
        x[5] = Float.POSITIVE_INFINITY;
      }
      rows.add(RowFactory.create((long) i, glyphs.label(i), pixels));
    }
    return spark.createDataFrame(rows, TestSpark.GLYPH_SCHEMA).repartition(3);
  }

  @Test
  void aBadRowFailsTheJobNamingItsKey() {
    SparkEmbedder embedder = SparkEmbedder.builder(model).batchSize(8).keyColumn("id").build();
    Dataset<Row> nan = withBadRows().filter("id != 13 AND id != 21 AND id != 30");
    SparkException e = assertThrows(SparkException.class, () -> embedder.embed(nan, "pixels", "embedding").rows().count());
    assertTrue(e.getMessage().contains("id=7") && e.getMessage().contains("NaN"), e.getMessage());
    Dataset<Row> shortRow = withBadRows().filter("id = 13");
    e = assertThrows(SparkException.class, () -> embedder.embed(shortRow, "pixels", "embedding").rows().count());
    assertTrue(e.getMessage().contains("id=13") && e.getMessage().contains("has 100 floats") && e.getMessage().contains("784"), e.getMessage());
    Dataset<Row> nullRow = withBadRows().filter("id = 21");
    e = assertThrows(SparkException.class, () -> embedder.embed(nullRow, "pixels", "embedding").rows().count());
    assertTrue(e.getMessage().contains("id=21") && e.getMessage().contains("null"), e.getMessage());
    // A null inside the array, read boxed (the column is carried on) and as float[] (it is not).
    List<Row> withNull = new ArrayList<>();
    Float[] boxed = new Float[784];
    java.util.Arrays.fill(boxed, 0.5f);
    boxed[9] = null;
    withNull.add(RowFactory.create(33L, 1, java.util.Arrays.asList(boxed)));
    Dataset<Row> nullElement = spark.createDataFrame(withNull, TestSpark.GLYPH_SCHEMA);
    e = assertThrows(SparkException.class, () -> embedder.embed(nullElement, "pixels", "embedding").rows().count());
    assertTrue(e.getMessage().contains("id=33") && e.getMessage().contains("null at position 9"), e.getMessage());
    SparkEmbedder dropping = SparkEmbedder.builder(model).keyColumn("id").keepInputColumn(false).build();
    e = assertThrows(SparkException.class, () -> dropping.embed(nullElement, "pixels", "embedding").rows().count());
    assertTrue(e.getMessage().contains("id=33") && e.getMessage().contains("holds a null element"), e.getMessage());
    // Without a key column the row is named by its place.
    SparkEmbedder unkeyed = SparkEmbedder.builder(model).build();
    e = assertThrows(SparkException.class, () -> unkeyed.embed(shortRow.coalesce(1), "pixels", "embedding").rows().count());
    assertTrue(e.getMessage().contains("partition 0, row 0"), e.getMessage());
    // The executor survives: the next job on the same session runs.
    assertEquals(glyphs.size(), embedder.embed(TestSpark.glyphRows(glyphs, 2), "pixels", "embedding").rows().count());
  }

  @Test
  void skippedBadRowsGetANullEmbeddingAReasonAndACount() {
    SparkEmbedder embedder = SparkEmbedder.builder(model).batchSize(8).keyColumn("id").skipBadRows().build();
    EmbeddingJob job = embedder.embed(withBadRows(), "pixels", "embedding");
    String out = TestSpark.scratch().resolve("skipped-" + System.nanoTime()).toString();
    job.rows().withColumn("pid", functions.spark_partition_id()).write().parquet(out);
    assertEquals(4, job.skippedRows());
    assertEquals(36, job.embeddedRows());
    List<Row> back = spark.read().parquet(out).collectAsList();
    assertEquals(40, back.size());
    Map<Long, float[]> in = new HashMap<>(inputs);
    for (long bad : List.of(7L, 13L, 21L, 30L)) {
      in.put(bad, null);
    }
    Map<Long, float[]> expected = TestSpark.sameBatches(model, back, 8, in);
    for (Row r : back) {
      long id = r.getLong(0);
      int e = r.fieldIndex("embedding");
      String error = r.getString(r.fieldIndex("embedding_error"));
      if (id == 7 || id == 13 || id == 21 || id == 30) {
        assertTrue(r.isNullAt(e), "row " + id + " has no embedding");
        assertNotNull(error);
        assertTrue(error.contains("id=" + id), error);
      } else {
        assertNull(error, "row " + id);
        assertArrayEquals(expected.get(id), TestSpark.floats(r, "embedding"), "row " + id);
      }
    }
    assertEquals(4, spark.read().parquet(out).filter(functions.col("embedding").isNull()).count());
  }

  @Test
  void wrongColumnsAreRefusedOnTheDriver() {
    SparkEmbedder embedder = SparkEmbedder.builder(model).build();
    Dataset<Row> rows = TestSpark.glyphRows(glyphs, 1);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> embedder.embed(rows.withColumn("d", functions.col("pixels").cast("array<double>")), "d", "embedding"));
    assertTrue(e.getMessage().contains("array<double>") && e.getMessage().contains("cast"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> embedder.embed(rows, "nope", "embedding"));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> embedder.embed(rows, "pixels", "label"));
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    SparkEmbedder keyed = SparkEmbedder.builder(model).keyColumn("missing").build();
    e = assertThrows(IllegalArgumentException.class, () -> keyed.embed(rows, "pixels", "embedding"));
    assertTrue(e.getMessage().contains("missing"), e.getMessage());
  }

  @Test
  void builderChecksItsSettings() {
    assertThrows(IllegalArgumentException.class, () -> SparkEmbedder.builder(model).batchSize(0));
    assertThrows(IllegalArgumentException.class, () -> SparkEmbedder.builder(model).threadsPerTask(-1));
    assertThrows(IllegalStateException.class, () -> SparkEmbedder.builder(model).batchSize(4).batchSize(8));
    assertThrows(IllegalArgumentException.class, () -> SparkEmbedder.builder(model).errorColumn("why").build());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> SparkEmbedder.builder(TestSpark.scratch()).build());
    assertTrue(e.getMessage().contains("no saved_model.pb"), e.getMessage());
  }
}
