package io.siamese.bench;

/**
 * An encoder hand-written in raw TensorFlow Java ops: the baseline of {@link
 * EncoderForwardBenchmark}. It owns its graph and session; close it.
 */
interface RawEncoder extends AutoCloseable {

  /**
   * Embeds {@code count} examples stored back to back (row-major, channels last) in {@code flat}
   * into {@code out}, {@link #outputSize()} floats each.
   */
  void embed(float[] flat, int count, float[] out);

  /** Floats per input example. */
  int inputSize();

  /** Floats per embedding. */
  int outputSize();

  @Override
  void close();
}
