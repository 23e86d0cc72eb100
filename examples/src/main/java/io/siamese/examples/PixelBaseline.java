package io.siamese.examples;

import io.siamese.core.evaluation.OneShotResult;
import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;

/**
 * The simplest one-shot classifier, for scale: each query takes the class of the support image
 * nearest in raw pixels (Euclidean). No learning at all.
 */
final class PixelBaseline {
  private PixelBaseline() {}

  static OneShotResult oneShot(EpisodeSampler episodes, int count) {
    LabeledDataset data = episodes.dataset();
    double[] acc = new double[count];
    for (int e = 0; e < count; e++) {
      Episode ep = episodes.next();
      int[] support = ep.support();
      int[] queries = ep.queries();
      int correct = 0;
      for (int q = 0; q < queries.length; q++) {
        float[] query = data.features(queries[q]);
        int best = 0;
        double bestD = Double.POSITIVE_INFINITY;
        for (int s = 0; s < support.length; s++) {
          float[] x = data.features(support[s]);
          double d = 0;
          for (int k = 0; k < x.length; k++) {
            d += (x[k] - query[k]) * (double) (x[k] - query[k]);
          }
          if (d < bestD) {
            bestD = d;
            best = s;
          }
        }
        correct += ep.supportLabels()[best] == ep.queryLabels()[q] ? 1 : 0;
      }
      acc[e] = correct / (double) queries.length;
    }
    return OneShotResult.fromEpisodes(episodes.ways(), episodes.shots(), acc);
  }
}
