package io.siamese.core.gallery;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * When a one-shot classifier answers "unknown" instead of the nearest enrolled class: a rule and its
 * threshold. Immutable.
 *
 * <ul>
 *   <li>{@link Kind#DISTANCE}: the nearest enrolled example is farther than {@code threshold}, a
 *       distance in the gallery's distance. Simple, but one distance means different things in
 *       different galleries: where the enrolled classes are crowded (similar faces, one alphabet's
 *       look-alike characters) a never-enrolled query is near something far more often.
 *   <li>{@link Kind#DISTANCE_RATIO}: the nearest class's distance divided by the second nearest
 *       class's distance (each class's nearest enrolled example) is above {@code threshold}, in
 *       {@code [0, 1]}: the query is not clearly nearer one class than the next (Lowe's ratio
 *       test). Scale-free, so a threshold calibrated on one set of classes transfers to another
 *       better than a distance does (measured in docs/examples.md). It needs two enrolled classes.
 * </ul>
 *
 * Choose the threshold on held-out classes at a target false-alarm rate ({@code
 * OpenSetResult.falseAlarmRatePoint}); {@code OperatingPoint.unknownRule()} turns a kept point into
 * its rule.
 *
 * @param kind which score is compared
 * @param threshold the largest score still answered with a label: a distance {@code > 0} ({@link
 *     Double#POSITIVE_INFINITY} always answers a label) or a ratio in {@code [0, 1]} (1 always
 *     answers a label)
 */
public record UnknownRule(Kind kind, double threshold) {

  /** The score a rule compares with its threshold. */
  public enum Kind {
    /** The distance to the nearest enrolled example. */
    DISTANCE,
    /** The nearest class's distance over the second nearest class's distance, in {@code [0, 1]}. */
    DISTANCE_RATIO;

    /**
     * The score of a query whose nearest class is at {@code nearest} and the next class at {@code
     * second} ({@code >= nearest}; {@link Double#POSITIVE_INFINITY} when there is none). A ratio of
     * two zero distances is 1: the query is as near one class as the other.
     */
    public double score(double nearest, double second) {
      if (this == DISTANCE) {
        return nearest;
      }
      if (second == Double.POSITIVE_INFINITY) {
        return 0;
      }
      return second == 0 ? 1 : nearest / second;
    }
  }

  public UnknownRule {
    checkNotNull(kind, "kind");
    if (kind == Kind.DISTANCE) {
      OneShotPrediction.checkThreshold(threshold);
    } else {
      checkArgument(threshold >= 0 && threshold <= 1, "a distance-ratio threshold must be in [0, 1], got %s", threshold);
    }
  }

  /** Unknown when the nearest enrolled example is farther than {@code threshold} ({@code > 0}). */
  public static UnknownRule distance(double threshold) {
    return new UnknownRule(Kind.DISTANCE, threshold);
  }

  /** Unknown when the nearest class's distance over the second nearest's is above {@code threshold} (in {@code [0, 1]}). */
  public static UnknownRule distanceRatio(double threshold) {
    return new UnknownRule(Kind.DISTANCE_RATIO, threshold);
  }

  /** Whether a query with these nearest- and second-class distances gets a label. */
  public boolean known(double nearest, double second) {
    return kind.score(nearest, second) <= threshold;
  }
}
