package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSet;
import io.siamese.losses.Distance;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Classifies queries by their nearest enrolled example: enrol one or more examples per class at
 * any time, with no retraining, then ask which class a new example shows, or whether it shows none
 * of them.
 *
 * <pre>{@code
 * OneShotClassifier<String> signatures = model.oneShotClassifier(0.8);
 * signatures.enrol("alice", aliceSample);
 * signatures.enrol("bob", bobSample);
 * OneShotPrediction<String> p = signatures.classify(query);
 * p.label().ifPresentOrElse(who -> ..., () -> ... unknown ...);
 * }</pre>
 *
 * <p>Enrolled examples are embedded once, at enrolment, and kept as embeddings only. A query is
 * compared with every enrolled embedding (brute force, in the model's distance); the nearest one
 * gives the label, and a distance above the threshold makes the answer "unknown".
 *
 * <p>Thread-safe: enrolment and classification may run from many threads at once. Uses the model
 * it came from, so it fails like the model after the model is closed.
 *
 * @param <L> the label type; labels are compared with {@code equals}
 */
public final class OneShotClassifier<L> {
  private final SiameseModel model;
  private final Distance distance;
  private final double unknownThreshold;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final List<float[]> embeddings = new ArrayList<>();
  private final List<L> labels = new ArrayList<>();

  OneShotClassifier(SiameseModel model, double unknownThreshold) {
    checkArgument(
        unknownThreshold > 0 && !Double.isNaN(unknownThreshold),
        "unknown threshold must be > 0 (use Double.POSITIVE_INFINITY to always answer), got %s",
        unknownThreshold);
    this.model = model;
    this.distance = model.embeddingDistance();
    this.unknownThreshold = unknownThreshold;
  }

  /** The distance above which a query is "unknown". */
  public double unknownThreshold() {
    return unknownThreshold;
  }

  /** Enrols one example of class {@code label}; see {@link SiameseModel#embed(float[])} for its format. */
  public void enrol(L label, float[] example) {
    enrol(label, new float[][] {example});
  }

  /** Enrols several examples of class {@code label} at once (one session run). */
  public void enrol(L label, float[][] examples) {
    checkNotNull(label, "label");
    float[][] e = model.embed(examples);
    lock.writeLock().lock();
    try {
      for (float[] row : e) {
        embeddings.add(row);
        labels.add(label);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The enrolled classes, in order of first enrolment. */
  public Set<L> classes() {
    lock.readLock().lock();
    try {
      return ImmutableSet.copyOf(new LinkedHashSet<>(labels));
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of enrolled examples. */
  public int size() {
    lock.readLock().lock();
    try {
      return labels.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * The class of the nearest enrolled example, or unknown when it is farther than {@link
   * #unknownThreshold()}.
   *
   * @throws IllegalStateException if nothing is enrolled
   */
  public OneShotPrediction<L> classify(float[] query) {
    float[] q = model.embed(query);
    lock.readLock().lock();
    try {
      if (labels.isEmpty()) {
        throw new IllegalStateException("no example is enrolled; call enrol first");
      }
      int best = 0;
      double bestDistance = Double.POSITIVE_INFINITY;
      for (int i = 0; i < embeddings.size(); i++) {
        double d = distance.between(q, embeddings.get(i));
        if (d < bestDistance) {
          bestDistance = d;
          best = i;
        }
      }
      return new OneShotPrediction<>(labels.get(best), bestDistance, bestDistance <= unknownThreshold);
    } finally {
      lock.readLock().unlock();
    }
  }
}
