package io.siamese.losses;

/** Plain-Java, double-precision reference formulas from LOSSES.md, written as loops. */
final class Oracle {
  private Oracle() {}

  static double distance(Distance d, double[] a, double[] b) {
    switch (d.name()) {
      case "euclidean":
        return Math.sqrt(squared(a, b));
      case "squared_euclidean":
        return squared(a, b);
      case "l1":
        {
          double s = 0;
          for (int k = 0; k < a.length; k++) {
            s += Math.abs(a[k] - b[k]);
          }
          return s;
        }
      case "cosine":
        {
          double dot = 0;
          double na = 0;
          double nb = 0;
          for (int k = 0; k < a.length; k++) {
            dot += a[k] * b[k];
            na += a[k] * a[k];
            nb += b[k] * b[k];
          }
          return Math.max(
              1 - dot / (Math.max(Math.sqrt(na), 1e-12) * Math.max(Math.sqrt(nb), 1e-12)), 0);
        }
      default:
        throw new IllegalArgumentException(d.name());
    }
  }

  private static double squared(double[] a, double[] b) {
    double s = 0;
    for (int k = 0; k < a.length; k++) {
      s += (a[k] - b[k]) * (a[k] - b[k]);
    }
    return s;
  }

  /** Per-pair contrastive terms; {@code similar[i]} in the SIMILAR_IS_ONE sense. */
  static double[] contrastiveTerms(
      Distance dist, double margin, double[][] left, double[][] right, boolean[] similar) {
    double[] terms = new double[left.length];
    for (int i = 0; i < left.length; i++) {
      double d = distance(dist, left[i], right[i]);
      terms[i] = similar[i] ? d * d : Math.pow(Math.max(margin - d, 0), 2);
    }
    return terms;
  }

  static double[] reduce(Reduction reduction, double[] terms) {
    double sum = 0;
    int nonZero = 0;
    for (double t : terms) {
      sum += t;
      if (t > 0) {
        nonZero++;
      }
    }
    switch (reduction) {
      case NONE:
        return terms.clone();
      case SUM:
        return new double[] {sum};
      case MEAN:
        return new double[] {sum / terms.length};
      case MEAN_OVER_NONZERO:
        return new double[] {nonZero == 0 ? 0 : sum / nonZero};
      default:
        throw new IllegalArgumentException(reduction.toString());
    }
  }
}
