package io.siamese.core.train;

import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import java.util.Optional;

/**
 * What one epoch did.
 *
 * @param epoch the epoch, from 1
 * @param epochs the number of epochs planned
 * @param meanLoss the mean of the losses of the epoch's applied steps (NaN if every step was skipped)
 * @param validation the validation pair metrics, if pair validation was configured
 * @param oneShotValidation the validation one-shot accuracy, if episode validation was configured
 * @param elapsedNanos time since training started, in nanoseconds
 * @param skippedSteps the epoch's steps whose loss or gradients were not finite, skipped without
 *     changing the model (see {@link TrainingConfig#nonFiniteStepsTolerated()})
 */
public record EpochResult(
    int epoch,
    int epochs,
    double meanLoss,
    Optional<PairMetrics> validation,
    Optional<OneShotResult> oneShotValidation,
    long elapsedNanos,
    int skippedSteps) {

  /** Checks the counts. */
  public EpochResult {
    if (skippedSteps < 0) {
      throw new IllegalArgumentException("skipped steps must be >= 0, got " + skippedSteps);
    }
  }

  /** An epoch that skipped no step. */
  public EpochResult(
      int epoch, int epochs, double meanLoss, Optional<PairMetrics> validation, Optional<OneShotResult> oneShotValidation,
      long elapsedNanos) {
    this(epoch, epochs, meanLoss, validation, oneShotValidation, elapsedNanos, 0);
  }

  /** An epoch without one-shot validation that skipped no step. */
  public EpochResult(int epoch, int epochs, double meanLoss, Optional<PairMetrics> validation, long elapsedNanos) {
    this(epoch, epochs, meanLoss, validation, Optional.empty(), elapsedNanos, 0);
  }
}
