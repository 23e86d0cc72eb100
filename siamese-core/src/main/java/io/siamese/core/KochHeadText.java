package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

/** A {@link KochHead}'s weights as text in an export's metadata: exact, since floats print and parse exactly. */
final class KochHeadText {
  private KochHeadText() {}

  static String alpha(KochHead head) {
    StringBuilder s = new StringBuilder();
    for (float a : head.alpha()) {
      if (s.length() > 0) {
        s.append(',');
      }
      s.append(a);
    }
    return s.toString();
  }

  static KochHead parse(String alpha, String bias, int embeddingSize) {
    String[] parts = alpha.split(",");
    checkArgument(parts.length == embeddingSize, "the head has %s weights for embeddings of %s", parts.length, embeddingSize);
    float[] a = new float[parts.length];
    try {
      for (int i = 0; i < a.length; i++) {
        a[i] = Float.parseFloat(parts[i]);
      }
      return new KochHead(a, Float.parseFloat(bias));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the head's weights are not numbers: " + e.getMessage(), e);
    }
  }
}
