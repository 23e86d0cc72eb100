package io.siamese.data;

import java.util.SplittableRandom;

/** The random draws the samplers share, so that each is written, and reasoned about, once. */
final class Draws {
  private Draws() {}

  /**
   * A uniform draw from {@code [0, n)} other than {@code excluded}: draws among the other {@code n -
   * 1} positions and skips over {@code excluded}, so there is no retry loop.
   */
  static int otherThan(int excluded, int n, SplittableRandom rng) {
    int j = rng.nextInt(n - 1);
    return j >= excluded ? j + 1 : j;
  }

  /**
   * Two different members of {@code members}, uniformly: writes them to {@code out[0]} and {@code
   * out[1]}. {@code members} must hold at least two indices.
   */
  static void twoDistinct(int[] members, SplittableRandom rng, int[] out) {
    int i = rng.nextInt(members.length);
    out[0] = members[i];
    out[1] = members[otherThan(i, members.length, rng)];
  }

  /** Shuffles pairs in place (Fisher-Yates), keeping each pair's left, right and flag together. */
  static void shufflePairs(int[] left, int[] right, boolean[] same, SplittableRandom rng) {
    for (int p = left.length - 1; p > 0; p--) {
      int q = rng.nextInt(p + 1);
      int t = left[p];
      left[p] = left[q];
      left[q] = t;
      t = right[p];
      right[p] = right[q];
      right[q] = t;
      boolean s = same[p];
      same[p] = same[q];
      same[q] = s;
    }
  }
}
