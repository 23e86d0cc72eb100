/**
 * Benchmarks of the persistent galleries: {@link io.siamese.bench.gallery.EmbeddingCorpus} (a
 * cached corpus of embeddings a trained Conv-4 makes of synthetic glyphs), {@link
 * io.siamese.bench.gallery.ExactScan} (the exact baseline and truth), {@link
 * io.siamese.bench.gallery.LuceneGalleryBenchmark} (the Lucene gallery's targets of issue 15) and
 * {@link io.siamese.bench.gallery.ElasticsearchGalleryBenchmark} (the Elasticsearch gallery's).
 */
package io.siamese.bench.gallery;
