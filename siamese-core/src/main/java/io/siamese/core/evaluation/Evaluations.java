package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.core.Embedder;
import io.siamese.data.LabeledDataset;

/** Argument checks the evaluators share. */
final class Evaluations {
  private Evaluations() {}

  static void requireShape(Embedder embedder, LabeledDataset data, String what) {
    checkArgument(
        data.shape().equals(embedder.inputShape()),
        "%s holds examples of shape %s, but the encoder expects %s",
        what,
        data.shape(),
        embedder.inputShape());
  }
}
