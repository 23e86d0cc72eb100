package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/** One rule's scores of an open-set run: each known probe's score and correctness, the never-enrolled probes' scores sorted. */
final class RuleScores {
  private final double[] known;
  private final boolean[] correct;
  private final double[] unknownSorted;

  RuleScores(double[] known, boolean[] correct, double[] unknown) {
    this.known = known;
    this.correct = correct;
    this.unknownSorted = unknown.clone();
    Arrays.sort(this.unknownSorted);
  }

  double falseAlarmRate(double threshold) {
    return countAtMost(unknownSorted, threshold) / (double) unknownSorted.length;
  }

  double detectionAndIdentificationRate(double threshold) {
    int hits = 0;
    for (int i = 0; i < known.length; i++) {
      if (correct[i] && known[i] <= threshold) {
        hits++;
      }
    }
    return hits / (double) known.length;
  }

  /** Strictly below the {@code k+1}-th smallest never-enrolled score, {@code k = floor(targetFar * n)}. */
  double thresholdAtFalseAlarmRate(double targetFar) {
    checkArgument(targetFar >= 0 && targetFar <= 1, "target false-alarm rate must be in [0, 1], got %s", targetFar);
    int k = (int) Math.floor(targetFar * unknownSorted.length + 1e-9);
    if (k >= unknownSorted.length) {
      return unknownSorted[unknownSorted.length - 1];
    }
    return Math.max(0, Math.nextDown(unknownSorted[k]));
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
}
