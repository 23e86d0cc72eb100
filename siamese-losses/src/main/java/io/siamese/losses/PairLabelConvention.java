package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * What a 0/1 pair label means. The two conventions in the literature are opposite, and users have
 * been bitten by mixing them up, so every pair loss names the one it expects.
 */
public enum PairLabelConvention {
  /**
   * 1 marks a similar (same-class) pair, 0 a dissimilar one: TensorFlow Addons, Keras, most users.
   */
  SIMILAR_IS_ONE,
  /** 0 marks a similar pair, 1 a dissimilar one: Hadsell, Chopra and LeCun (2006). */
  SIMILAR_IS_ZERO;

  /** The label value that this convention gives a pair. */
  public float encode(boolean similar) {
    return (similar == (this == SIMILAR_IS_ONE)) ? 1f : 0f;
  }

  /**
   * Turns labels in this convention into a mask that is 1 for similar pairs and 0 otherwise.
   *
   * @param labels shape {@code [B]}, values 0 or 1
   * @return shape {@code [B]}, 1 where the pair is similar
   */
  public <T extends TNumber> Operand<T> similarMask(Ops tf, Operand<T> labels) {
    if (this == SIMILAR_IS_ONE) {
      return labels;
    }
    return tf.math.sub(Distances.scalar(tf, 1.0, labels), labels);
  }
}
