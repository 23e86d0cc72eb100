/**
 * A one-shot gallery in an Elasticsearch cluster, for galleries that outgrow one machine or are
 * shared by several applications.
 *
 * <p>{@link io.siamese.elasticsearch.ElasticsearchGallery} implements {@link
 * io.siamese.core.gallery.Gallery} over one index of {@code dense_vector} documents: Elasticsearch's
 * HNSW kNN search finds candidates, the gallery re-ranks them with the exact distance. Open one with
 * {@link io.siamese.elasticsearch.ElasticsearchGallery#builder}; {@link
 * io.siamese.elasticsearch.VectorIndex} chooses float32 or int8 HNSW; failures of the cluster are
 * {@link io.siamese.elasticsearch.ElasticsearchGalleryException}s. No Elasticsearch client type is
 * needed to use it, though the builder accepts your own client.
 */
package io.siamese.elasticsearch;
