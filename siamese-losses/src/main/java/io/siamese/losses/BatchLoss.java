package io.siamese.losses;

import org.tensorflow.Operand;
import org.tensorflow.op.Ops;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TNumber;

/**
 * A loss over one labelled batch of embeddings that finds its own pairs or triplets inside the
 * batch ("online mining"), such as {@link BatchHardTripletLoss} or {@link NTXentLoss}.
 *
 * <p>Where a {@link PairLoss} is given pairs that a sampler made, a batch loss is given {@code B}
 * embeddings with one class label each and compares every example with every other: with {@code P}
 * classes of {@code K} examples each (a "P x K" batch) it sees {@code B (K - 1)} positive pairs and
 * {@code B (B - K)} negative ones from {@code B} encoder passes.
 *
 * <p>Stateless: the {@link Ops} is passed per call and never held, so one loss object serves any
 * graph and any floating type. Most implementations extend {@link AbstractBatchLoss}, which checks
 * the shapes, computes the pairwise distances and applies the {@link Reduction}, so that a subclass
 * writes only its per-anchor, per-pair or per-triplet term; {@code docs/extending-losses.md} shows
 * how.
 *
 * <pre>{@code
 * BatchLoss loss = BatchHardTripletLoss.create();        // margin 1, Euclidean, mean over anchors
 * Operand<TFloat32> value = loss.call(tf, embeddings, labels);   // [B, E], [B] -> []
 * }</pre>
 */
public interface BatchLoss {

  /** The distance this loss compares embeddings with; inference uses the same one. */
  Distance distance();

  /**
   * Builds the loss into the graph of {@code tf}.
   *
   * @param embeddings one embedding per example, shape {@code [B, E]}, a floating type
   * @param labels the class of each example, shape {@code [B]}; only equality matters, so any
   *     integers will do
   * @return the loss, a scalar of the embeddings' type; finite (never NaN) for every batch of
   *     finite embeddings, including one without any positive pair or any negative
   * @throws IllegalArgumentException if the static shapes are known and do not fit
   */
  <T extends TNumber> Operand<T> call(Ops tf, Operand<T> embeddings, Operand<TInt32> labels);
}
