package io.siamese.core;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * The epochs of one {@link SiameseModel#fit} call, in order. Immutable.
 *
 * @param epochs one result per completed epoch
 * @param bestEpoch the epoch (from 1) with the best validation ROC AUC, or the last epoch without
 *     validation; with early stopping, the model holds this epoch's weights
 * @param stoppedEarly whether early stopping ended training before the planned epochs
 */
public record TrainingHistory(List<EpochResult> epochs, int bestEpoch, boolean stoppedEarly) {

  public TrainingHistory {
    epochs = ImmutableList.copyOf(epochs);
  }

  /** The last epoch's mean loss. */
  public double finalLoss() {
    if (epochs.isEmpty()) {
      throw new IllegalStateException("no epoch completed");
    }
    return epochs.get(epochs.size() - 1).meanLoss();
  }
}
