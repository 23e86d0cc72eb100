package io.siamese.core.embedding;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.Embedder;
import io.siamese.core.EmbeddingSpace;
import io.siamese.data.ExampleShape;
import java.util.ArrayList;
import java.util.List;

/**
 * An ensemble: the embedding of an example is the mean of the embeddings N models give it (each
 * first scaled to unit length when {@code normalize}, as models trained for the cosine distance
 * should be). The models must take the same input, make embeddings of one size and compare them
 * with the same distance. Evaluators, galleries and {@link io.siamese.core.gallery.OneShotClassifier}
 * take it like any {@link Embedder}; it costs one pass of every model per example.
 *
 * <p>Its {@link #embeddingSpace()} digest combines the members' digests in order. The caller
 * keeps (and closes) the members.
 */
public final class EnsembleEmbedder implements Embedder {
  private final List<Embedder> members;
  private final boolean normalize;

  private EnsembleEmbedder(List<Embedder> members, boolean normalize) {
    this.members = List.copyOf(members);
    this.normalize = normalize;
  }

  /**
   * @param members at least two embedders of one input shape, embedding size and distance
   * @param normalize whether each member's embedding is scaled to unit length before the mean
   * @throws IllegalArgumentException naming the member that does not match the first
   */
  public static EnsembleEmbedder of(List<? extends Embedder> members, boolean normalize) {
    checkNotNull(members, "members");
    checkArgument(members.size() >= 2, "an ensemble needs at least 2 members, got %s", members.size());
    Embedder first = checkNotNull(members.get(0), "member 0");
    EmbeddingSpace space = first.embeddingSpace();
    for (int i = 1; i < members.size(); i++) {
      Embedder m = checkNotNull(members.get(i), "member %s", i);
      checkArgument(m.inputShape().equals(first.inputShape()), "member %s takes %s, member 0 %s", i, m.inputShape(), first.inputShape());
      EmbeddingSpace s = m.embeddingSpace();
      checkArgument(s.dimension() == space.dimension(), "member %s makes embeddings of %s floats, member 0 of %s", i, s.dimension(), space.dimension());
      checkArgument(
          s.distance().name().equals(space.distance().name()),
          "member %s compares with %s, member 0 with %s", i, s.distance().name(), space.distance().name());
    }
    return new EnsembleEmbedder(new ArrayList<>(members), normalize);
  }

  @Override
  public ExampleShape inputShape() {
    return members.get(0).inputShape();
  }

  @Override
  public int embeddingSize() {
    return members.get(0).embeddingSize();
  }

  @Override
  public float[][] embed(float[][] examples) {
    int e = embeddingSize();
    double[][] sum = null;
    for (Embedder m : members) {
      float[][] out = m.embed(examples);
      if (sum == null) {
        sum = new double[out.length][e];
      }
      for (int i = 0; i < out.length; i++) {
        double scale = 1;
        if (normalize) {
          double norm = 0;
          for (float v : out[i]) {
            norm += (double) v * v;
          }
          scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
        }
        for (int k = 0; k < e; k++) {
          sum[i][k] += out[i][k] * scale;
        }
      }
    }
    float[][] mean = new float[sum.length][e];
    for (int i = 0; i < sum.length; i++) {
      for (int k = 0; k < e; k++) {
        mean[i][k] = (float) (sum[i][k] / members.size());
      }
    }
    return mean;
  }

  @Override
  public EmbeddingSpace embeddingSpace() {
    List<String> parts = new ArrayList<>();
    parts.add("ensemble");
    parts.add(Boolean.toString(normalize));
    EmbeddingSpace first = members.get(0).embeddingSpace();
    for (Embedder m : members) {
      parts.add(m.embeddingSpace().modelDigest());
    }
    return new EmbeddingSpace(first.dimension(), first.distance(), Digests.of(parts.toArray(new String[0])));
  }

  @Override
  public String toString() {
    return "EnsembleEmbedder(" + members.size() + " members" + (normalize ? ", normalised" : "") + ")";
  }
}
