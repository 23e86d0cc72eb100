package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.family.TNumber;

/**
 * A loss over pairs of embeddings with a same/different label per pair, such as
 * {@link ContrastiveLoss}.
 *
 * <p>Stateless: the {@link Ops} is passed per call and never held, so one loss object serves any
 * graph. The labels must follow {@link #labelConvention()}; callers that hold a boolean "same
 * class" flag encode it with {@code labelConvention().encode(same)}.
 */
public interface PairLoss {

  /** What a label of 1 means to this loss. */
  PairLabelConvention labelConvention();

  /** The distance this loss compares embeddings with; inference uses the same one. */
  Distance distance();

  /**
   * Builds the loss into the graph of {@code tf}.
   *
   * @param left embeddings of each pair's first example, shape {@code [B, E]}
   * @param right embeddings of each pair's second example, shape {@code [B, E]}
   * @param labels one label per pair in {@link #labelConvention()}, shape {@code [B]}
   * @return the reduced loss: a scalar, or shape {@code [B]} for {@link Reduction#NONE}
   */
  <T extends TNumber> Operand<T> call(Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels);
}
