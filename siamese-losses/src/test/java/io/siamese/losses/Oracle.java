package io.siamese.losses;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

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

  // ---- Triplet, batch and pair-head losses: loops over examples, pairs and triplets. ----

  /** Per-triplet terms of the fixed-triplet loss. */
  static double[] tripletTerms(
      Distance dist, double margin, double[][] anchor, double[][] positive, double[][] negative) {
    double[] terms = new double[anchor.length];
    for (int i = 0; i < anchor.length; i++) {
      double dap = distance(dist, anchor[i], positive[i]);
      double dan = distance(dist, anchor[i], negative[i]);
      terms[i] = Math.max(dap - dan + margin, 0);
    }
    return terms;
  }

  /** {@code d(x_i, x_j)} for every pair, with a zero diagonal. */
  static double[][] pairwise(Distance dist, double[][] x) {
    double[][] d = new double[x.length][x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x.length; j++) {
        d[i][j] = i == j ? 0 : distance(dist, x[i], x[j]);
      }
    }
    return d;
  }

  /** The reduction of the terms that exist; 0 when none does (or none is > 0, for non-zero). */
  static double reduceExisting(Reduction reduction, List<Double> terms) {
    double sum = 0;
    int nonZero = 0;
    for (double t : terms) {
      sum += t;
      if (t > 0) {
        nonZero++;
      }
    }
    switch (reduction) {
      case SUM:
        return sum;
      case MEAN:
        return terms.isEmpty() ? 0 : sum / terms.size();
      case MEAN_OVER_NONZERO:
        return nonZero == 0 ? 0 : sum / nonZero;
      default:
        throw new IllegalArgumentException(reduction.toString());
    }
  }

  /** Batch-all: every (a, p, n) with y_a = y_p, a != p, y_n != y_a. */
  static double batchAll(Distance dist, double margin, Reduction reduction, double[][] x, int[] y) {
    List<Double> terms = new ArrayList<>();
    for (int a = 0; a < x.length; a++) {
      for (int p = 0; p < x.length; p++) {
        for (int n = 0; n < x.length; n++) {
          if (a != p && y[a] == y[p] && y[n] != y[a]) {
            double dap = distance(dist, x[a], x[p]);
            double dan = distance(dist, x[a], x[n]);
            terms.add(Math.max(dap - dan + margin, 0));
          }
        }
      }
    }
    return reduceExisting(reduction, terms);
  }

  /** Batch-hard per anchor: 0 for an anchor without a positive or a negative. */
  static double[] batchHardTerms(
      Distance dist, double margin, boolean soft, double[][] x, int[] y) {
    double[] terms = new double[x.length];
    for (int a = 0; a < x.length; a++) {
      double hardestPositive = Double.NEGATIVE_INFINITY;
      double hardestNegative = Double.POSITIVE_INFINITY;
      for (int j = 0; j < x.length; j++) {
        double d = distance(dist, x[a], x[j]);
        if (j != a && y[j] == y[a]) {
          hardestPositive = Math.max(hardestPositive, d);
        } else if (y[j] != y[a]) {
          hardestNegative = Math.min(hardestNegative, d);
        }
      }
      if (hardestPositive == Double.NEGATIVE_INFINITY
          || hardestNegative == Double.POSITIVE_INFINITY) {
        terms[a] = 0;
      } else if (soft) {
        terms[a] = Math.log1p(Math.exp(hardestPositive - hardestNegative));
      } else {
        terms[a] = Math.max(hardestPositive - hardestNegative + margin, 0);
      }
    }
    return terms;
  }

  static double batchHard(
      Distance dist, double margin, boolean soft, Reduction reduction, double[][] x, int[] y) {
    return reduceExisting(reduction, asList(batchHardTerms(dist, margin, soft, x, y)));
  }

  /**
   * The distance to the negative semi-hard mining picks for (a, p), found as TensorFlow Addons'
   * numpy reference does: sort the negatives and walk up to the first one strictly farther than the
   * positive, else take the last (farthest). NaN when a has no negative.
   */
  static double semiHardNegative(double[][] d, int[] y, int a, int p) {
    List<Double> negatives = new ArrayList<>();
    for (int n = 0; n < y.length; n++) {
      if (y[n] != y[a]) {
        negatives.add(d[a][n]);
      }
    }
    if (negatives.isEmpty()) {
      return Double.NaN;
    }
    Collections.sort(negatives);
    double chosen = negatives.get(0);
    for (double dn : negatives) {
      chosen = dn;
      if (dn > d[a][p]) {
        break;
      }
    }
    return chosen;
  }

  /** Semi-hard over the positive pairs; a pair whose anchor has no negative costs 0. */
  static double semiHard(Distance dist, double margin, Reduction reduction, double[][] x, int[] y) {
    double[][] d = pairwise(dist, x);
    List<Double> terms = new ArrayList<>();
    for (int a = 0; a < x.length; a++) {
      for (int p = 0; p < x.length; p++) {
        if (a != p && y[a] == y[p]) {
          double dn = semiHardNegative(d, y, a, p);
          terms.add(Double.isNaN(dn) ? 0 : Math.max(d[a][p] - dn + margin, 0));
        }
      }
    }
    return reduceExisting(reduction, terms);
  }

  /** NT-Xent over the positive pairs, with similarity -d / temperature. */
  static double ntXent(
      Distance dist, double temperature, Reduction reduction, double[][] x, int[] y) {
    return reduceExisting(reduction, ntXentTerms(dist, temperature, x, y));
  }

  /** NT-Xent's term for each positive pair (a, p), in row-major order of (a, p). */
  static List<Double> ntXentTerms(Distance dist, double temperature, double[][] x, int[] y) {
    double[][] d = pairwise(dist, x);
    List<Double> terms = new ArrayList<>();
    for (int a = 0; a < x.length; a++) {
      for (int p = 0; p < x.length; p++) {
        if (a == p || y[a] != y[p]) {
          continue;
        }
        // -log(e^s_ap / (e^s_ap + sum_n e^s_an)) = log(1 + sum_n e^(s_an - s_ap))
        double sp = -d[a][p] / temperature;
        double others = 0;
        for (int n = 0; n < x.length; n++) {
          if (y[n] != y[a]) {
            others += Math.exp(-d[a][n] / temperature - sp);
          }
        }
        terms.add(Math.log1p(others));
      }
    }
    return terms;
  }

  /** Multi-similarity per anchor on cosine similarity, with or without mining. */
  static double[] multiSimilarityTerms(
      double alpha,
      double beta,
      double base,
      double epsilon,
      boolean mining,
      double[][] x,
      int[] y) {
    double[][] s = new double[x.length][x.length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < x.length; j++) {
        s[i][j] = 1 - distance(Distances.COSINE, x[i], x[j]);
      }
    }
    double[] terms = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double minPositive = Double.POSITIVE_INFINITY;
      double maxNegative = Double.NEGATIVE_INFINITY;
      for (int j = 0; j < x.length; j++) {
        if (j != i && y[j] == y[i]) {
          minPositive = Math.min(minPositive, s[i][j]);
        } else if (y[j] != y[i]) {
          maxNegative = Math.max(maxNegative, s[i][j]);
        }
      }
      double positiveSum = 0;
      double negativeSum = 0;
      for (int j = 0; j < x.length; j++) {
        if (j != i && y[j] == y[i] && (!mining || s[i][j] - epsilon < maxNegative)) {
          positiveSum += Math.exp(-alpha * (s[i][j] - base));
        } else if (y[j] != y[i] && (!mining || s[i][j] + epsilon > minPositive)) {
          negativeSum += Math.exp(beta * (s[i][j] - base));
        }
      }
      terms[i] = Math.log1p(positiveSum) / alpha + Math.log1p(negativeSum) / beta;
    }
    return terms;
  }

  /** Koch et al.'s pair head: per-pair binary cross-entropy, {@code same[i]} meaning same class. */
  static double[] kochTerms(
      double[][] h1, double[][] h2, boolean[] same, double[] alpha, double bias) {
    double[] terms = new double[h1.length];
    for (int i = 0; i < h1.length; i++) {
      double z = bias;
      for (int k = 0; k < alpha.length; k++) {
        z += alpha[k] * Math.abs(h1[i][k] - h2[i][k]);
      }
      double p = 1 / (1 + Math.exp(-z));
      terms[i] = same[i] ? -Math.log(p) : -Math.log(1 - p);
    }
    return terms;
  }

  static List<Double> asList(double[] terms) {
    List<Double> list = new ArrayList<>();
    for (double t : terms) {
      list.add(t);
    }
    return list;
  }
}
