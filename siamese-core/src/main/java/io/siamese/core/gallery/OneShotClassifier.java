package io.siamese.core.gallery;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import java.util.List;
import java.util.Set;

/**
 * Classifies examples by their nearest enrolled example: enrol one or more examples per class at
 * any time, with no retraining, then ask which class a new example shows, or whether it shows none
 * of them. An {@link Embedder} (a model, or an exported encoder) in front of a {@link Gallery}.
 *
 * <pre>{@code
 * OneShotClassifier<String> signatures = model.oneShotClassifier(0.8);    // in memory
 * signatures.enrol("alice", aliceSample);
 * signatures.enrol("bob", bobSample);
 * OneShotPrediction<String> p = signatures.classify(query);
 * p.label().ifPresentOrElse(who -> ..., () -> ... unknown ...);
 * }</pre>
 *
 * <p>Enrolled examples are embedded once, at enrolment, and kept as embeddings only. Embeddings
 * computed earlier (kept in a database, say) are enrolled and queried directly with {@link
 * #enrolEmbedding} and {@link #classifyEmbedding}, without running the encoder.
 *
 * <p><b>One space.</b> Embeddings made by one model must never be compared with another's: {@link
 * #enrol} and {@link #classify} check before each call that the embedder's {@link
 * Embedder#embeddingSpace()} is still the gallery's, and fail with a clear error after the model
 * was trained further, or with a gallery of another model (a cheap check: a model caches its
 * digest until its weights change).
 *
 * <p>Thread-safe as its gallery is. {@link #enrol} and {@link #classify} use the embedder, so they
 * fail like it after it is closed; the methods that take embeddings use only the gallery and keep
 * working after the embedder is closed.
 *
 * @param <L> the label type; labels are compared with {@code equals}
 */
public final class OneShotClassifier<L> {
  private final Embedder embedder;
  private final Gallery<L> gallery;
  private final UnknownRule rule;

  private OneShotClassifier(Embedder embedder, Gallery<L> gallery, UnknownRule rule) {
    this.embedder = embedder;
    this.gallery = gallery;
    this.rule = rule;
  }

  /**
   * A classifier that embeds with {@code embedder} and searches {@code gallery}, answering unknown
   * beyond {@code unknownThreshold}. The caller keeps ownership of both (and closes them).
   *
   * @param unknownThreshold a distance {@code > 0} in the gallery's distance; {@link
   *     Double#POSITIVE_INFINITY} always answers a label. Choose it on held-out classes ({@code
   *     OpenSetResult.thresholdAtFalseAlarmRate}) or held-out pairs ({@code
   *     PairMetrics.thresholdAtFalseAcceptRate}).
   * @throws IllegalArgumentException if the embedder's space is not the gallery's
   */
  public static <L> OneShotClassifier<L> of(Embedder embedder, Gallery<L> gallery, double unknownThreshold) {
    return of(embedder, gallery, UnknownRule.distance(unknownThreshold));
  }

  /**
   * A classifier that embeds with {@code embedder} and searches {@code gallery}, answering unknown
   * where {@code rule} says so, e.g. {@code UnknownRule.distanceRatio(0.8)} or a kept operating
   * point's {@code unknownRule()}. The caller keeps ownership of the embedder and the gallery.
   *
   * @throws IllegalArgumentException if the embedder's space is not the gallery's
   */
  public static <L> OneShotClassifier<L> of(Embedder embedder, Gallery<L> gallery, UnknownRule rule) {
    checkNotNull(embedder, "embedder");
    checkNotNull(gallery, "gallery");
    checkNotNull(rule, "rule");
    OneShotClassifier<L> c = new OneShotClassifier<>(embedder, gallery, rule);
    c.checkSpace();
    return c;
  }

  /** The rule's threshold: the distance, or the distance ratio, above which a query is "unknown". */
  public double unknownThreshold() {
    return rule.threshold();
  }

  /** When a query is "unknown". */
  public UnknownRule unknownRule() {
    return rule;
  }

  /** Floats per embedding. */
  public int embeddingSize() {
    return gallery.space().dimension();
  }

  /** The gallery this classifier enrols into and searches. */
  public Gallery<L> gallery() {
    return gallery;
  }

  /** Enrols one example of class {@code label}; see {@link Embedder#embed(float[])} for its format. */
  public void enrol(L label, float[] example) {
    enrol(label, new float[][] {example});
  }

  /**
   * Enrols several examples of class {@code label} at once (one encoder run): all of them, or none
   * if one is invalid.
   *
   * @throws IllegalArgumentException if {@code examples} is empty, an example is invalid, or the
   *     embedder's space is no longer the gallery's
   */
  public void enrol(L label, float[][] examples) {
    checkNotNull(label, "label");
    checkNotNull(examples, "examples");
    checkArgument(examples.length > 0, "enrol needs at least one example of %s, got none", label);
    checkSpace();
    gallery.enrol(label, embedder.embed(examples));
  }

  /**
   * Enrols a precomputed embedding of class {@code label}, e.g. one read back from a database. The
   * values are copied; the caller keeps the array.
   *
   * @param embedding {@link #embeddingSize()} finite floats made in the gallery's space
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
    gallery.enrol(label, embeddings);
  }

  /** The enrolled classes, in order of first enrolment where the gallery keeps it. */
  public Set<L> classes() {
    return gallery.labels();
  }

  /** Number of enrolled examples (embeddings). */
  public long size() {
    return gallery.size();
  }

  /**
   * The class of the nearest enrolled example, or unknown where the {@link #unknownRule()} says so.
   *
   * @throws IllegalStateException if nothing is enrolled, or the rule is a distance ratio and only
   *     one class is enrolled
   */
  public OneShotPrediction<L> classify(float[] query) {
    checkSpace();
    return gallery.classify(embedder.embed(query), rule);
  }

  /**
   * The {@code k} enrolled examples nearest to {@code query}, nearest first.
   *
   * @param k at least 1
   */
  public List<Neighbor<L>> nearest(float[] query, int k) {
    checkSpace();
    return gallery.nearest(embedder.embed(query), k);
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
    return gallery.classify(embedding, rule);
  }

  private void checkSpace() {
    EmbeddingSpace mine = embedder.embeddingSpace();
    String why = gallery.space().incompatibility(mine);
    checkArgument(
        why.isEmpty(),
        "the embedder cannot be used with this gallery: %s (a model trained further after enrolment makes embeddings of"
            + " another space; enrol again, or keep the model that made the gallery)",
        why);
  }
}
