package io.siamese.core.train;

/**
 * How a training step runs the two twins of its pairs through the shared encoder. Both give the
 * same gradients up to floating-point order (batch normalisation aside); they differ in speed.
 */
public enum TwinBatching {
  /**
   * Left and right examples stacked into one batch of {@code 2 * B}, one encoder pass. Fewer,
   * larger ops; batch normalisation sees both twins in one batch. The default.
   */
  STACKED,
  /**
   * Two encoder passes of {@code B} examples on the same variables, which TensorFlow may run at
   * once on its inter-op threads; batch normalisation then normalises each twin with its own batch
   * statistics. Can be faster for large batches on few cores: measure with {@code
   * TrainingStepBenchmark}.
   */
  SEPARATE
}
