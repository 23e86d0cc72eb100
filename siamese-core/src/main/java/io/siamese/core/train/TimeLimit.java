package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkArgument;

import java.time.Duration;

/**
 * Ends training once it has run for a given time, whatever the number of epochs left: the current
 * epoch stops after its running step, is validated and counts as the last one. At least one step
 * always runs. {@link TrainingConfig.Builder#timeLimit} adds one.
 */
public final class TimeLimit implements TrainingListener {
  private final long limitNanos;
  private TrainingContext context;

  /** @param limit positive */
  public TimeLimit(Duration limit) {
    checkArgument(limit != null && !limit.isNegative() && !limit.isZero(), "time limit must be positive, got %s", limit);
    this.limitNanos = limit.toNanos();
  }

  @Override
  public void onTrainingStart(TrainingContext training) {
    this.context = training;
  }

  @Override
  public void onBatchEnd(BatchResult batch) {
    if (batch.elapsedNanos() - limitNanos > 0) {
      context.requestStop();
    }
  }
}
