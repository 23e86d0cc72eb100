package io.siamese.core;

import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;

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
   * The embeddings of examples {@code indices} of {@code data}, in that order.
   *
   * @throws IllegalArgumentException if the dataset's shape is not {@link #inputShape()} or an
   *     index is out of range
   */
  default float[][] embed(LabeledDataset data, int[] indices) {
    float[][] rows = new float[indices.length][];
    for (int i = 0; i < indices.length; i++) {
      rows[i] = data.features(indices[i]);
    }
    return embed(rows);
  }

  /** The embedding of every example of {@code data}, in order; see {@link #embed(LabeledDataset, int[])}. */
  default float[][] embed(LabeledDataset data) {
    int[] all = new int[java.util.Objects.requireNonNull(data, "data").size()];
    java.util.Arrays.setAll(all, i -> i);
    return embed(data, all);
  }

  /**
   * The space this embedder's embeddings live in: their size, the distance that compares them and
   * a digest of the weights that made them (which changes as a model trains).
   */
  EmbeddingSpace embeddingSpace();
}
