package io.siamese.core.train;

import io.siamese.core.SiameseModel;

/**
 * Receives training progress from {@link SiameseModel#fit}, and may act on it through the {@link
 * TrainingContext} it gets at the start (stop, take or restore weights, save): early stopping,
 * checkpoints and the time limit are listeners. Every method has an empty default, so a listener
 * overrides only what it needs. Called on the training thread, in the order the listeners were
 * given (the ones {@link TrainingConfig} configures first); a listener that throws stops training
 * with its exception.
 */
public interface TrainingListener {

  /** Before the first step; {@code training} stays valid until {@link #onTrainingEnd} returns. */
  default void onTrainingStart(TrainingContext training) {}

  /** After every step. */
  default void onBatchEnd(BatchResult batch) {}

  /** After every epoch, with validation metrics if configured. */
  default void onEpochEnd(EpochResult epoch) {}

  /** After the last epoch. */
  default void onTrainingEnd(TrainingHistory history) {}
}
