package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A batch of example pairs as indices into a {@link LabeledDataset}: pair {@code i} is
 * ({@code left(i)}, {@code right(i)}), and {@code isSame(i)} says whether both show the same class.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class PairBatch {
  private final int[] left;
  private final int[] right;
  private final boolean[] same;

  /**
   * @param left index of each pair's first example
   * @param right index of each pair's second example
   * @param same whether each pair shows one class
   * @throws IllegalArgumentException if the arrays are empty or differ in length
   */
  public PairBatch(int[] left, int[] right, boolean[] same) {
    checkNotNull(left, "left");
    checkNotNull(right, "right");
    checkNotNull(same, "same");
    checkArgument(left.length > 0, "a pair batch needs at least one pair");
    checkArgument(
        left.length == right.length && left.length == same.length,
        "left, right and same must have one length, got %s, %s and %s",
        left.length,
        right.length,
        same.length);
    this.left = left.clone();
    this.right = right.clone();
    this.same = same.clone();
  }

  /** Number of pairs. */
  public int size() {
    return left.length;
  }

  /** Dataset index of pair {@code i}'s first example. */
  public int left(int i) {
    return left[i];
  }

  /** Dataset index of pair {@code i}'s second example. */
  public int right(int i) {
    return right[i];
  }

  /** Whether pair {@code i} shows one class. */
  public boolean isSame(int i) {
    return same[i];
  }

  /** First example of every pair; a fresh copy. */
  public int[] leftIndices() {
    return left.clone();
  }

  /** Second example of every pair; a fresh copy. */
  public int[] rightIndices() {
    return right.clone();
  }

  /** The same-class flag of every pair; a fresh copy. */
  public boolean[] sameFlags() {
    return same.clone();
  }

  /** Number of same-class pairs. */
  public int positives() {
    int n = 0;
    for (boolean s : same) {
      if (s) {
        n++;
      }
    }
    return n;
  }
}
