package io.siamese.data;

/**
 * Draws batches of example pairs, as indices into {@link #dataset()}; a separate gather step
 * ({@link LabeledDataset#gather}) turns them into arrays.
 *
 * <p>Samplers are seeded and stateful: the same seed gives the same sequence of batches on every
 * machine. They are not thread-safe.
 */
public interface PairSampler {

  /** The dataset whose indices this sampler returns. */
  LabeledDataset dataset();

  /**
   * The next batch.
   *
   * @param pairs number of pairs, {@code > 0}
   */
  PairBatch next(int pairs);
}
