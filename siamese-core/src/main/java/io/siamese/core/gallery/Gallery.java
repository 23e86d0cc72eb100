package io.siamese.core.gallery;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.EmbeddingSpace;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A searchable store of enrolled embeddings, each under a label: the state of a one-shot
 * application. Enrol examples of a new class at any time, with no retraining; ask for the enrolled
 * embeddings nearest to a query; classify a query as the label of its nearest neighbour, or as
 * unknown when even that one is too far.
 *
 * <p>Implementations: {@link InMemoryGallery} (exact search in the heap, saved and loaded
 * crash-safely as a whole), the Lucene gallery of {@code siamese-lucene} (HNSW on disk, durable
 * incremental commits) and the Elasticsearch gallery of {@code siamese-elasticsearch} (a cluster).
 * {@link OneShotClassifier} puts an {@link io.siamese.core.Embedder} in front of any of them.
 *
 * <p><b>Embeddings</b> are {@link #space()}{@code .dimension()} finite floats made by the model
 * whose digest the space records; they are copied, the caller keeps its arrays. A bad one gets an
 * {@link IllegalArgumentException} naming its position and value, and nothing of that call is
 * enrolled. An implementation may refuse more than the in-memory gallery does (the Elasticsearch
 * gallery: a zero vector under the cosine distance, a label over 32,766 bytes); it says so.
 *
 * <p><b>Ids</b> are assigned by the gallery at enrolment, unique within it and never reused.
 *
 * <p><b>Visibility and durability.</b> An enrolment or removal is seen by every search of this
 * gallery object that starts after the call returns; a gallery whose store other objects or
 * processes share (Lucene readers, Elasticsearch) says when they see it. It is durable, for a
 * persistent gallery, once {@link #commit()} returns: a process killed before that may lose it,
 * never partly (except where an implementation says otherwise: a gallery in a cluster without
 * multi-document transactions), and never anything committed before.
 *
 * <p><b>Threads.</b> Implementations are safe from many threads at once. After {@link #close()},
 * every method but {@code close} throws {@link IllegalStateException}.
 *
 * @param <L> the label type; labels are compared with {@code equals}
 */
public interface Gallery<L> extends AutoCloseable {

  /** The space of the embeddings this gallery holds: their size, distance and model. */
  EmbeddingSpace space();

  /**
   * Enrols one embedding under {@code label}.
   *
   * @return its id
   */
  default long enrol(L label, float[] embedding) {
    return enrol(label, new float[][] {embedding})[0];
  }

  /**
   * Enrols several embeddings under one label: all of them, or none if one is invalid.
   *
   * @return their ids, in order
   * @throws IllegalArgumentException if {@code embeddings} is empty or one is invalid
   */
  default long[] enrol(L label, float[][] embeddings) {
    checkNotNull(label, "label");
    checkNotNull(embeddings, "embeddings");
    checkArgument(embeddings.length > 0, "enrol needs at least one embedding of %s, got none", label);
    return enrolAll(Collections.nCopies(embeddings.length, label), embeddings);
  }

  /**
   * Enrols embeddings under one label each (a bulk load): {@code labels.get(i)} for {@code
   * embeddings[i]}. All of them, or none if one is invalid.
   *
   * @return their ids, in order
   */
  long[] enrolAll(List<? extends L> labels, float[][] embeddings);

  /**
   * Removes one enrolled embedding.
   *
   * @return whether it was there
   */
  boolean remove(long id);

  /**
   * Removes every embedding enrolled under {@code label}.
   *
   * @return how many were removed
   */
  int removeLabel(L label);

  /**
   * The {@code k} enrolled embeddings nearest to {@code query}, nearest first (the earliest
   * enrolled first among equal distances, where the implementation can tell); fewer when fewer are
   * enrolled, none when the gallery is empty. Distances are in {@link #space()}'s distance, as
   * {@link io.siamese.losses.Distance#between} computes it.
   *
   * @param k at least 1
   */
  List<Neighbor<L>> nearest(float[] query, int k);

  /**
   * The label of the nearest enrolled embedding, known when its distance is at most {@code
   * unknownThreshold}.
   *
   * @param unknownThreshold a distance {@code > 0}; {@link Double#POSITIVE_INFINITY} always answers a label
   * @throws IllegalStateException if nothing is enrolled
   */
  default OneShotPrediction<L> classify(float[] query, double unknownThreshold) {
    OneShotPrediction.checkThreshold(unknownThreshold);
    List<Neighbor<L>> n = nearest(query, 1);
    if (n.isEmpty()) {
      throw new IllegalStateException("no example is enrolled; call enrol first");
    }
    return OneShotPrediction.of(n.get(0), unknownThreshold);
  }

  /**
   * The answer of {@code rule}: the label of the nearest enrolled embedding, known when the rule's
   * score is within its threshold. A {@link UnknownRule.Kind#DISTANCE_RATIO} rule looks for the
   * second nearest class with {@link #nearestLabels}; when none is found among the {@value
   * #LABEL_SEARCH_LIMIT} nearest embeddings, the ratio counts as 0 (known).
   *
   * @throws IllegalStateException if nothing is enrolled, or a ratio rule finds only one enrolled class
   */
  default OneShotPrediction<L> classify(float[] query, UnknownRule rule) {
    if (rule.kind() == UnknownRule.Kind.DISTANCE) {
      return classify(query, rule.threshold());
    }
    List<Neighbor<L>> n = nearestLabels(query, 2);
    if (n.isEmpty()) {
      throw new IllegalStateException("no example is enrolled; call enrol first");
    }
    if (n.size() < 2 && size() <= LABEL_SEARCH_LIMIT) {
      throw new IllegalStateException(
          "the distance-ratio rule compares the nearest class with the second nearest, but only one class ("
              + n.get(0).label() + ") is enrolled; enrol another class, or use UnknownRule.distance");
    }
    Neighbor<L> first = n.get(0);
    double second = n.size() < 2 ? Double.POSITIVE_INFINITY : n.get(1).distance();
    return new OneShotPrediction<>(first.label(), first.distance(), rule.known(first.distance(), second));
  }

  /** The most embeddings the default {@link #nearestLabels} searches. */
  int LABEL_SEARCH_LIMIT = 10_000;

  /**
   * The nearest enrolled embedding of each of the {@code labels} nearest labels, nearest first.
   * Fewer when fewer labels are enrolled, or (the default) when the {@value #LABEL_SEARCH_LIMIT}
   * nearest embeddings hold fewer: the default asks {@link #nearest} for 4 times more each round
   * until it has them, so it costs one search where classes have few examples each.
   *
   * @param labels at least 1
   */
  default List<Neighbor<L>> nearestLabels(float[] query, int labels) {
    checkArgument(labels >= 1, "labels must be >= 1, got %s", labels);
    int k = Math.min(LABEL_SEARCH_LIMIT, Math.max(8, 4 * labels));
    while (true) {
      List<Neighbor<L>> n = nearest(query, k);
      Map<L, Neighbor<L>> first = new LinkedHashMap<>();
      for (Neighbor<L> neighbor : n) {
        first.putIfAbsent(neighbor.label(), neighbor);
        if (first.size() == labels) {
          return List.copyOf(first.values());
        }
      }
      if (n.size() < k || k == LABEL_SEARCH_LIMIT) {
        return List.copyOf(first.values());
      }
      k = Math.min(LABEL_SEARCH_LIMIT, 4 * k);
    }
  }

  /** Number of enrolled embeddings. */
  long size();

  /** The labels with at least one enrolled embedding. */
  Set<L> labels();

  /**
   * Makes every enrolment and removal so far durable: when this returns they survive a crash of
   * the process or the machine. A no-op for a gallery that lives only in memory.
   */
  void commit();

  /** Releases the gallery's resources; does not commit. Idempotent. */
  @Override
  void close();
}
