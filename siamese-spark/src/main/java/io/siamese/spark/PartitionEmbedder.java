package io.siamese.spark;

import io.siamese.data.ExampleShape;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.SparkEnv;
import org.apache.spark.SparkFiles;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.util.LongAccumulator;

/**
 * The function Spark runs on each partition: takes the JVM's shared model from {@link
 * ExecutorModels}, decodes rows a batch at a time, embeds each batch in one call and yields the
 * output rows lazily, so a partition is never held in memory whole.
 */
final class PartitionEmbedder implements MapPartitionsFunction<Row, Row> {
  private static final long serialVersionUID = 1L;

  /** Counters the driver reads after an action; see {@link EmbeddingJob}. */
  record Counters(
      LongAccumulator embedded, LongAccumulator skipped, LongAccumulator loads, LongAccumulator loadMillis, LongAccumulator firstBatchMillis)
      implements java.io.Serializable {}

  private final String digest;
  private final Broadcast<ShippedModel> model;
  private final int threadsPerTask;
  private final boolean privateNativeCache;
  private final boolean trustAllOps;
  private final int batchSize;
  private final RowDecoder decoder;
  private final int keyColumn;
  private final String keyName;
  private final int[] kept;
  private final boolean skipBadRows;
  private final Counters counters;

  PartitionEmbedder(
      String digest,
      Broadcast<ShippedModel> model,
      int threadsPerTask,
      boolean privateNativeCache,
      boolean trustAllOps,
      int batchSize,
      RowDecoder decoder,
      int keyColumn,
      String keyName,
      int[] kept,
      boolean skipBadRows,
      Counters counters) {
    this.digest = digest;
    this.model = model;
    this.threadsPerTask = threadsPerTask;
    this.privateNativeCache = privateNativeCache;
    this.trustAllOps = trustAllOps;
    this.batchSize = batchSize;
    this.decoder = decoder;
    this.keyColumn = keyColumn;
    this.keyName = keyName;
    this.kept = kept.clone();
    this.skipBadRows = skipBadRows;
    this.counters = counters;
  }

  @Override
  public Iterator<Row> call(Iterator<Row> rows) {
    int slots = ExecutorThreads.concurrentTasks(SparkEnv.get().conf());
    ExecutorModels.Key key =
        new ExecutorModels.Key(
            digest, threadsPerTask == 0 ? 0 : threadsPerTask * slots, threadsPerTask == 0 ? 0 : slots, trustAllOps);
    ExecutorModels.LoadedModel loaded =
        ExecutorModels.acquire(key, model::value, Path.of(SparkFiles.getRootDirectory()), privateNativeCache);
    if (loaded.claimLoadReport()) {
      counters.loads().add(1);
      counters.loadMillis().add(loaded.loadNanos() / 1_000_000);
    }
    decoder.prepare(loaded.embedder());
    TaskContext task = TaskContext.get();
    int partition = task == null ? -1 : task.partitionId();
    return new Batches(rows, loaded, partition);
  }

  /** The output rows of one partition, computed a batch at a time as Spark pulls them. */
  private final class Batches implements Iterator<Row> {
    private final Iterator<Row> input;
    private final ExecutorModels.LoadedModel loaded;
    private final ExampleShape shape;
    private final int partition;
    private final List<Row> out = new ArrayList<>();
    private int next;
    private long rowIndex;

    Batches(Iterator<Row> input, ExecutorModels.LoadedModel loaded, int partition) {
      this.input = input;
      this.loaded = loaded;
      this.shape = loaded.embedder().inputShape();
      this.partition = partition;
    }

    @Override
    public boolean hasNext() {
      if (next < out.size()) {
        return true;
      }
      out.clear();
      next = 0;
      if (input.hasNext()) {
        fill();
      }
      return next < out.size();
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return out.get(next++);
    }

    private void fill() {
      List<Row> batch = new ArrayList<>(batchSize);
      float[][] x = new float[batchSize][];
      String[] errors = new String[batchSize];
      int valid = 0;
      while (batch.size() < batchSize && input.hasNext()) {
        Row row = input.next();
        int i = batch.size();
        batch.add(row);
        try {
          x[i] = decoder.decode(row, shape);
          valid++;
        } catch (IllegalArgumentException | NullPointerException e) {
          String message = "cannot embed " + describe(row) + ": " + e.getMessage();
          if (!skipBadRows) {
            throw new IllegalArgumentException(message, e);
          }
          errors[i] = message;
        }
        rowIndex++;
      }
      float[][] embeddings = embed(x, valid);
      int k = 0;
      for (int i = 0; i < batch.size(); i++) {
        float[] e = x[i] == null ? null : embeddings[k++];
        out.add(outputRow(batch.get(i), e, errors[i]));
      }
      counters.embedded().add(valid);
      counters.skipped().add(batch.size() - valid);
    }

    private float[][] embed(float[][] x, int valid) {
      if (valid == 0) {
        return new float[0][];
      }
      float[][] inputs = new float[valid][];
      int k = 0;
      for (float[] xi : x) {
        if (xi != null) {
          inputs[k++] = xi;
        }
      }
      if (loaded.claimFirstBatch()) {
        long t0 = System.nanoTime();
        float[][] e = loaded.embedder().embed(inputs);
        long nanos = System.nanoTime() - t0;
        loaded.firstBatchTook(nanos);
        counters.firstBatchMillis().add(nanos / 1_000_000);
        return e;
      }
      return loaded.embedder().embed(inputs);
    }

    /** Names the row by its key, unless the decoder's messages already do (an image's path). */
    private String describe(Row row) {
      String where = "partition " + partition + ", row " + rowIndex;
      Object key = keyColumn < 0 || decoder.messagesNameTheRow() ? null : row.get(keyColumn);
      if (key == null) {
        return "the row at " + where;
      }
      return "the row " + keyName + "=" + key + " (" + where + ")";
    }

    private Row outputRow(Row in, float[] embedding, String error) {
      Object[] values = new Object[kept.length + (skipBadRows ? 2 : 1)];
      for (int c = 0; c < kept.length; c++) {
        values[c] = in.get(kept[c]);
      }
      values[kept.length] = embedding;
      if (skipBadRows) {
        values[kept.length + 1] = error;
      }
      return RowFactory.create(values);
    }
  }
}
