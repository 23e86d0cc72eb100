package io.siamese.core.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Objects;
import java.util.Optional;

/**
 * The answer of a one-shot classification: the label of the nearest enrolled example, and whether
 * it is near enough to be trusted.
 *
 * <p>Two predictions are equal when they give the same answer: the same {@link #nearest()} label
 * and the same {@link #known()}. The distance is not compared: it is a float computation whose last
 * bits vary with the batch an embedding was computed in (about 1e-7 between a query embedded alone
 * and in a batch).
 *
 * @param nearest the label of the nearest enrolled example, whether or not it is close enough
 * @param distance the distance to that example, in the gallery's distance
 * @param known whether that distance is within the classifier's threshold
 * @param <L> the label type
 */
public record OneShotPrediction<L>(L nearest, double distance, boolean known) {

  /** The prediction for the nearest neighbour {@code n}: known when {@code n.distance() <= unknownThreshold}. */
  public static <L> OneShotPrediction<L> of(Neighbor<L> n, double unknownThreshold) {
    return new OneShotPrediction<>(n.label(), n.distance(), n.distance() <= unknownThreshold);
  }

  /** The predicted class, or empty for "unknown". */
  public Optional<L> label() {
    return known ? Optional.of(nearest) : Optional.empty();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof OneShotPrediction<?> p && known == p.known && Objects.equals(nearest, p.nearest);
  }

  @Override
  public int hashCode() {
    return 31 * Objects.hashCode(nearest) + Boolean.hashCode(known);
  }

  static void checkThreshold(double unknownThreshold) {
    checkArgument(
        unknownThreshold > 0 && !Double.isNaN(unknownThreshold),
        "unknown threshold must be > 0 (use Double.POSITIVE_INFINITY to always answer), got %s",
        unknownThreshold);
  }
}
