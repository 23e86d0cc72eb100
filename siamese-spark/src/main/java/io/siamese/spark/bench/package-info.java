/**
 * The documented harness that measures {@link io.siamese.spark.SparkEmbedder} against a single
 * {@code SavedModelEmbedder} on the same cores: {@link
 * io.siamese.spark.bench.EmbedThroughputHarness}. Results and commands: docs/benchmarks.md.
 */
package io.siamese.spark.bench;
