package io.siamese.core.train;

import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import java.util.Optional;

/**
 * What one epoch did.
 *
 * @param epoch the epoch, from 1
 * @param epochs the number of epochs planned
 * @param meanLoss the mean of the epoch's batch losses
 * @param validation the validation pair metrics, if pair validation was configured
 * @param oneShotValidation the validation one-shot accuracy, if episode validation was configured
 * @param elapsedNanos time since training started, in nanoseconds
 */
public record EpochResult(
    int epoch,
    int epochs,
    double meanLoss,
    Optional<PairMetrics> validation,
    Optional<OneShotResult> oneShotValidation,
    long elapsedNanos) {

  /** An epoch without one-shot validation. */
  public EpochResult(int epoch, int epochs, double meanLoss, Optional<PairMetrics> validation, long elapsedNanos) {
    this(epoch, epochs, meanLoss, validation, Optional.empty(), elapsedNanos);
  }
}
