/**
 * Embedders built from other embedders: test-time augmentation ({@link
 * io.siamese.core.embedding.AugmentedEmbedder}, the mean over augmented views) and ensembles
 * ({@link io.siamese.core.embedding.EnsembleEmbedder}: models side by side, so that the
 * ensemble's distance averages theirs). Both are {@link
 * io.siamese.core.Embedder}s, so evaluators, galleries and one-shot classifiers take them.
 */
package io.siamese.core.embedding;
