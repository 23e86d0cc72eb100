/**
 * A persistent one-shot gallery on Lucene's HNSW vector search, embedded in the application.
 *
 * <p>{@link io.siamese.lucene.LuceneGallery} implements {@link io.siamese.core.gallery.Gallery} on a
 * Lucene index in one directory: one document per enrolled embedding, approximate candidates from
 * HNSW re-ranked exactly with the gallery's distance, enrolments visible at once and durable at
 * {@link io.siamese.lucene.LuceneGallery#commit()} (or by group commit), one writer per directory
 * and any number of readers. Build one with {@link io.siamese.lucene.LuceneGallery#builder}.
 */
package io.siamese.lucene;
