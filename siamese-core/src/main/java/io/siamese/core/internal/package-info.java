/**
 * Helpers shared by siamese-java's own modules (the Lucene, Elasticsearch and Spark modules among
 * them). <b>Not API:</b> anything here may change or go in any release; applications should not
 * use it.
 */
package io.siamese.core.internal;
