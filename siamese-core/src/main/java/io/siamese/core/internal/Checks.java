package io.siamese.core.internal;

/**
 * The argument checks shared by siamese-java's modules: one place that says what a bad example or
 * embedding gets. Not API: for siamese-java's own modules; it may change in any release.
 */
public final class Checks {
  private Checks() {}

  /**
   * Checks that {@code values} holds {@code length} finite floats.
   *
   * @param what names the array in the message, e.g. {@code "example 3"}
   * @param expected says where the length comes from, e.g. {@code "the encoder expects 28x28x1 = 784"}
   * @throws NullPointerException naming {@code what} if it is null
   * @throws IllegalArgumentException naming {@code what} and the length, or the position and value of
   *     the first NaN or infinite entry
   */
  public static void finite(float[] values, int length, String what, String expected) {
    if (values != null && values.length == length && allFinite(values)) {
      return; // the common case builds no message
    }
    if (values == null) {
      throw new NullPointerException(what + " is null");
    }
    if (values.length != length) {
      throw new IllegalArgumentException(what + " has " + values.length + " floats; " + expected);
    }
    for (int j = 0; j < values.length; j++) {
      if (!Float.isFinite(values[j])) {
        throw new IllegalArgumentException(what + " holds " + values[j] + " at position " + j + "; values must be finite");
      }
    }
  }

  /**
   * {@link #finite} for every row of a batch, naming a row {@code noun + " " + index} (or just
   * {@code noun} when there is one row).
   *
   * @throws IllegalArgumentException if {@code rows} is empty
   */
  public static void finiteRows(float[][] rows, int length, String noun, String expected) {
    if (rows == null) {
      throw new NullPointerException(noun + "s is null");
    }
    if (rows.length == 0) {
      throw new IllegalArgumentException("needs at least one " + noun + ", got none");
    }
    for (int i = 0; i < rows.length; i++) {
      float[] r = rows[i];
      if (r == null || r.length != length || !allFinite(r)) {
        finite(r, length, rows.length == 1 ? noun : noun + " " + i, expected);
      }
    }
  }

  private static boolean allFinite(float[] xs) {
    for (float x : xs) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }
}
