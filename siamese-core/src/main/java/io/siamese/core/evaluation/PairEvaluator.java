package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.Embedder;
import io.siamese.core.internal.Checks;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.PairSampler;
import io.siamese.losses.Distance;

/**
 * Verification quality on labelled pairs: embeds {@code pairs} pairs drawn from a sampler with any
 * {@link Embedder} (a model or an exported encoder), compares each pair in a distance, and makes
 * the immutable {@link PairMetrics} (ROC AUC, thresholds, accuracies).
 */
public final class PairEvaluator {
  private PairEvaluator() {}

  /**
   * @param pairs at least 2
   * @throws IllegalArgumentException if the sampler's examples do not have the embedder's input shape
   */
  public static PairMetrics evaluate(Embedder embedder, Distance distance, PairSampler sampler, int pairs) {
    checkNotNull(embedder, "embedder");
    checkNotNull(distance, "distance");
    checkNotNull(sampler, "sampler");
    checkArgument(pairs >= 2, "pair evaluation needs at least 2 pairs, got %s", pairs);
    LabeledDataset data = sampler.dataset();
    Checks.sameShape(data.shape(), embedder.inputShape(), "the sampler's dataset");
    Checks.fitsInArray(2L * pairs, data.shape().size(), pairs + " pairs");
    PairBatch batch = sampler.next(pairs);
    int[] both = new int[2 * pairs];
    System.arraycopy(batch.leftIndices(), 0, both, 0, pairs);
    System.arraycopy(batch.rightIndices(), 0, both, pairs, pairs);
    float[][] e = embedder.embed(data, both);
    double[] distances = new double[pairs];
    for (int i = 0; i < pairs; i++) {
      distances[i] = distance.between(e[i], e[pairs + i]);
    }
    return PairMetrics.of(distances, batch.sameFlags());
  }
}
