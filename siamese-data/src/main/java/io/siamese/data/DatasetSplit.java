package io.siamese.data;

import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A dataset divided in two: {@code train} to fit a model on and {@code test} to evaluate it. For
 * one-shot learning the two usually share no class (see {@link Splits}), so the test measures
 * generalisation to classes the model never saw.
 *
 * <p>Immutable value type; both datasets are themselves immutable and may be shared.
 *
 * @param train the examples to train on
 * @param test the held-out examples
 */
public record DatasetSplit(LabeledDataset train, LabeledDataset test) {

  /**
   * A split of the two given datasets, held as they are.
   *
   * @throws NullPointerException if either side is null
   */
  public DatasetSplit {
    checkNotNull(train, "train");
    checkNotNull(test, "test");
  }

  /** {@code DatasetSplit[train 6 classes / 120 examples, test 4 classes / 80 examples]}. */
  @Override
  public String toString() {
    return "DatasetSplit[train "
        + train.classCount()
        + " classes / "
        + train.size()
        + " examples, test "
        + test.classCount()
        + " classes / "
        + test.size()
        + " examples]";
  }
}
