package io.siamese.core.internal;

import io.siamese.data.ExampleShape;
import java.util.function.IntFunction;

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
   * @param kind what such arrays are, for the message on a non-finite value, e.g. {@code "inputs"}
   * @throws NullPointerException naming {@code what} if it is null
   * @throws IllegalArgumentException naming {@code what} and the length, or the position and value of
   *     the first NaN or infinite entry
   */
  public static void finite(float[] values, int length, String what, String expected, String kind) {
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
        throw new IllegalArgumentException(what + " holds " + values[j] + " at position " + j + "; " + kind + " must be finite");
      }
    }
  }

  /**
   * {@link #finite} for every row of a batch, row {@code i} named {@code name.apply(i)}.
   *
   * @throws NullPointerException if {@code rows} is null
   */
  public static void finiteRows(float[][] rows, int length, IntFunction<String> name, String expected, String kind) {
    if (rows == null) {
      throw new NullPointerException(kind + " is null");
    }
    for (int i = 0; i < rows.length; i++) {
      float[] r = rows[i];
      if (r == null || r.length != length || !allFinite(r)) {
        finite(r, length, name.apply(i), expected, kind);
      }
    }
  }

  /**
   * Checks that {@code examples} inputs of {@code inputSize} floats each fit in one Java array.
   *
   * @param what names the batch in the message, e.g. {@code "batchSize 64 pairs"}
   * @throws IllegalArgumentException if they do not
   */
  public static void fitsInArray(long examples, int inputSize, String what) {
    if (examples * inputSize > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          what + " of " + inputSize + " floats each do not fit in one Java array (at most "
              + (Integer.MAX_VALUE - 8) + " floats); use smaller batches");
    }
  }

  /**
   * Checks that examples of {@code shape} are what an encoder of input {@code expected} takes.
   *
   * @param what names the source of the examples, e.g. {@code "the sampler's dataset"}
   * @throws IllegalArgumentException naming both shapes if they differ
   */
  public static void sameShape(ExampleShape shape, ExampleShape expected, String what) {
    if (!shape.equals(expected)) {
      throw new IllegalArgumentException(what + " holds examples of shape " + shape + ", but the encoder expects " + expected);
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
