package io.siamese.core.evaluation;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.Embedder;
import io.siamese.core.internal.Checks;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.Neighbor;
import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.losses.Distance;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * N-way K-shot accuracy: over episodes drawn from a sampler, each query is given the class of its
 * nearest support example (the earliest on ties), found by the library's one exact search ({@link
 * InMemoryGallery}). Works with any {@link Embedder}. Use episodes over classes never seen in
 * training to measure one-shot generalisation.
 */
public final class OneShotEvaluator {
  private OneShotEvaluator() {}

  /**
   * @param count number of episodes, at least 2
   * @throws IllegalArgumentException if the sampler's examples do not have the embedder's input shape
   */
  public static OneShotResult evaluate(Embedder embedder, Distance distance, EpisodeSampler episodes, int count) {
    checkNotNull(embedder, "embedder");
    checkNotNull(distance, "distance");
    checkNotNull(episodes, "episodes");
    checkArgument(count >= 2, "one-shot evaluation needs at least 2 episodes, got %s", count);
    LabeledDataset data = episodes.dataset();
    Checks.sameShape(data.shape(), embedder.inputShape(), "the episode sampler's dataset");
    EmbeddingSpace space = new EmbeddingSpace(embedder.embeddingSize(), distance, "episode");
    double[] accuracies = new double[count];
    for (int ep = 0; ep < count; ep++) {
      Episode episode = episodes.next();
      int[] support = episode.support();
      int[] queries = episode.queries();
      int[] all = Arrays.copyOf(support, support.length + queries.length);
      System.arraycopy(queries, 0, all, support.length, queries.length);
      float[][] e = embedder.embed(data, all);
      try (InMemoryGallery<Integer> gallery = InMemoryGallery.create(space)) {
        List<Integer> labels = new ArrayList<>(support.length);
        for (int label : episode.supportLabels()) {
          labels.add(label);
        }
        gallery.enrolAll(labels, Arrays.copyOf(e, support.length));
        int correct = 0;
        for (int q = 0; q < queries.length; q++) {
          List<Neighbor<Integer>> nearest = gallery.nearest(e[support.length + q], 1);
          if (nearest.get(0).label() == episode.queryLabels()[q]) {
            correct++;
          }
        }
        accuracies[ep] = correct / (double) queries.length;
      }
    }
    return OneShotResult.fromEpisodes(episodes.ways(), episodes.shots(), accuracies);
  }
}
