package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Verification metrics of scored pairs: each pair has a distance (smaller means more alike) and
 * the truth of whether it shows one class. A pair is called "same" when its distance is {@code <=}
 * the threshold.
 *
 * <p>Plain Java, no TensorFlow; immutable and thread-safe.
 */
public final class PairMetrics {
  private final int size;
  private final int positives;
  private final double rocAuc;
  private final double bestThreshold;
  private final double bestAccuracy;
  private final double[] sortedDistances;
  private final boolean[] sortedSame;
  private final double[] equalError;

  private PairMetrics(double[] distances, boolean[] same) {
    this.size = distances.length;
    Integer[] order =
        IntStream.range(0, size).boxed().toArray(Integer[]::new);
    Arrays.sort(order, Comparator.comparingDouble(i -> distances[i]));
    sortedDistances = new double[size];
    sortedSame = new boolean[size];
    int p = 0;
    for (int k = 0; k < size; k++) {
      sortedDistances[k] = distances[order[k]];
      sortedSame[k] = same[order[k]];
      if (sortedSame[k]) {
        p++;
      }
    }
    this.positives = p;
    this.rocAuc = computeAuc();
    double[] best = computeBestThreshold();
    this.bestThreshold = best[0];
    this.bestAccuracy = best[1];
    this.equalError = computeEqualError();
  }

  /**
   * Metrics of scored pairs.
   *
   * @param distances one finite distance per pair
   * @param same whether each pair shows one class; both kinds must be present
   * @throws IllegalArgumentException on empty or mismatched arrays, a non-finite distance, or
   *     pairs that are all of one kind (ROC AUC is undefined then)
   */
  public static PairMetrics of(double[] distances, boolean[] same) {
    checkNotNull(distances, "distances");
    checkNotNull(same, "same");
    checkArgument(distances.length > 0, "pair metrics need at least one pair");
    checkArgument(
        distances.length == same.length,
        "distances and same differ in length: %s vs %s",
        distances.length,
        same.length);
    int p = 0;
    for (int i = 0; i < distances.length; i++) {
      if (!Double.isFinite(distances[i])) {
        throw new IllegalArgumentException("distance of pair " + i + " is " + distances[i]);
      }
      if (same[i]) {
        p++;
      }
    }
    checkArgument(
        p > 0 && p < distances.length,
        "pair metrics need both same and different pairs, got %s same of %s",
        p,
        distances.length);
    return new PairMetrics(distances.clone(), same.clone());
  }

  /** Number of pairs. */
  public int size() {
    return size;
  }

  /** Number of same-class pairs. */
  public int positives() {
    return positives;
  }

  /**
   * Area under the ROC curve: the probability that a random same-class pair is closer than a
   * random different-class pair, ties counting one half. 0.5 is chance, 1 is perfect.
   */
  public double rocAuc() {
    return rocAuc;
  }

  /** The threshold with the highest accuracy on these pairs (the midpoint between two distances). */
  public double bestThreshold() {
    return bestThreshold;
  }

  /** The accuracy at {@link #bestThreshold()}. */
  public double bestAccuracy() {
    return bestAccuracy;
  }

  /** Fraction of pairs classified right when "same" means {@code distance <= threshold}. */
  public double accuracyAt(double threshold) {
    return at(threshold).accuracy();
  }

  /**
   * The decisions at {@code threshold}: counts, precision, recall, F1, false accept and false
   * reject rates.
   */
  public Confusion at(double threshold) {
    checkArgument(!Double.isNaN(threshold), "threshold must not be NaN");
    int tp = 0;
    int fp = 0;
    for (int k = 0; k < size && sortedDistances[k] <= threshold; k++) {
      if (sortedSame[k]) {
        tp++;
      } else {
        fp++;
      }
    }
    int negatives = size - positives;
    return new Confusion(threshold, tp, fp, negatives - fp, positives - tp);
  }

  /**
   * The ROC curve, from (0, 0) to (1, 1): one point per distinct distance, whose threshold is that
   * distance, after a first point below every distance.
   */
  public List<RocPoint> rocCurve() {
    List<RocPoint> points = new ArrayList<>();
    int negatives = size - positives;
    points.add(new RocPoint(Math.nextDown(sortedDistances[0]), 0, 0));
    int tp = 0;
    int fp = 0;
    int k = 0;
    while (k < size) {
      double d = sortedDistances[k];
      while (k < size && sortedDistances[k] == d) {
        if (sortedSame[k]) {
          tp++;
        } else {
          fp++;
        }
        k++;
      }
      points.add(new RocPoint(d, fp / (double) negatives, tp / (double) positives));
    }
    return Collections.unmodifiableList(points);
  }

  /**
   * The equal error rate: the error where the false accept rate and the false reject rate meet,
   * taken as their mean at the threshold where they are closest. Lower is better; 0.5 is chance.
   */
  public double equalErrorRate() {
    return equalError[1];
  }

  /** The threshold at which {@link #equalErrorRate()} is reached. */
  public double equalErrorThreshold() {
    return equalError[0];
  }

  /**
   * The largest threshold whose false accept rate on these pairs is at most {@code
   * targetFalseAcceptRate}: the operating point of a verifier that may let through, say, 1% of
   * impostors ({@code 0.01}). Below every distance if even the closest different-class pair
   * would exceed the target.
   *
   * @param targetFalseAcceptRate in [0, 1]
   */
  public double thresholdAtFalseAcceptRate(double targetFalseAcceptRate) {
    checkArgument(
        targetFalseAcceptRate >= 0 && targetFalseAcceptRate <= 1,
        "target false accept rate must be in [0, 1], got %s",
        targetFalseAcceptRate);
    List<RocPoint> curve = rocCurve();
    double threshold = curve.get(0).threshold();
    for (RocPoint p : curve) {
      if (p.falsePositiveRate() <= targetFalseAcceptRate) {
        threshold = p.threshold();
      } else {
        break;
      }
    }
    return threshold;
  }

  private double[] computeEqualError() {
    // |FAR - FRR| compared in integers over the common denominator N * P, so that exact ties are
    // ties and the first (lowest) threshold wins them.
    long negatives = size - positives;
    long bestGap = Long.MAX_VALUE;
    double[] best = null;
    for (RocPoint p : rocCurve()) {
      long fp = Math.round(p.falsePositiveRate() * negatives);
      long fn = positives - Math.round(p.truePositiveRate() * positives);
      long gap = Math.abs(fp * positives - fn * negatives);
      if (gap < bestGap) {
        bestGap = gap;
        best = new double[] {p.threshold(), (fp / (double) negatives + fn / (double) positives) / 2};
      }
    }
    return best;
  }

  private double computeAuc() {
    int negatives = size - positives;
    double concordant = 0;
    int positivesBefore = 0;
    int k = 0;
    while (k < size) {
      int end = k;
      int tiedPositives = 0;
      int tiedNegatives = 0;
      while (end < size && sortedDistances[end] == sortedDistances[k]) {
        if (sortedSame[end]) {
          tiedPositives++;
        } else {
          tiedNegatives++;
        }
        end++;
      }
      concordant += tiedNegatives * (positivesBefore + 0.5 * tiedPositives);
      positivesBefore += tiedPositives;
      k = end;
    }
    return concordant / ((double) positives * negatives);
  }

  /** Scans every cut between distinct distances; returns {threshold, accuracy}. */
  private double[] computeBestThreshold() {
    // Below every distance, everything is called different: all negatives are right.
    int correct = size - positives;
    int bestCorrect = correct;
    double threshold = sortedDistances[0] - 1e-6 * Math.max(1, Math.abs(sortedDistances[0]));
    int k = 0;
    while (k < size) {
      int end = k;
      while (end < size && sortedDistances[end] == sortedDistances[k]) {
        correct += sortedSame[end] ? 1 : -1;
        end++;
      }
      if (correct > bestCorrect) {
        bestCorrect = correct;
        threshold =
            end < size
                ? 0.5 * (sortedDistances[k] + sortedDistances[end])
                : sortedDistances[k];
      }
      k = end;
    }
    return new double[] {threshold, bestCorrect / (double) size};
  }

  /**
   * The threshold of the best accuracy as an {@link OperatingPoint} named {@code best-accuracy}, to
   * keep with the model.
   *
   * @param source on what these pairs were drawn, e.g. {@code "2000 pairs of held-out classes"}
   */
  public OperatingPoint bestAccuracyPoint(String source) {
    return new OperatingPoint("best-accuracy", bestThreshold(), OperatingPoint.Criterion.BEST_ACCURACY, Double.NaN, source);
  }

  /**
   * The threshold of {@link #thresholdAtFalseAcceptRate} as an {@link OperatingPoint} named like
   * {@code far-0.01}, to keep with the model.
   */
  public OperatingPoint falseAcceptRatePoint(double targetFalseAcceptRate, String source) {
    return new OperatingPoint(
        "far-" + targetFalseAcceptRate,
        thresholdAtFalseAcceptRate(targetFalseAcceptRate),
        OperatingPoint.Criterion.FALSE_ACCEPT_RATE,
        targetFalseAcceptRate,
        source);
  }

  @Override
  public String toString() {
    return String.format(
        java.util.Locale.ROOT,
        "PairMetrics[%d pairs, ROC AUC %.4f, best accuracy %.4f at distance %.4f]",
        size,
        rocAuc,
        bestAccuracy,
        bestThreshold);
  }
}
