/**
 * Siamese models on TensorFlow Java: build, train, embed, compare, evaluate, save, load, export.
 *
 * <p>Main entry points: {@link io.siamese.core.SiameseModel} (built with {@link
 * io.siamese.core.SiameseModel#builder()}) builds an {@link io.siamese.core.encoder.EncoderSpec}
 * into a graph, trains it with {@code fit} and embeds, compares and evaluates; {@link
 * io.siamese.core.SavedModelEmbedder} runs an exported encoder; both are {@link
 * io.siamese.core.Embedder}s whose embeddings live in an {@link io.siamese.core.EmbeddingSpace}.
 * The subpackages hold the rest: {@code encoder} (architectures), {@code train} (configuration,
 * listeners, optimizers), {@code evaluation} (metrics and evaluators), {@code gallery} (enrolled
 * examples and one-shot classification), {@code embedding} (test-time augmentation, ensembles),
 * {@code cli} (the embed command).
 *
 * <p>No TensorFlow type appears in the public API: methods take and return Java arrays owned by
 * the caller. Models own their native resources and must be closed.
 */
package io.siamese.core;
