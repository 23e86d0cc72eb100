package io.siamese.core.train;

import com.google.common.collect.ImmutableList;
import io.siamese.core.SiameseModel;
import java.util.List;

/**
 * The epochs of one {@link SiameseModel#fit} call, in order. Immutable.
 *
 * @param epochs one result per completed epoch
 * @param bestEpoch the epoch (from 1) with the best value of the configured {@link
 *     ValidationMetric} (the first of equal ones), or the last epoch without validation; with early
 *     stopping, the model holds this epoch's weights
 * @param stoppedEarly whether early stopping ended training before the planned epochs
 */
public record TrainingHistory(List<EpochResult> epochs, int bestEpoch, boolean stoppedEarly) {

  public TrainingHistory {
    epochs = ImmutableList.copyOf(epochs);
  }

  /** The history of {@code epochs}, its best epoch decided by {@code metric}. */
  public static TrainingHistory of(List<EpochResult> epochs, ValidationMetric metric, boolean stoppedEarly) {
    int best = 0;
    double bestValue = Double.NaN;
    for (EpochResult e : epochs) {
      if (metric.improves(e, bestValue)) {
        bestValue = metric.of(e).orElse(Double.NaN);
        best = e.epoch();
      }
    }
    return new TrainingHistory(epochs, best, stoppedEarly);
  }

  /** The last epoch's mean loss. */
  public double finalLoss() {
    if (epochs.isEmpty()) {
      throw new IllegalStateException("no epoch completed");
    }
    return epochs.get(epochs.size() - 1).meanLoss();
  }
}
