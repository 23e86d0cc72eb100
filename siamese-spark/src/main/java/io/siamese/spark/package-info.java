/**
 * Embeds a corpus on Apache Spark with an encoder exported by {@code
 * SiameseModel.exportSavedModel}, loading the model once per executor JVM.
 *
 * <p>Main entry points: {@link io.siamese.spark.SparkEmbedder} embeds an {@code array<float>}
 * column or image files read with Spark's {@code binaryFile} source, and returns an {@link
 * io.siamese.spark.EmbeddingJob} (the rows, to write as Parquet, and counters); {@link
 * io.siamese.spark.ExecutorModels} is the per-JVM model cache and its load counter. Running on a
 * cluster (the shaded jar, natives, memory, threads): docs/spark.md.
 */
package io.siamese.spark;
