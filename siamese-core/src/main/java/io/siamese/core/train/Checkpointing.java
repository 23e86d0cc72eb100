package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.SiameseModel;
import java.nio.file.Path;

/**
 * Saves the model (crash-safely, as {@code SiameseModel.save}) after every epoch whose validation
 * metric is the best so far, or after every epoch when the run is not validated with it. {@link
 * TrainingConfig.Builder#checkpoint} adds one. One instance serves one {@code fit} call at a time.
 */
public final class Checkpointing implements TrainingListener {
  private final Path directory;
  private final ValidationMetric metric;
  private TrainingContext context;
  private double best;

  /**
   * @param directory where to save; replaced by each save
   * @param metric what "best" means
   */
  public Checkpointing(Path directory, ValidationMetric metric) {
    this.directory = checkNotNull(directory, "directory");
    this.metric = checkNotNull(metric, "metric");
  }

  @Override
  public void onTrainingStart(TrainingContext training) {
    this.context = training;
    this.best = Double.NaN;
  }

  @Override
  public void onEpochEnd(EpochResult epoch) {
    if (metric.improves(epoch, best)) {
      best = metric.of(epoch).orElse(Double.NaN);
      context.save(directory);
    }
  }
}
