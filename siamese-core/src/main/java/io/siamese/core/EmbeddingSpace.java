package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.losses.Distance;

/**
 * The space a set of embeddings lives in: how many floats each has, the distance that compares
 * them, and a digest of the model that made them. Embeddings of two spaces must never be compared:
 * a gallery built with one model answers nonsense to queries embedded by another, silently. The
 * persistent galleries record the space they were made in and refuse to open in another.
 *
 * @param dimension floats per embedding, {@code >= 1}
 * @param distance the distance of every comparison, smaller is more alike
 * @param modelDigest a digest of the model's inference weights and architecture (lowercase hex),
 *     as {@link Embedder#embeddingSpace()} gives it: the same weights give the same digest, in any
 *     process and after save, load or export
 */
public record EmbeddingSpace(int dimension, Distance distance, String modelDigest) {

  public EmbeddingSpace {
    checkArgument(dimension >= 1, "dimension must be >= 1, got %s", dimension);
    checkNotNull(distance, "distance");
    checkNotNull(modelDigest, "modelDigest");
    checkArgument(!modelDigest.isBlank(), "modelDigest must not be blank");
  }

  /**
   * Whether embeddings made in {@code other} can be compared with embeddings of this space: the
   * same dimension, a distance of the same {@linkplain Distance#name() name} and the same model.
   */
  public boolean isCompatibleWith(EmbeddingSpace other) {
    return other != null && incompatibility(other).isEmpty();
  }

  /** Why embeddings of {@code other} cannot be compared with this space's; empty when they can. */
  public String incompatibility(EmbeddingSpace other) {
    return incompatibility(other.dimension, other.distance.name(), other.modelDigest);
  }

  /**
   * Why embeddings recorded as {@code dimension} floats, compared with the distance named {@code
   * distanceName} and made by the model of digest {@code otherDigest} (as a persistent gallery
   * stores them) cannot be compared with this space's; empty when they can.
   */
  public String incompatibility(int otherDimension, String distanceName, String otherDigest) {
    if (dimension != otherDimension) {
      return "its embeddings have " + otherDimension + " floats, this space's " + dimension;
    }
    if (!distance.name().equals(distanceName)) {
      return "it compares with the distance " + distanceName + ", this space with " + distance.name();
    }
    if (!modelDigest.equals(otherDigest)) {
      return "it was made by another model (digest " + abbreviate(otherDigest) + ", this space's "
          + abbreviate(modelDigest) + "): its embeddings live in another space";
    }
    return "";
  }

  private static String abbreviate(String digest) {
    return digest.length() > 16 ? digest.substring(0, 16) + "..." : digest;
  }
}
