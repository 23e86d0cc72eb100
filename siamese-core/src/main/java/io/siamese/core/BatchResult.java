package io.siamese.core;

/**
 * What one training step did.
 *
 * @param epoch the epoch, from 1
 * @param epochs the number of epochs planned
 * @param step the step within the epoch, from 1
 * @param stepsPerEpoch the steps per epoch planned
 * @param loss the batch loss before this step's update
 * @param pairs pairs in the batch
 * @param elapsedNanos time since training started, in nanoseconds
 */
public record BatchResult(
    int epoch, int epochs, int step, int stepsPerEpoch, double loss, int pairs, long elapsedNanos) {}
