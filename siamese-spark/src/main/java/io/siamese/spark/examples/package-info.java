/**
 * The end-to-end example: a million synthetic glyphs generated in Spark's partitions, embedded
 * into Parquet and bulk-loaded into a persistent gallery, then queried ({@link
 * io.siamese.spark.examples.SparkEmbedExample}).
 */
package io.siamese.spark.examples;
