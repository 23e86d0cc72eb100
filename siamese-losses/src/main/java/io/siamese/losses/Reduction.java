package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * How a loss turns its per-example terms {@code l_1 .. l_B} (shape {@code [B]}) into what it
 * returns. None of them gives NaN for finite terms, not even for an empty batch or a batch whose
 * terms are all zero.
 */
public enum Reduction {
  /** {@code sum_i l_i / B}, a scalar; 0 for an empty batch. */
  MEAN,
  /** {@code sum_i l_i}, a scalar. */
  SUM,
  /** The terms themselves, shape {@code [B]}. */
  NONE,
  /**
   * {@code sum_i l_i / |{i : l_i > 0}|}, a scalar: the mean over the terms that contribute, as used
   * by batch-all triplet losses so that easy examples do not dilute the gradient; 0, not NaN, when
   * no term is {@code > 0}. Which terms count is a step function, so it has no gradient of its own.
   */
  MEAN_OVER_NONZERO;

  /**
   * Applies this reduction.
   *
   * @param perExample the per-example terms, shape {@code [B]}
   * @return a scalar of the same type, or {@code perExample} itself for {@link #NONE}
   */
  public <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> perExample) {
    switch (this) {
      case NONE:
        return perExample;
      case SUM:
        return sum(tf, perExample);
      case MEAN:
        Operand<T> count = tf.dtypes.cast(tf.size(perExample), perExample.type());
        return safeDivide(tf, sum(tf, perExample), count);
      case MEAN_OVER_NONZERO:
        Operand<T> zero = tf.zerosLike(perExample);
        Operand<T> positive = tf.dtypes.cast(tf.math.greater(perExample, zero), perExample.type());
        return safeDivide(tf, sum(tf, perExample), sum(tf, positive));
      default:
        throw new IllegalStateException("unknown reduction " + this);
    }
  }

  /**
   * Applies this reduction to the terms that {@code mask} selects, in a tensor of any rank: the
   * form the {@link BatchLoss} implementations use, whose terms are per anchor ({@code [B]}), per
   * pair ({@code [B, B]}) or per triplet ({@code [B, B, B]}) and only some of which exist (a pair
   * needs two examples of one class, a triplet also a third of another).
   *
   * <ul>
   *   <li>{@link #MEAN}: {@code sum(terms * mask) / sum(mask)}, the mean over the selected terms;
   *   <li>{@link #SUM}: {@code sum(terms * mask)};
   *   <li>{@link #MEAN_OVER_NONZERO}: {@code sum(terms * mask) / |{selected terms > 0}|};
   *   <li>{@link #NONE}: {@code terms * mask}, in the shape of {@code terms}.
   * </ul>
   *
   * <p>Every scalar result is 0, not NaN, when nothing is selected. {@code terms} must be finite
   * everywhere, including where {@code mask} is 0 (as {@code 0 * inf} is NaN).
   *
   * <pre>{@code
   * // terms [[1, 2], [3, 4]], mask [[1, 0], [1, 0]]: MEAN gives (1 + 3) / 2 = 2.0
   * }</pre>
   *
   * @param terms the terms, any shape
   * @param mask 1 for a term that exists and 0 for one that does not, the same shape as {@code
   *     terms} (broadcasting is not allowed, as it would change the count)
   * @return a scalar of the type of {@code terms}, or {@code terms * mask} for {@link #NONE}
   * @throws IllegalArgumentException if the static shapes of {@code terms} and {@code mask} are
   *     known and differ
   */
  public <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> terms, Operand<T> mask) {
    java.util.Objects.requireNonNull(terms, "terms");
    java.util.Objects.requireNonNull(mask, "mask");
    if (!terms.shape().isUnknown()
        && !mask.shape().isUnknown()
        && !Distances.compatible(terms.shape(), mask.shape())) {
      throw new IllegalArgumentException(
          "terms and mask must have the same shape: " + terms.shape() + " vs " + mask.shape());
    }
    Operand<T> kept = tf.math.mul(terms, mask);
    if (this == NONE) {
      return kept;
    }
    Operand<T> flat = tf.reshape(kept, tf.constant(new int[] {-1}));
    switch (this) {
      case SUM:
        return sum(tf, flat);
      case MEAN:
        return safeDivide(
            tf, sum(tf, flat), sum(tf, tf.reshape(mask, tf.constant(new int[] {-1}))));
      case MEAN_OVER_NONZERO:
        Operand<T> positive =
            tf.dtypes.cast(tf.math.greater(flat, tf.zerosLike(flat)), flat.type());
        return safeDivide(tf, sum(tf, flat), sum(tf, positive));
      default:
        throw new IllegalStateException("unknown reduction " + this);
    }
  }

  private static <T extends TNumber> Operand<T> sum(Ops tf, Operand<T> x) {
    return tf.reduceSum(x, tf.constant(0));
  }

  /**
   * {@code total / max(count, 1)}: a count of 0 comes with a total of 0 here, and the floor keeps 0
   * / 0 out of both the forward and the backward pass.
   */
  private static <T extends TNumber> Operand<T> safeDivide(
      Ops tf, Operand<T> total, Operand<T> count) {
    return tf.math.div(total, tf.math.maximum(count, Distances.scalar(tf, 1.0, count)));
  }
}
