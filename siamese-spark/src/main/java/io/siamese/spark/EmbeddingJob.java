package io.siamese.spark;

import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The embedded rows of one {@link SparkEmbedder} call, and counters filled in as Spark computes
 * them.
 *
 * <p>{@link #rows()} is lazy like every Dataset: nothing is embedded until an action (a write, a
 * count) runs. The counters are Spark accumulators updated by the tasks; read them after the
 * action. They count every computation of the rows: an uncached Dataset that two actions compute
 * counts twice, and a task Spark retries counts again. Write the rows once (to Parquet) and read
 * the counters then; for an exact count of skipped rows, count the null embeddings in the output.
 */
public final class EmbeddingJob {
  private final Dataset<Row> rows;
  private final PartitionEmbedder.Counters counters;
  private final String modelDigest;

  EmbeddingJob(Dataset<Row> rows, PartitionEmbedder.Counters counters, String modelDigest) {
    this.rows = rows;
    this.counters = counters;
    this.modelDigest = modelDigest;
  }

  /**
   * The output: the input's columns (less an image's bytes), then the embedding column ({@code
   * array<float>}, its metadata holding {@link SparkEmbedder#MODEL_DIGEST_METADATA}), then, when
   * bad rows are skipped, the error column. Write it with {@code rows().write().parquet(path)}.
   */
  public Dataset<Row> rows() {
    return rows;
  }

  /** Rows embedded so far. */
  public long embeddedRows() {
    return counters.embedded().value();
  }

  /** Rows given a null embedding because they were bad (only when bad rows are skipped). */
  public long skippedRows() {
    return counters.skipped().value();
  }

  /**
   * SavedModel loads that this job's tasks caused: at most one per executor JVM, none in a JVM that
   * already held the model from an earlier job.
   */
  public long modelLoads() {
    return counters.loads().value();
  }

  /** Milliseconds those loads took, summed over the executors. */
  public long modelLoadMillis() {
    return counters.loadMillis().value();
  }

  /**
   * Milliseconds of the first batch of each freshly loaded model, summed over the executors:
   * TensorFlow optimises the graph on its first run, so this batch is slower than the rest and is
   * reported apart from the throughput.
   */
  public long firstBatchMillis() {
    return counters.firstBatchMillis().value();
  }

  /** The SHA-256 digest of the SavedModel's files. */
  public String modelDigest() {
    return modelDigest;
  }

  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "EmbeddingJob[model %s, %d rows embedded, %d skipped, %d model loads (%d ms), first batch %d ms]",
        modelDigest.substring(0, 16),
        embeddedRows(),
        skippedRows(),
        modelLoads(),
        modelLoadMillis(),
        firstBatchMillis());
  }
}
