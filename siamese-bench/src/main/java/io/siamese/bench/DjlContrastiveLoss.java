package io.siamese.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;

/**
 * Contrastive loss as a custom DJL {@link Loss}, the same formula as {@link RawSiameseConv4} and
 * {@code ContrastiveLoss.similarIsOne()}: with {@code d} the Euclidean distance between the two
 * embeddings of a pair and {@code y = 1} for a similar pair, {@code y * d^2 + (1 - y) * max(0, 1 -
 * d)^2}, averaged over the pairs.
 *
 * <p>Predictions are {@code (left [B, E], right [B, E])}, labels {@code (y [B])}. The square root
 * reads {@code max(d^2, 1e-12)}, so that identical embeddings get a zero gradient, not NaN.
 */
final class DjlContrastiveLoss extends Loss {
  private static final float MARGIN = 1f;
  private static final float TINY = 1e-12f;

  DjlContrastiveLoss() {
    super("contrastive");
  }

  @Override
  public NDArray evaluate(NDList labels, NDList predictions) {
    NDArray y = labels.singletonOrThrow();
    NDArray left = predictions.get(0);
    NDArray right = predictions.get(1);
    NDArray d2 = left.sub(right).square().sum(new int[] {1});
    NDArray d = d2.maximum(TINY).sqrt();
    NDArray hinge = d.neg().add(MARGIN).maximum(0f);
    NDArray perPair = y.mul(d2).add(y.neg().add(1f).mul(hinge.square()));
    return perPair.mean();
  }
}
