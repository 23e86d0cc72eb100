/**
 * Galleries of enrolled embeddings and one-shot classification over them.
 *
 * <p>{@link io.siamese.core.gallery.Gallery} is the store (enrol, remove, nearest, classify,
 * commit); {@link io.siamese.core.gallery.InMemoryGallery} is the exact, in-heap one, saved and
 * loaded crash-safely; the {@code siamese-lucene} and {@code siamese-elasticsearch} modules
 * persist and scale it. {@link io.siamese.core.gallery.OneShotClassifier} embeds examples with an
 * {@link io.siamese.core.Embedder} and classifies them against a gallery, answering "unknown"
 * beyond a threshold.
 */
package io.siamese.core.gallery;
