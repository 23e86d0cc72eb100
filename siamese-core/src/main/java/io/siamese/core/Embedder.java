package io.siamese.core;

import io.siamese.data.ExampleShape;

/**
 * Something that maps examples to embeddings: a {@link SiameseModel} being trained, or an encoder
 * exported as a SavedModel ({@link SavedModelEmbedder}). Evaluators and one-shot classifiers work
 * on any embedder.
 *
 * <p>Implementations take and return Java arrays owned by the caller and are safe to call from
 * many threads at once.
 */
public interface Embedder {

  /** The shape of one input example; {@link #embed} takes {@code inputShape().size()} floats per example. */
  ExampleShape inputShape();

  /** Floats per embedding. */
  int embeddingSize();

  /**
   * The embeddings of a batch of examples.
   *
   * @param examples at least one; each {@code inputShape().size()} finite floats, row-major
   *     (channels last)
   * @return one array of {@link #embeddingSize()} floats per example, owned by the caller
   * @throws IllegalArgumentException naming the example with the wrong length or a non-finite value
   * @throws IllegalStateException if the embedder is closed
   */
  float[][] embed(float[][] examples);

  /** The embedding of one example; see {@link #embed(float[][])}. */
  default float[] embed(float[] example) {
    return embed(new float[][] {example})[0];
  }

  /**
   * The space this embedder's embeddings live in: their size, the distance that compares them and
   * a digest of the weights that made them (which changes as a model trains).
   */
  EmbeddingSpace embeddingSpace();
}
