package io.siamese.lucene;

import java.util.SplittableRandom;

/** Seeded standard-normal test vectors, shared by the Lucene tests and the crash child. */
final class TestVectors {
  private TestVectors() {}

  /** {@code dim} standard-normal floats, the same for a seed. */
  static float[] gaussian(long seed, int dim) {
    SplittableRandom r = new SplittableRandom(seed);
    float[] v = new float[dim];
    for (int i = 0; i < dim; i++) {
      v[i] = (float) r.nextGaussian();
    }
    return v;
  }
}
