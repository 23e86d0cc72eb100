/**
 * Test support: {@link io.siamese.elasticsearch.testing.LocalElasticsearch} starts a real
 * Elasticsearch server from the distribution the build unpacks, for this module's tests and for
 * siamese-bench's Elasticsearch benchmark (published in this module's test jar). Never part of the
 * library.
 */
package io.siamese.elasticsearch.testing;
