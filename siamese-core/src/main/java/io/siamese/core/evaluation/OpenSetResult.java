package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.gallery.UnknownRule;
import java.util.Locale;

/**
 * How a one-shot gallery answers open-set queries (the protocol of face recognition): probes of
 * enrolled classes should be identified, probes of classes never enrolled should be answered
 * "unknown". For a threshold {@code t} on a rule's score ({@link UnknownRule.Kind}: the distance to
 * the nearest enrolled example, or that distance over the second nearest class's):
 *
 * <ul>
 *   <li>the false-alarm rate (FAR) is the fraction of never-enrolled probes whose score is within
 *       {@code t}: they would be given somebody's label;
 *   <li>the detection-and-identification rate (DIR) is the fraction of enrolled-class probes whose
 *       score is within {@code t} and whose nearest enrolled example is of their class.
 * </ul>
 *
 * A threshold chosen on pairs ({@link PairMetrics}) says nothing about FAR: a gallery of many
 * classes offers an unknown probe many chances to be near something. Calibrate on held-out classes
 * with {@link #thresholdAtFalseAlarmRate} instead, and report DIR at FAR 1%, 5% and 10%. The
 * methods without a rule use {@link UnknownRule.Kind#DISTANCE}. Immutable.
 */
public final class OpenSetResult {
  private final int knownProbes;
  private final int unknownProbes;
  private final RuleScores distance;
  /** Null when the second nearest class's distances were not recorded. */
  private final RuleScores ratio;
  private final int enrolledClasses;
  private final int trials;

  /**
   * A result for the distance rule only.
   *
   * @param knownDistances for each probe of an enrolled class, the distance to its nearest enrolled example
   * @param knownCorrect whether that nearest example is of the probe's class
   * @param unknownDistances for each probe of a never-enrolled class, the distance to its nearest enrolled example
   */
  public OpenSetResult(double[] knownDistances, boolean[] knownCorrect, double[] unknownDistances, int enrolledClasses, int trials) {
    this(knownDistances, knownCorrect, null, unknownDistances, null, enrolledClasses, trials);
  }

  /**
   * A result for both rules.
   *
   * @param knownSecond for each probe of an enrolled class, the distance to the nearest enrolled
   *     example of another class ({@link Double#POSITIVE_INFINITY} if none)
   * @param unknownSecond the same for each never-enrolled probe
   */
  public OpenSetResult(
      double[] knownDistances, boolean[] knownCorrect, double[] knownSecond, double[] unknownDistances, double[] unknownSecond,
      int enrolledClasses, int trials) {
    checkArgument(knownDistances.length == knownCorrect.length, "%s distances but %s flags", knownDistances.length, knownCorrect.length);
    checkArgument(knownDistances.length > 0 && unknownDistances.length > 0, "needs probes of enrolled and of never-enrolled classes");
    checkArgument((knownSecond == null) == (unknownSecond == null), "second-class distances for both kinds of probe, or for neither");
    this.knownProbes = knownDistances.length;
    this.unknownProbes = unknownDistances.length;
    boolean[] correct = knownCorrect.clone();
    this.distance = new RuleScores(knownDistances.clone(), correct, unknownDistances);
    if (knownSecond == null) {
      this.ratio = null;
    } else {
      checkArgument(knownSecond.length == knownDistances.length && unknownSecond.length == unknownDistances.length,
          "second-class distances: %s and %s for %s and %s probes", knownSecond.length, unknownSecond.length,
          knownDistances.length, unknownDistances.length);
      this.ratio = new RuleScores(
          ratios(knownDistances, knownSecond), correct, ratios(unknownDistances, unknownSecond));
    }
    this.enrolledClasses = enrolledClasses;
    this.trials = trials;
  }

  private static double[] ratios(double[] nearest, double[] second) {
    double[] r = new double[nearest.length];
    for (int i = 0; i < r.length; i++) {
      r[i] = UnknownRule.Kind.DISTANCE_RATIO.score(nearest[i], second[i]);
    }
    return r;
  }

  /** Probes of enrolled classes. */
  public int knownProbes() {
    return knownProbes;
  }

  /** Probes of never-enrolled classes. */
  public int unknownProbes() {
    return unknownProbes;
  }

  /** Whether the distance-ratio rule can be asked: the second nearest class's distances were recorded. */
  public boolean hasDistanceRatios() {
    return ratio != null;
  }

  private RuleScores scores(UnknownRule.Kind kind) {
    checkNotNull(kind, "kind");
    if (kind == UnknownRule.Kind.DISTANCE) {
      return distance;
    }
    checkState(ratio != null, "this result has no second-class distances, so no distance ratios (OpenSetEvaluator records them)");
    return ratio;
  }

  /** The fraction of never-enrolled probes within {@code threshold} of an enrolled example. */
  public double falseAlarmRate(double threshold) {
    return distance.falseAlarmRate(threshold);
  }

  /** The fraction of never-enrolled probes whose {@code kind} score is at most {@code threshold}. */
  public double falseAlarmRate(UnknownRule.Kind kind, double threshold) {
    return scores(kind).falseAlarmRate(threshold);
  }

  /** The fraction of enrolled-class probes identified: nearest of their class and within {@code threshold}. */
  public double detectionAndIdentificationRate(double threshold) {
    return distance.detectionAndIdentificationRate(threshold);
  }

  /** The fraction of enrolled-class probes identified: nearest of their class and a {@code kind} score at most {@code threshold}. */
  public double detectionAndIdentificationRate(UnknownRule.Kind kind, double threshold) {
    return scores(kind).detectionAndIdentificationRate(threshold);
  }

  /** Rank-1 identification of enrolled-class probes with no threshold (closed set). */
  public double closedSetAccuracy() {
    return distance.detectionAndIdentificationRate(Double.POSITIVE_INFINITY);
  }

  /**
   * The largest distance threshold whose false-alarm rate on these probes is at most {@code
   * targetFar}: strictly below the {@code k+1}-th smallest never-enrolled distance, {@code k =
   * floor(targetFar * unknownProbes())}.
   *
   * @param targetFar in {@code [0, 1]}
   */
  public double thresholdAtFalseAlarmRate(double targetFar) {
    return distance.thresholdAtFalseAlarmRate(targetFar);
  }

  /** The same for the {@code kind} score. */
  public double thresholdAtFalseAlarmRate(UnknownRule.Kind kind, double targetFar) {
    return scores(kind).thresholdAtFalseAlarmRate(targetFar);
  }

  /** DIR at the threshold of {@link #thresholdAtFalseAlarmRate(double)}. */
  public double dirAtFar(double targetFar) {
    return dirAtFar(UnknownRule.Kind.DISTANCE, targetFar);
  }

  /** DIR at the {@code kind} threshold of {@link #thresholdAtFalseAlarmRate(UnknownRule.Kind, double)}. */
  public double dirAtFar(UnknownRule.Kind kind, double targetFar) {
    RuleScores s = scores(kind);
    return s.detectionAndIdentificationRate(s.thresholdAtFalseAlarmRate(targetFar));
  }

  /**
   * The calibrated distance threshold as an {@link OperatingPoint} named like {@code
   * open-set-far-0.05}, to keep with the model.
   */
  public OperatingPoint falseAlarmRatePoint(double targetFar, String source) {
    return falseAlarmRatePoint(UnknownRule.Kind.DISTANCE, targetFar, source);
  }

  /**
   * The calibrated {@code kind} threshold as an {@link OperatingPoint} named like {@code
   * open-set-far-0.05} (distance) or {@code open-set-ratio-far-0.05}; its {@link
   * OperatingPoint#unknownRule()} is the rule to classify with.
   */
  public OperatingPoint falseAlarmRatePoint(UnknownRule.Kind kind, double targetFar, String source) {
    boolean isRatio = kind == UnknownRule.Kind.DISTANCE_RATIO;
    return new OperatingPoint(
        (isRatio ? "open-set-ratio-far-" : "open-set-far-") + targetFar, thresholdAtFalseAlarmRate(kind, targetFar),
        isRatio ? OperatingPoint.Criterion.OPEN_SET_DISTANCE_RATIO : OperatingPoint.Criterion.OPEN_SET_FALSE_ALARM_RATE,
        targetFar, source);
  }

  /**
   * For example {@code open set, 20 enrolled: DIR 41.0% / 62.3% / 71.2% at FAR 1% / 5% / 10%
   * (distance), 45.1% / 66.0% / 73.9% (distance ratio), closed set 80.1% (...)}.
   */
  @Override
  public String toString() {
    String ratios = ratio == null ? "" : String.format(Locale.ROOT, ", %.1f%% / %.1f%% / %.1f%% (distance ratio)",
        100 * dirAtFar(UnknownRule.Kind.DISTANCE_RATIO, 0.01), 100 * dirAtFar(UnknownRule.Kind.DISTANCE_RATIO, 0.05),
        100 * dirAtFar(UnknownRule.Kind.DISTANCE_RATIO, 0.10));
    return String.format(
        Locale.ROOT,
        "open set, %d enrolled: DIR %.1f%% / %.1f%% / %.1f%% at FAR 1%% / 5%% / 10%% (distance)%s, closed set %.1f%% (%d trials, %d known and %d unknown probes)",
        enrolledClasses, 100 * dirAtFar(0.01), 100 * dirAtFar(0.05), 100 * dirAtFar(0.10), ratios, 100 * closedSetAccuracy(),
        trials, knownProbes(), unknownProbes());
  }
}
