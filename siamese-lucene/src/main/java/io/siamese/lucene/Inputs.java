package io.siamese.lucene;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.internal.Checks;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The checks of what callers hand a gallery: embeddings and queries (copied first, so that a
 * caller changing its array meanwhile cannot slip a bad value past the check) and labels.
 */
final class Inputs {
  private final int dimension;
  private final boolean cosine;

  Inputs(int dimension, boolean cosine) {
    this.dimension = dimension;
    this.cosine = cosine;
  }

  /** Copies of {@code embeddings}, each checked; the messages are those of the in-memory gallery. */
  float[][] embeddings(float[][] embeddings) {
    checkNotNull(embeddings, "embeddings");
    float[][] rows = new float[embeddings.length][];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = embeddings[i] == null ? null : embeddings[i].clone();
    }
    Checks.finiteRows(rows, dimension, i -> rows.length == 1 ? "embedding" : "embedding " + i, expectation(), "embeddings");
    for (int i = 0; i < rows.length; i++) {
      checkMagnitude(rows[i], rows.length == 1 ? "embedding" : "embedding " + i);
    }
    return rows;
  }

  /** A checked copy of {@code query}. */
  float[] query(float[] query) {
    float[] q = query == null ? null : query.clone();
    Checks.finite(q, dimension, "query", expectation(), "embeddings");
    checkMagnitude(q, "query");
    return q;
  }

  private String expectation() {
    return "the gallery's embeddings have " + dimension;
  }

  /**
   * Lucene compares vectors in float: a squared norm that overflows float breaks every Euclidean
   * comparison with it, and a zero one makes the cosine 0/0.
   */
  private void checkMagnitude(float[] v, String what) {
    float sumSquares = 0;
    for (float x : v) {
      sumSquares += x * x;
    }
    if (Float.isInfinite(sumSquares)) {
      throw new IllegalArgumentException(
          what + " is too large for float32 vector search: its squared norm overflows float (keep values below about 1e18)");
    }
    if (sumSquares == 0 && cosine) {
      throw new IllegalArgumentException(
          what + (isZero(v) ? " is all zeros" : " is too close to zero for float32")
              + ": a cosine gallery cannot compare it, its direction is undefined");
    }
  }

  private static boolean isZero(float[] v) {
    for (float x : v) {
      if (x != 0) {
        return false;
      }
    }
    return true;
  }

  /**
   * The text of {@code label}, checked to fit a Lucene term and to decode back to {@code label}
   * (a codec that loses information would otherwise surface only when a search returns it).
   */
  static <L> String encode(LabelCodec<L> codec, L label, String what) {
    String text = codec.encode(label);
    if (text == null) {
      throw new NullPointerException("the LabelCodec encoded " + what + " " + label + " as null");
    }
    int bytes = text.getBytes(StandardCharsets.UTF_8).length;
    checkArgument(
        bytes <= Schema.MAX_LABEL_BYTES, "%s encodes as %s bytes of UTF-8; a Lucene gallery stores at most %s",
        what, bytes, Schema.MAX_LABEL_BYTES);
    L back;
    try {
      back = codec.decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the LabelCodec cannot decode its own encoding '" + text + "' of " + what + " '" + label + "'", e);
    }
    checkArgument(
        Objects.equals(back, label), "the LabelCodec does not round-trip %s '%s': it encodes it as '%s', which decodes to '%s'",
        what, label, text, back);
    return text;
  }
}
