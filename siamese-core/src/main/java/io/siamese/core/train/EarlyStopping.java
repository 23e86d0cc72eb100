package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.ModelWeights;

/**
 * Stops training when the validation metric has not improved for {@code patience} epochs, and
 * then restores the weights of the best epoch (as Keras' {@code
 * EarlyStopping(restore_best_weights=True)}). {@link TrainingConfig.Builder#earlyStopping} adds
 * one; add one yourself to combine it with other listeners in another order.
 *
 * <p>Keeps a copy of the best epoch's weights in the heap. One instance serves one {@code fit}
 * call at a time.
 */
public final class EarlyStopping implements TrainingListener {
  private static final System.Logger LOG = System.getLogger(EarlyStopping.class.getName());

  private final int patience;
  private final ValidationMetric metric;
  private TrainingContext context;
  private double best;
  private int bestEpoch;
  private ModelWeights bestWeights;

  /**
   * @param patience epochs without improvement before stopping, {@code >= 1}
   * @param metric what "improvement" means; the training configuration must validate with it
   */
  public EarlyStopping(int patience, ValidationMetric metric) {
    checkArgument(patience >= 1, "early-stopping patience must be >= 1 epoch, got %s", patience);
    this.patience = patience;
    this.metric = checkNotNull(metric, "metric");
  }

  @Override
  public void onTrainingStart(TrainingContext training) {
    this.context = training;
    this.best = Double.NaN;
    this.bestEpoch = 0;
    this.bestWeights = null;
  }

  @Override
  public void onEpochEnd(EpochResult epoch) {
    if (metric.improves(epoch, best)) {
      best = metric.of(epoch).orElse(Double.NaN);
      bestEpoch = epoch.epoch();
      bestWeights = context.weights();
    } else if (epoch.epoch() - bestEpoch >= patience) {
      context.requestStop();
    }
  }

  @Override
  public void onTrainingEnd(TrainingHistory history) {
    if (bestWeights != null && bestEpoch != history.epochs().size()) {
      context.restoreWeights(bestWeights);
      LOG.log(System.Logger.Level.INFO, "restored the weights of epoch {0}, the best on validation", bestEpoch);
    }
    bestWeights = null;
  }
}
