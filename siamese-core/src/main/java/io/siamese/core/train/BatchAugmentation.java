package io.siamese.core.train;

import io.siamese.data.ExampleShape;
import java.util.SplittableRandom;

/**
 * Distorts a gathered training batch in place before the training step sees it, e.g. with {@code
 * io.siamese.data.Augmenter::apply}. Each twin of a pair is distorted independently. Only training
 * batches are augmented; validation, evaluation and embedding see the data as it is.
 */
@FunctionalInterface
public interface BatchAugmentation {

  /**
   * @param batch {@code count} examples of {@code shape}, row-major, changed in place
   * @param count number of examples in the batch
   * @param shape the shape of one example
   * @param random the source of randomness, seeded from the model's seed
   */
  void apply(float[] batch, int count, ExampleShape shape, SplittableRandom random);
}
