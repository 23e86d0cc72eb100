package io.siamese.core.evaluation;

/**
 * Counts of same/different decisions at one threshold, with the rates derived from them. A
 * "positive" is a pair called same ({@code distance <= threshold}).
 *
 * @param threshold the distance threshold
 * @param truePositives same-class pairs called same
 * @param falsePositives different-class pairs called same (false accepts)
 * @param trueNegatives different-class pairs called different
 * @param falseNegatives same-class pairs called different (false rejects)
 */
public record Confusion(
    double threshold, int truePositives, int falsePositives, int trueNegatives, int falseNegatives) {

  /** Fraction of all pairs decided right. */
  public double accuracy() {
    return ratio(truePositives + trueNegatives, truePositives + falsePositives + trueNegatives + falseNegatives);
  }

  /** Of the pairs called same, the fraction that are; 1 when none is called same. */
  public double precision() {
    return truePositives + falsePositives == 0 ? 1.0 : ratio(truePositives, truePositives + falsePositives);
  }

  /** Of the same-class pairs, the fraction called same (true accept rate). */
  public double recall() {
    return ratio(truePositives, truePositives + falseNegatives);
  }

  /** Harmonic mean of precision and recall; 0 when both are 0. */
  public double f1() {
    double p = precision();
    double r = recall();
    return p + r == 0 ? 0 : 2 * p * r / (p + r);
  }

  /** Of the different-class pairs, the fraction wrongly called same. */
  public double falseAcceptRate() {
    return ratio(falsePositives, falsePositives + trueNegatives);
  }

  /** Of the same-class pairs, the fraction wrongly called different. */
  public double falseRejectRate() {
    return ratio(falseNegatives, truePositives + falseNegatives);
  }

  private static double ratio(int a, int b) {
    return b == 0 ? 0 : a / (double) b;
  }
}
