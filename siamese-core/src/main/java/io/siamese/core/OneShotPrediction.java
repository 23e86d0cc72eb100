package io.siamese.core;

import java.util.Optional;

/**
 * The answer of a {@link OneShotClassifier}.
 *
 * @param nearest the class of the nearest enrolled example, whether or not it is close enough
 * @param distance the distance to that example, in the model's distance
 * @param known whether that distance is within the classifier's threshold
 * @param <L> the label type
 */
public record OneShotPrediction<L>(L nearest, double distance, boolean known) {

  /** The predicted class, or empty for "unknown". */
  public Optional<L> label() {
    return known ? Optional.of(nearest) : Optional.empty();
  }
}
