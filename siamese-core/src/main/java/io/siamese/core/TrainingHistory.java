package io.siamese.core;

import com.google.common.collect.ImmutableList;
import java.util.List;

/**
 * The epochs of one {@link SiameseModel#fit} call, in order. Immutable.
 *
 * @param epochs one result per completed epoch
 */
public record TrainingHistory(List<EpochResult> epochs) {

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
