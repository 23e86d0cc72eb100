package io.siamese.core.embedding;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import io.siamese.data.ExampleShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * An ensemble of N models, combined in one of two ways:
 *
 * <ul>
 *   <li>{@link #of} (independently trained models): the members' embeddings side by side, each
 *       scaled so that the ensemble's distance averages theirs: by {@code 1/sqrt(N)} for the
 *       Euclidean distances (the ensemble's squared distance is the mean of the members' squared
 *       distances), after scaling to unit length for the cosine distance (its cosine similarity is
 *       the mean of theirs), by {@code 1/N} for L1 (the mean of their distances). Two models
 *       trained apart embed in unrelated coordinates, so each must be compared in its own: on
 *       Omniglot, two batch-hard models gave 20-way 69.7% side by side against 67.9% averaged
 *       (67.6% and 67.4% alone), four models with class weights 70.1% against 68.2%
 *       (docs/examples.md). Members may differ in embedding size.
 *   <li>{@link #averaging} (members that share one space: checkpoints of one training run, or
 *       models fine-tuned from one): the mean of the members' embeddings, of the members' size.
 * </ul>
 *
 * The members must take the same input and compare with the same distance (Euclidean, squared
 * Euclidean, cosine or L1). Evaluators, galleries and {@link
 * io.siamese.core.gallery.OneShotClassifier} take it like any {@link Embedder}; it costs one pass
 * of every model per example. Its {@link #embeddingSpace()} digest combines the combination and the
 * members' digests in order. The caller keeps (and closes) the members.
 */
public final class EnsembleEmbedder implements Embedder {
  private static final Set<String> COMBINABLE = Set.of("euclidean", "squared_euclidean", "cosine", "l1");

  private final List<Embedder> members;
  private final boolean concatenate;
  private final boolean normalize;
  private final double memberScale;
  private final int size;

  private EnsembleEmbedder(List<Embedder> members, boolean concatenate, boolean normalize) {
    this.members = List.copyOf(members);
    this.concatenate = concatenate;
    String distance = members.get(0).embeddingSpace().distance().name();
    this.normalize = normalize || (concatenate && distance.equals("cosine"));
    int n = members.size();
    this.memberScale = !concatenate || distance.equals("l1") ? 1.0 / n : 1 / Math.sqrt(n);
    this.size = concatenate ? members.stream().mapToInt(Embedder::embeddingSize).sum() : members.get(0).embeddingSize();
  }

  /**
   * Independently trained models, side by side (see the class comment).
   *
   * @param members at least two embedders of one input shape and one distance
   * @param normalize whether each member's embedding is scaled to unit length first (always for
   *     the cosine distance)
   * @throws IllegalArgumentException naming the member that does not match the first, or a
   *     distance an ensemble cannot average (a learned head)
   */
  public static EnsembleEmbedder of(List<? extends Embedder> members, boolean normalize) {
    check(members, false);
    return new EnsembleEmbedder(new ArrayList<>(members), true, normalize);
  }

  /**
   * Members that share one space (checkpoints of one training run): the mean of their embeddings,
   * each first scaled to unit length when {@code normalize}.
   *
   * @param members at least two embedders of one input shape, embedding size and distance
   * @throws IllegalArgumentException naming the member that does not match the first
   */
  public static EnsembleEmbedder averaging(List<? extends Embedder> members, boolean normalize) {
    check(members, true);
    return new EnsembleEmbedder(new ArrayList<>(members), false, normalize);
  }

  private static void check(List<? extends Embedder> members, boolean sameSize) {
    checkNotNull(members, "members");
    checkArgument(members.size() >= 2, "an ensemble needs at least 2 members, got %s", members.size());
    Embedder first = checkNotNull(members.get(0), "member 0");
    EmbeddingSpace space = first.embeddingSpace();
    checkArgument(COMBINABLE.contains(space.distance().name()),
        "an ensemble averages Euclidean, squared Euclidean, cosine or L1 distances; member 0 compares with %s", space.distance().name());
    for (int i = 1; i < members.size(); i++) {
      Embedder m = checkNotNull(members.get(i), "member %s", i);
      checkArgument(m.inputShape().equals(first.inputShape()), "member %s takes %s, member 0 %s", i, m.inputShape(), first.inputShape());
      EmbeddingSpace s = m.embeddingSpace();
      checkArgument(!sameSize || s.dimension() == space.dimension(),
          "member %s makes embeddings of %s floats, member 0 of %s", i, s.dimension(), space.dimension());
      checkArgument(
          s.distance().name().equals(space.distance().name()),
          "member %s compares with %s, member 0 with %s", i, s.distance().name(), space.distance().name());
    }
  }

  @Override
  public ExampleShape inputShape() {
    return members.get(0).inputShape();
  }

  @Override
  public int embeddingSize() {
    return size;
  }

  @Override
  public float[][] embed(float[][] examples) {
    double[][] out = null;
    int at = 0;
    for (Embedder m : members) {
      float[][] e = m.embed(examples);
      if (out == null) {
        out = new double[e.length][size];
      }
      for (int i = 0; i < e.length; i++) {
        double scale = memberScale / (normalize ? Math.max(norm(e[i]), 1e-12) : 1);
        for (int k = 0; k < e[i].length; k++) {
          out[i][at + k] += e[i][k] * scale;
        }
      }
      if (concatenate) {
        at += m.embeddingSize();
      }
    }
    float[][] result = new float[out.length][size];
    for (int i = 0; i < out.length; i++) {
      for (int k = 0; k < size; k++) {
        result[i][k] = (float) out[i][k];
      }
    }
    return result;
  }

  private static double norm(float[] v) {
    double s = 0;
    for (float x : v) {
      s += (double) x * x;
    }
    return Math.sqrt(s);
  }

  @Override
  public EmbeddingSpace embeddingSpace() {
    List<String> parts = new ArrayList<>();
    parts.add(concatenate ? "ensemble" : "ensemble-mean");
    parts.add(Boolean.toString(normalize));
    for (Embedder m : members) {
      parts.add(m.embeddingSpace().modelDigest());
    }
    return new EmbeddingSpace(size, members.get(0).embeddingSpace().distance(), Digests.of(parts.toArray(new String[0])));
  }

  @Override
  public String toString() {
    return "EnsembleEmbedder(" + members.size() + " members, " + (concatenate ? "side by side" : "averaged")
        + (normalize ? ", normalised" : "") + ")";
  }
}
