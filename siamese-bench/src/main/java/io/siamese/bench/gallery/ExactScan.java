package io.siamese.bench.gallery;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.losses.Distances;

/**
 * The exact nearest neighbour by brute force, on one thread: the baseline and the truth of the
 * gallery benchmarks. Rows are kept back to back in one {@code float[]}; a first pass computes
 * squared Euclidean distances in float, four rows at a time, and keeps every row within float
 * rounding of the best so far; those few are then compared with {@link Distances#EUCLIDEAN}'s
 * {@code between}, in double. The answer is the brute-force answer over {@code between}, ties
 * to the smaller row, at about the cost of one float pass over the gallery.
 */
public final class ExactScan {
  /** Relative bound on a float sum of squares' error, with room to spare (64 terms: ~4e-6). */
  private final double slack;

  private final float[] rows;
  private final int dim;
  private final int n;
  private int[] candidates = new int[1024];
  private float[] candidateSums = new float[1024];

  /** A scan over copies of {@code embeddings}, all of one length. */
  public ExactScan(float[][] embeddings) {
    checkArgument(embeddings.length > 0, "needs at least one embedding");
    this.dim = embeddings[0].length;
    this.n = embeddings.length;
    this.rows = new float[Math.multiplyExact(n, dim)];
    for (int i = 0; i < n; i++) {
      checkArgument(embeddings[i].length == dim, "embedding %s has %s floats, not %s", i, embeddings[i].length, dim);
      System.arraycopy(embeddings[i], 0, rows, i * dim, dim);
    }
    this.slack = (dim + 4) * 0x1p-22;
  }

  /** The answer of one search: the row and its exact Euclidean distance. */
  public record Nearest(int row, double distance) {}

  /** The row nearest to {@code query} by Euclidean distance, exactly. Not thread-safe. */
  public Nearest nearest(float[] query) {
    float best = Float.POSITIVE_INFINITY;
    int count = 0;
    int i = 0;
    for (; i + 4 <= n; i += 4) {
      int o = i * dim;
      float s0 = 0;
      float s1 = 0;
      float s2 = 0;
      float s3 = 0;
      for (int k = 0; k < dim; k++) {
        float q = query[k];
        float d0 = q - rows[o + k];
        float d1 = q - rows[o + dim + k];
        float d2 = q - rows[o + 2 * dim + k];
        float d3 = q - rows[o + 3 * dim + k];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
      }
      float m = Math.min(Math.min(s0, s1), Math.min(s2, s3));
      if (m <= bound(best)) {
        best = Math.min(best, m);
        float b = bound(best);
        count = keep(count, i, s0, b);
        count = keep(count, i + 1, s1, b);
        count = keep(count, i + 2, s2, b);
        count = keep(count, i + 3, s3, b);
      }
    }
    for (; i < n; i++) {
      float s = 0;
      for (int k = 0; k < dim; k++) {
        float d = query[k] - rows[i * dim + k];
        s += d * d;
      }
      if (s <= bound(best)) {
        best = Math.min(best, s);
        count = keep(count, i, s, bound(best));
      }
    }
    // Exact distances for the rows that can still be the nearest.
    float b = bound(best);
    float[] row = new float[dim];
    int bestRow = -1;
    double bestDistance = Double.POSITIVE_INFINITY;
    for (int c = 0; c < count; c++) {
      if (candidateSums[c] > b) {
        continue;
      }
      int r = candidates[c];
      System.arraycopy(rows, r * dim, row, 0, dim);
      double d = Distances.EUCLIDEAN.between(query, row);
      if (d < bestDistance || (d == bestDistance && r < bestRow)) {
        bestDistance = d;
        bestRow = r;
      }
    }
    return new Nearest(bestRow, bestDistance);
  }

  private float bound(float best) {
    return (float) (best * (1 + slack)) + Float.MIN_NORMAL;
  }

  /** Keeps row {@code r} if within {@code b}; drops rows beyond {@code b}, or grows, when the list is full. */
  private int keep(int count, int r, float s, float b) {
    if (s > b) {
      return count;
    }
    if (count == candidates.length) {
      int kept = 0;
      for (int c = 0; c < count; c++) {
        if (candidateSums[c] <= b) {
          candidates[kept] = candidates[c];
          candidateSums[kept++] = candidateSums[c];
        }
      }
      count = kept;
      if (count > candidates.length / 2) {
        candidates = java.util.Arrays.copyOf(candidates, 2 * candidates.length);
        candidateSums = java.util.Arrays.copyOf(candidateSums, 2 * candidateSums.length);
      }
    }
    candidates[count] = r;
    candidateSums[count] = s;
    return count + 1;
  }
}
