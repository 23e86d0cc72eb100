package io.siamese.lucene;

import io.siamese.core.EmbeddingSpace;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What every commit of a gallery records in Lucene's commit user data: the format, the space of
 * its embeddings, and the next id to hand out. A Lucene index without these keys is not a gallery.
 *
 * @param format the gallery format version
 * @param dimension floats per embedding
 * @param distance the distance's {@link Distance#name()}
 * @param modelDigest the digest of the model that made the embeddings
 * @param nextId the smallest id not handed out when the commit was made
 */
record CommitData(int format, int dimension, String distance, String modelDigest, long nextId) {
  /** The format this code writes and reads. */
  static final int FORMAT = 1;

  static final String FORMAT_KEY = "siamese.gallery.format";
  static final String DIMENSION_KEY = "siamese.gallery.dimension";
  static final String DISTANCE_KEY = "siamese.gallery.distance";
  static final String DIGEST_KEY = "siamese.gallery.model_digest";
  static final String NEXT_ID_KEY = "siamese.gallery.next_id";

  static CommitData of(EmbeddingSpace space, long nextId) {
    return new CommitData(FORMAT, space.dimension(), space.distance().name(), space.modelDigest(), nextId);
  }

  Map<String, String> toMap() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put(FORMAT_KEY, Integer.toString(format));
    m.put(DIMENSION_KEY, Integer.toString(dimension));
    m.put(DISTANCE_KEY, distance);
    m.put(DIGEST_KEY, modelDigest);
    m.put(NEXT_ID_KEY, Long.toString(nextId));
    return m;
  }

  /**
   * The gallery data of a commit's user data.
   *
   * @throws IllegalArgumentException naming {@code dir} if the commit is not a gallery's, was
   *     written by a newer format, or holds malformed values
   */
  static CommitData parse(Map<String, String> userData, Path dir) {
    String format = userData.get(FORMAT_KEY);
    if (format == null) {
      throw new IllegalArgumentException(
          dir + " holds a Lucene index that is not a siamese gallery (its commit records no "
              + FORMAT_KEY + "); open a directory made by LuceneGallery, or an empty one");
    }
    int f = parseInt(format, FORMAT_KEY, dir);
    if (f > FORMAT) {
      throw new IllegalArgumentException(
          "the gallery at " + dir + " has format " + f + ", written by a newer siamese-lucene; this one reads format "
              + FORMAT + " and older");
    }
    if (f < 1) {
      throw malformed(dir, FORMAT_KEY, format);
    }
    int dimension = parseInt(required(userData, DIMENSION_KEY, dir), DIMENSION_KEY, dir);
    if (dimension < 1) {
      throw malformed(dir, DIMENSION_KEY, Integer.toString(dimension));
    }
    String distance = required(userData, DISTANCE_KEY, dir);
    String digest = required(userData, DIGEST_KEY, dir);
    if (digest.isBlank()) {
      throw malformed(dir, DIGEST_KEY, digest);
    }
    long nextId;
    try {
      nextId = Long.parseLong(required(userData, NEXT_ID_KEY, dir));
    } catch (NumberFormatException e) {
      throw malformed(dir, NEXT_ID_KEY, userData.get(NEXT_ID_KEY));
    }
    if (nextId < 0) {
      throw malformed(dir, NEXT_ID_KEY, Long.toString(nextId));
    }
    return new CommitData(f, dimension, distance, digest, nextId);
  }

  /**
   * The space this commit records.
   *
   * @throws IllegalArgumentException if it records a distance no gallery writes
   */
  EmbeddingSpace space(Path dir) {
    Distance d;
    try {
      d = Distances.byName(distance);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the gallery at " + dir + " records the distance '" + distance + "', which no Lucene gallery writes", e);
    }
    return new EmbeddingSpace(dimension, d, modelDigest);
  }

  private static String required(Map<String, String> userData, String key, Path dir) {
    String v = userData.get(key);
    if (v == null) {
      throw new IllegalArgumentException(
          "the gallery at " + dir + " is damaged: its last commit records no " + key);
    }
    return v;
  }

  private static int parseInt(String text, String key, Path dir) {
    try {
      return Integer.parseInt(text);
    } catch (NumberFormatException e) {
      throw malformed(dir, key, text);
    }
  }

  private static IllegalArgumentException malformed(Path dir, String key, String value) {
    return new IllegalArgumentException(
        "the gallery at " + dir + " is damaged: its last commit records " + key + " = '" + value + "'");
  }
}
