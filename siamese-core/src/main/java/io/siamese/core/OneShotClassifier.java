package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * <p>Enrolled examples are embedded once, at enrolment, and kept as embeddings only. Embeddings
 * computed earlier (kept in a database, say) are enrolled and queried directly with {@link
 * #enrolEmbedding} and {@link #classifyEmbedding}, without running the encoder again; they must
 * come from the same model, or one with the same weights.
 *
 * <p>A query is compared with every enrolled embedding (brute force, in the model's {@link
 * SiameseModel#embeddingDistance() distance}); the nearest one gives the label, the earliest
 * enrolled one on ties, and a distance above the threshold makes the answer "unknown". The
 * embeddings are kept in one contiguous array, {@code 4 * embeddingSize()} bytes each, and a query
 * takes under twice the time of one pass over that array (about 20 ms for a million 64-float
 * embeddings, 256 MB of heap, on one core); galleries of a million floats or more are scanned on
 * several threads of the common {@link java.util.concurrent.ForkJoinPool}.
 *
 * <p>Thread-safe: enrolment and classification may run from many threads at once. Classifications
 * run side by side; an enrolment waits for the classifications in progress and they for it, so
 * every query sees each enrolment entirely or not at all. {@link #enrol} and {@link #classify}
 * use the model they came from, so they fail like the model after it is closed; the methods that
 * take embeddings never touch the model and keep working.
 *
 * @param <L> the label type; labels are compared with {@code equals}
 */
public final class OneShotClassifier<L> {
  private final SiameseModel model;
  private final double unknownThreshold;
  private final int embeddingSize;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();

  /** The distinct labels, in order of first enrolment; a row's class id indexes this list. */
  private final List<L> classes = new ArrayList<>();

  private final Map<L, Integer> classIds = new HashMap<>();
  private final EmbeddingGallery gallery;

  OneShotClassifier(SiameseModel model, double unknownThreshold) {
    checkArgument(
        unknownThreshold > 0 && !Double.isNaN(unknownThreshold),
        "unknown threshold must be > 0 (use Double.POSITIVE_INFINITY to always answer), got %s",
        unknownThreshold);
    this.model = model;
    this.unknownThreshold = unknownThreshold;
    this.embeddingSize = model.embeddingSize();
    this.gallery = new EmbeddingGallery(embeddingSize, model.embeddingDistance());
  }

  /** The distance above which a query is "unknown". */
  public double unknownThreshold() {
    return unknownThreshold;
  }

  /** Floats per embedding: the model's {@link SiameseModel#embeddingSize()}. */
  public int embeddingSize() {
    return embeddingSize;
  }

  /** Enrols one example of class {@code label}; see {@link SiameseModel#embed(float[])} for its format. */
  public void enrol(L label, float[] example) {
    enrol(label, new float[][] {example});
  }

  /** Enrols several examples of class {@code label} at once (one session run). */
  public void enrol(L label, float[][] examples) {
    checkNotNull(label, "label");
    float[][] e = model.embed(examples);
    for (int i = 0; i < e.length; i++) {
      checkEmbedding(e[i], "the model's embedding of example " + i);
    }
    add(label, e);
  }

  /**
   * Enrols a precomputed embedding of class {@code label}, e.g. one read back from a database. The
   * values are copied; the caller keeps the array.
   *
   * @param embedding {@link #embeddingSize()} finite floats, as {@link SiameseModel#embed} returned
   *     them
   * @throws IllegalArgumentException naming the length, or the position of a NaN or infinite value
   */
  public void enrolEmbedding(L label, float[] embedding) {
    enrolEmbeddings(label, new float[][] {embedding});
  }

  /**
   * Enrols several precomputed embeddings of class {@code label} at once: all of them, or none if
   * one is invalid. The values are copied.
   *
   * @throws IllegalArgumentException naming the embedding and the length, or the position of a NaN
   *     or infinite value
   */
  public void enrolEmbeddings(L label, float[][] embeddings) {
    checkNotNull(label, "label");
    checkNotNull(embeddings, "embeddings");
    for (int i = 0; i < embeddings.length; i++) {
      checkEmbedding(embeddings[i], embeddings.length == 1 ? "embedding" : "embedding " + i);
    }
    add(label, embeddings);
  }

  private void add(L label, float[][] embeddings) {
    lock.writeLock().lock();
    try {
      Integer id = classIds.get(label);
      if (id == null) {
        id = classes.size();
        gallery.add(embeddings, id);
        // Registered only once its rows are in, so a gallery that is full adds no empty class.
        classes.add(label);
        classIds.put(label, id);
      } else {
        gallery.add(embeddings, id);
      }
    } finally {
      lock.writeLock().unlock();
    }
  }

  /** The enrolled classes, in order of first enrolment. */
  public Set<L> classes() {
    lock.readLock().lock();
    try {
      return ImmutableSet.copyOf(classes);
    } finally {
      lock.readLock().unlock();
    }
  }

  /** Number of enrolled examples (embeddings). */
  public int size() {
    lock.readLock().lock();
    try {
      return gallery.size();
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
    checkEmbedding(q, "the model's embedding of the query");
    return nearest(q);
  }

  /**
   * The answer of {@link #classify} for a query whose embedding is already computed: the encoder
   * does not run. The caller keeps the array.
   *
   * @param embedding {@link #embeddingSize()} finite floats
   * @throws IllegalArgumentException naming the length, or the position of a NaN or infinite value
   * @throws IllegalStateException if nothing is enrolled
   */
  public OneShotPrediction<L> classifyEmbedding(float[] embedding) {
    checkEmbedding(embedding, "embedding");
    return nearest(embedding);
  }

  private OneShotPrediction<L> nearest(float[] q) {
    lock.readLock().lock();
    try {
      if (gallery.size() == 0) {
        throw new IllegalStateException("no example is enrolled; call enrol first");
      }
      EmbeddingGallery.Nearest n = gallery.nearest(q);
      return new OneShotPrediction<>(
          classes.get(gallery.classId(n.row())), n.distance(), n.distance() <= unknownThreshold);
    } finally {
      lock.readLock().unlock();
    }
  }

  private void checkEmbedding(float[] e, String what) {
    checkNotNull(e, "%s is null", what);
    checkArgument(
        e.length == embeddingSize,
        "%s has %s floats; the model's embeddings have %s",
        what,
        e.length,
        embeddingSize);
    for (int k = 0; k < e.length; k++) {
      if (!Float.isFinite(e[k])) {
        throw new IllegalArgumentException(
            what + " holds " + e[k] + " at position " + k + "; embeddings must be finite");
      }
    }
  }
}
