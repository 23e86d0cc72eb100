package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/** How a loss turns its per-example terms into what it returns. */
public enum Reduction {
  /** The mean of the terms (a scalar). */
  MEAN,
  /** The sum of the terms (a scalar). */
  SUM,
  /** The terms themselves, shape {@code [B]}. */
  NONE,
  /** The mean of the terms that are {@code > 0}; 0, not NaN, when none is. */
  MEAN_OVER_NONZERO;

  /**
   * Applies this reduction.
   *
   * @param perExample the per-example terms, shape {@code [B]}
   * @return a scalar, or {@code perExample} itself for {@link #NONE}
   */
  public <T extends TNumber> Operand<T> apply(Ops tf, Operand<T> perExample) {
    switch (this) {
      case NONE:
        return perExample;
      case SUM:
        return tf.reduceSum(perExample, tf.constant(0));
      case MEAN:
        return tf.math.mean(perExample, tf.constant(0));
      case MEAN_OVER_NONZERO:
        Operand<T> zero = tf.zerosLike(perExample);
        Operand<T> positive =
            tf.dtypes.cast(tf.math.greater(perExample, zero), perExample.type());
        Operand<T> count = tf.reduceSum(positive, tf.constant(0));
        // max(count, 1) keeps 0 / 0 out of the forward and the backward pass.
        Operand<T> safeCount = tf.math.maximum(count, Distances.scalar(tf, 1.0, count));
        return tf.math.div(tf.reduceSum(perExample, tf.constant(0)), safeCount);
      default:
        throw new IllegalStateException("unknown reduction " + this);
    }
  }
}
