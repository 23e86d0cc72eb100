package io.siamese.core;

/**
 * Receives training progress from {@link SiameseModel#fit}. Every method has an empty default, so
 * a listener overrides only what it needs. Called on the training thread; a listener that throws
 * stops training with its exception.
 */
public interface TrainingListener {

  /** Before the first step. */
  default void onTrainingStart(TrainingConfig config) {}

  /** After every step. */
  default void onBatchEnd(BatchResult batch) {}

  /** After every epoch, with validation metrics if configured. */
  default void onEpochEnd(EpochResult epoch) {}

  /** After the last epoch. */
  default void onTrainingEnd(TrainingHistory history) {}
}
