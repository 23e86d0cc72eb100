package io.siamese.core.train;

/**
 * What one training step did.
 *
 * @param epoch the epoch, from 1
 * @param epochs the number of epochs planned
 * @param step the step within the epoch, from 1
 * @param stepsPerEpoch the steps per epoch planned
 * @param loss the batch loss before this step's update
 * @param pairs the size of the batch: pairs for a pair loss, examples for a batch loss (see {@link
 *     #ofPairs()})
 * @param elapsedNanos time since training started, in nanoseconds
 * @param ofPairs true when {@code pairs} counts pairs, false when it counts examples of a P x K
 *     batch
 * @param learningRate the learning rate this step was applied with, as fed to TensorFlow
 *     (float32); NaN when unknown
 */
public record BatchResult(
    int epoch,
    int epochs,
    int step,
    int stepsPerEpoch,
    double loss,
    int pairs,
    long elapsedNanos,
    boolean ofPairs,
    double learningRate) {

  /** A step over {@code pairs} pairs, its learning rate unknown. */
  public BatchResult(int epoch, int epochs, int step, int stepsPerEpoch, double loss, int pairs, long elapsedNanos) {
    this(epoch, epochs, step, stepsPerEpoch, loss, pairs, elapsedNanos, true);
  }

  /** A step whose learning rate is unknown. */
  public BatchResult(
      int epoch, int epochs, int step, int stepsPerEpoch, double loss, int pairs, long elapsedNanos, boolean ofPairs) {
    this(epoch, epochs, step, stepsPerEpoch, loss, pairs, elapsedNanos, ofPairs, Double.NaN);
  }
}
