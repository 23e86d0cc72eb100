package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

/**
 * A batch of triplets as indices into a {@link LabeledDataset}: triplet {@code i} is ({@code
 * anchor(i)}, {@code positive(i)}, {@code negative(i)}), where the positive shows the anchor's
 * class (and is a different example) and the negative shows another class.
 *
 * <p>Immutable: the arrays are copied in and out.
 */
public final class TripletBatch {
  private final int[] anchor;
  private final int[] positive;
  private final int[] negative;

  /**
   * @param anchor index of each triplet's anchor
   * @param positive index of each triplet's example of the anchor's class
   * @param negative index of each triplet's example of another class
   * @throws IllegalArgumentException if the arrays are empty or differ in length
   */
  public TripletBatch(int[] anchor, int[] positive, int[] negative) {
    checkNotNull(anchor, "anchor");
    checkNotNull(positive, "positive");
    checkNotNull(negative, "negative");
    checkArgument(anchor.length > 0, "a triplet batch needs at least one triplet");
    checkArgument(
        anchor.length == positive.length && anchor.length == negative.length,
        "anchor, positive and negative must have one length, got %s, %s and %s",
        anchor.length,
        positive.length,
        negative.length);
    this.anchor = anchor.clone();
    this.positive = positive.clone();
    this.negative = negative.clone();
  }

  /** Number of triplets. */
  public int size() {
    return anchor.length;
  }

  /** Dataset index of triplet {@code i}'s anchor. */
  public int anchor(int i) {
    return anchor[i];
  }

  /** Dataset index of triplet {@code i}'s positive. */
  public int positive(int i) {
    return positive[i];
  }

  /** Dataset index of triplet {@code i}'s negative. */
  public int negative(int i) {
    return negative[i];
  }

  /** Every anchor; a fresh copy. */
  public int[] anchorIndices() {
    return anchor.clone();
  }

  /** Every positive; a fresh copy. */
  public int[] positiveIndices() {
    return positive.clone();
  }

  /** Every negative; a fresh copy. */
  public int[] negativeIndices() {
    return negative.clone();
  }
}
