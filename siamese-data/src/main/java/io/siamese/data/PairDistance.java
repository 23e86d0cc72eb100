package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * The distance between two examples of a dataset, by index, for samplers that mine hard examples
 * ({@link HardNegativePairSampler}). Smaller means more alike. Implementations must be
 * deterministic for samplers to be reproducible, and are called from the sampler's thread only.
 */
@FunctionalInterface
public interface PairDistance {

  /** The distance between examples {@code i} and {@code j}; finite and {@code >= 0}. */
  double distance(int i, int j);

  /**
   * Squared Euclidean distance between rows of an embedding matrix, one row per example. The matrix
   * is copied into one flat array, so later changes to {@code embeddings} are not seen: make a new
   * distance after re-embedding.
   *
   * @param embeddings one row per example, all rows of the same length {@code > 0}
   * @throws IllegalArgumentException if the matrix is empty or ragged, or holds a non-finite value
   */
  static PairDistance squaredEuclidean(float[][] embeddings) {
    checkNotNull(embeddings, "embeddings");
    checkArgument(embeddings.length > 0, "embeddings must have at least one row");
    checkNotNull(embeddings[0], "embedding row 0");
    int dim = embeddings[0].length;
    checkArgument(dim > 0, "embedding rows must have length > 0");
    checkArgument(
        (long) embeddings.length * dim <= Integer.MAX_VALUE - 8,
        "%s embeddings of %s floats exceed one Java array",
        embeddings.length,
        dim);
    float[] flat = new float[embeddings.length * dim];
    for (int i = 0; i < embeddings.length; i++) {
      float[] row = checkNotNull(embeddings[i], "embedding row %s", i);
      checkArgument(
          row.length == dim, "embedding row %s has length %s, row 0 has %s", i, row.length, dim);
      for (int k = 0; k < dim; k++) {
        checkArgument(Float.isFinite(row[k]), "embedding %s, component %s is %s", i, k, row[k]);
      }
      System.arraycopy(row, 0, flat, i * dim, dim);
    }
    int rows = embeddings.length;
    return (i, j) -> {
      if (i < 0 || i >= rows || j < 0 || j >= rows) {
        throw new IndexOutOfBoundsException(
            "example " + i + " or " + j + " outside the " + rows + " embeddings");
      }
      double sum = 0;
      int a = i * dim;
      int b = j * dim;
      for (int k = 0; k < dim; k++) {
        double d = flat[a + k] - flat[b + k];
        sum += d * d;
      }
      return sum;
    };
  }
}
