package io.siamese.core;

import java.util.Optional;

/**
 * What one epoch did.
 *
 * @param epoch the epoch, from 1
 * @param epochs the number of epochs planned
 * @param meanLoss the mean of the epoch's batch losses
 * @param validation the validation pair metrics, if validation was configured
 * @param elapsedNanos time since training started, in nanoseconds
 */
public record EpochResult(
    int epoch, int epochs, double meanLoss, Optional<PairMetrics> validation, long elapsedNanos) {}
