package io.siamese.core.train;

import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import java.util.OptionalDouble;

/**
 * The validation figure that decides which epoch is best, for early stopping, checkpoints and
 * {@link TrainingHistory#bestEpoch()}: higher is better for both.
 */
public enum ValidationMetric {
  /** ROC AUC of the validation pairs ({@link TrainingConfig.Builder#validation(io.siamese.data.PairSampler, int)}). */
  PAIR_ROC_AUC {
    @Override
    public OptionalDouble of(EpochResult epoch) {
      return epoch.validation().map(PairMetrics::rocAuc).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }
  },
  /**
   * N-way one-shot accuracy on the validation episodes ({@link
   * TrainingConfig.Builder#validation(io.siamese.data.EpisodeSampler, int)}): the library's headline
   * metric.
   */
  ONE_SHOT_ACCURACY {
    @Override
    public OptionalDouble of(EpochResult epoch) {
      return epoch.oneShotValidation().map(OneShotResult::accuracy).map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }
  };

  /** This metric's value for {@code epoch}, empty when the epoch was not validated so. */
  public abstract OptionalDouble of(EpochResult epoch);

  /**
   * Whether {@code epoch} beats the best value so far ({@code NaN} before any): strictly higher,
   * or, when the epoch has no value for this metric (no validation), always: then every epoch is
   * the best so far and the last one wins.
   */
  public boolean improves(EpochResult epoch, double bestSoFar) {
    OptionalDouble v = of(epoch);
    return v.isEmpty() || Double.isNaN(bestSoFar) || v.getAsDouble() > bestSoFar;
  }
}
