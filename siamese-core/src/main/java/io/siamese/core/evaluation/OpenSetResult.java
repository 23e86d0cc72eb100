package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;
import java.util.Locale;

/**
 * How a one-shot gallery answers open-set queries (the protocol of face recognition): probes of
 * enrolled classes should be identified, probes of classes never enrolled should be answered
 * "unknown". For a threshold {@code t} on the distance to the nearest enrolled example:
 *
 * <ul>
 *   <li>the false-alarm rate (FAR) is the fraction of never-enrolled probes whose nearest enrolled
 *       example is within {@code t}: they would be given somebody's label;
 *   <li>the detection-and-identification rate (DIR) is the fraction of enrolled-class probes whose
 *       nearest enrolled example is within {@code t} and of their class.
 * </ul>
 *
 * A threshold chosen on pairs ({@link PairMetrics}) says nothing about FAR: a gallery of many
 * classes offers an unknown probe many chances to be near something. Calibrate on held-out classes
 * with {@link #thresholdAtFalseAlarmRate} instead, and report DIR at FAR 1%, 5% and 10%.
 * Immutable.
 */
public final class OpenSetResult {
  private final double[] knownDistances;
  private final boolean[] knownCorrect;
  /** Sorted ascending. */
  private final double[] unknownDistances;
  private final int enrolledClasses;
  private final int trials;

  /**
   * @param knownDistances for each probe of an enrolled class, the distance to its nearest enrolled example
   * @param knownCorrect whether that nearest example is of the probe's class
   * @param unknownDistances for each probe of a never-enrolled class, the distance to its nearest enrolled example
   */
  public OpenSetResult(double[] knownDistances, boolean[] knownCorrect, double[] unknownDistances, int enrolledClasses, int trials) {
    checkArgument(knownDistances.length == knownCorrect.length, "%s distances but %s flags", knownDistances.length, knownCorrect.length);
    checkArgument(knownDistances.length > 0 && unknownDistances.length > 0, "needs probes of enrolled and of never-enrolled classes");
    this.knownDistances = knownDistances.clone();
    this.knownCorrect = knownCorrect.clone();
    this.unknownDistances = unknownDistances.clone();
    Arrays.sort(this.unknownDistances);
    this.enrolledClasses = enrolledClasses;
    this.trials = trials;
  }

  /** Probes of enrolled classes. */
  public int knownProbes() {
    return knownDistances.length;
  }

  /** Probes of never-enrolled classes. */
  public int unknownProbes() {
    return unknownDistances.length;
  }

  /** The fraction of never-enrolled probes within {@code threshold} of an enrolled example. */
  public double falseAlarmRate(double threshold) {
    return countAtMost(unknownDistances, threshold) / (double) unknownDistances.length;
  }

  /** The fraction of enrolled-class probes identified: nearest of their class and within {@code threshold}. */
  public double detectionAndIdentificationRate(double threshold) {
    int hits = 0;
    for (int i = 0; i < knownDistances.length; i++) {
      if (knownCorrect[i] && knownDistances[i] <= threshold) {
        hits++;
      }
    }
    return hits / (double) knownDistances.length;
  }

  /** Rank-1 identification of enrolled-class probes with no threshold (closed set). */
  public double closedSetAccuracy() {
    return detectionAndIdentificationRate(Double.POSITIVE_INFINITY);
  }

  /**
   * The largest threshold whose false-alarm rate on these probes is at most {@code targetFar}:
   * strictly below the {@code k+1}-th smallest never-enrolled distance, {@code k = floor(targetFar
   * * unknownProbes())}.
   *
   * @param targetFar in {@code [0, 1]}
   */
  public double thresholdAtFalseAlarmRate(double targetFar) {
    checkArgument(targetFar >= 0 && targetFar <= 1, "target false-alarm rate must be in [0, 1], got %s", targetFar);
    int k = (int) Math.floor(targetFar * unknownDistances.length + 1e-9);
    if (k >= unknownDistances.length) {
      return unknownDistances[unknownDistances.length - 1];
    }
    return Math.max(0, Math.nextDown(unknownDistances[k]));
  }

  /** DIR at the threshold of {@link #thresholdAtFalseAlarmRate}. */
  public double dirAtFar(double targetFar) {
    return detectionAndIdentificationRate(thresholdAtFalseAlarmRate(targetFar));
  }

  /**
   * The calibrated threshold as an {@link OperatingPoint} named like {@code open-set-far-0.05}, to
   * keep with the model.
   */
  public OperatingPoint falseAlarmRatePoint(double targetFar, String source) {
    return new OperatingPoint(
        "open-set-far-" + targetFar, thresholdAtFalseAlarmRate(targetFar), OperatingPoint.Criterion.OPEN_SET_FALSE_ALARM_RATE,
        targetFar, source);
  }

  private static int countAtMost(double[] sorted, double t) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= t) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  /** For example {@code open set, 20 enrolled: DIR 41.0% / 62.3% / 71.2% at FAR 1% / 5% / 10%, closed set 80.1% (...)}. */
  @Override
  public String toString() {
    return String.format(
        Locale.ROOT,
        "open set, %d enrolled: DIR %.1f%% / %.1f%% / %.1f%% at FAR 1%% / 5%% / 10%%, closed set %.1f%% (%d trials, %d known and %d unknown probes)",
        enrolledClasses, 100 * dirAtFar(0.01), 100 * dirAtFar(0.05), 100 * dirAtFar(0.10), 100 * closedSetAccuracy(),
        trials, knownProbes(), unknownProbes());
  }
}
