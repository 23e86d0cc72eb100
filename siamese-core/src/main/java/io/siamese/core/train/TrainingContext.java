package io.siamese.core.train;

import io.siamese.core.ModelWeights;
import io.siamese.core.SiameseModel;
import java.nio.file.Path;

/**
 * What a {@link TrainingListener} may do to the training run it watches: read the configuration
 * and the clock, ask training to stop, and take, restore or save the model's weights. Early
 * stopping, checkpointing and the time limit are listeners built on it ({@link EarlyStopping},
 * {@link Checkpointing}, {@link TimeLimit}); so can a policy of your own.
 *
 * <p>Given to {@link TrainingListener#onTrainingStart}; valid until {@link
 * TrainingListener#onTrainingEnd} returns, and only on the training thread.
 */
public interface TrainingContext {

  /** The configuration of this {@code fit} call. */
  TrainingConfig config();

  /** Time since training started, in nanoseconds. */
  long elapsedNanos();

  /**
   * Ends training after the current step: the current epoch stops there, is validated, reported
   * to {@link TrainingListener#onEpochEnd} and counts as the last one. Called from {@code
   * onEpochEnd}, no further epoch starts.
   */
  void requestStop();

  /** Whether {@link #requestStop()} was called. */
  boolean stopRequested();

  /** A copy of every weight of the model now (encoder, heads, optimizer state). */
  ModelWeights weights();

  /** Sets every weight of the model to {@code weights}, taken from this model by {@link #weights()}. */
  void restoreWeights(ModelWeights weights);

  /** Saves the model into {@code directory}, crash-safely, as {@code SiameseModel.save} does. */
  void save(Path directory);
}
