package io.siamese.core;

import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.evaluation.RocPoint;
import io.siamese.core.train.BatchAugmentation;
import io.siamese.core.train.BatchResult;
import io.siamese.core.train.EpochResult;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingContext;
import io.siamese.core.train.TrainingDivergedException;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * One {@code fit} call: epochs of steps drawn from the batches, validation after each epoch, and
 * the listeners told of everything. Policies (time limit, early stopping, checkpoints) are
 * listeners too ({@link TrainingConfig#policies()}, run first); this loop only asks them whether
 * to stop, through the {@link TrainingContext} it is.
 */
final class TrainingLoop implements TrainingContext {
  private static final System.Logger LOG = System.getLogger(TrainingLoop.class.getName());
  private final SiameseModel model;
  private final ModelTrainer trainer;
  private final TrainingBatches batches;
  private final TrainingConfig config;
  private final List<TrainingListener> listeners;
  private final SplittableRandom augmentationRandom;
  private long start;
  private boolean stop;

  TrainingLoop(
      SiameseModel model, ModelTrainer trainer, TrainingBatches batches, TrainingConfig config, List<TrainingListener> user,
      SplittableRandom random) {
    this.model = model;
    this.trainer = trainer;
    this.batches = batches;
    this.config = config;
    this.listeners = new ArrayList<>(config.policies());
    this.listeners.addAll(user);
    this.augmentationRandom = random;
  }

  TrainingHistory run() {
    start = System.nanoTime();
    listeners.forEach(l -> l.onTrainingStart(this));
    BatchAugmentation augmentation = config.augmentation().orElse(null);
    List<EpochResult> epochs = new ArrayList<>();
    boolean stoppedEarly = false;
    int tolerated = config.nonFiniteStepsTolerated();
    int nonFiniteInARow = 0;
    for (int epoch = 1; epoch <= config.epochs() && !stop; epoch++) {
      double lossSum = 0;
      int steps = 0;
      int applied = 0;
      int skipped = 0;
      for (int step = 1; step <= config.stepsPerEpoch() && !stop; step++) {
        double rate = trainer.scheduledRate();
        batches.next();
        if (augmentation != null) {
          augmentation.apply(batches.examples, batches.examplesPerStep(), batches.data.shape(), augmentationRandom);
        }
        double loss = trainer.runStep(batches, (float) rate);
        steps = step;
        if (!Double.isFinite(loss)) {
          // The step changed nothing (ModelGraph's check gates every update).
          if (nonFiniteInARow >= tolerated) {
            throw new TrainingDivergedException(epoch, step, loss, nonFiniteInARow);
          }
          nonFiniteInARow++;
          skipped++;
          LOG.log(System.Logger.Level.DEBUG, "epoch {0}, step {1}: loss or gradients not finite; step skipped", epoch, step);
          continue;
        }
        nonFiniteInARow = 0;
        trainer.stepApplied(rate);
        lossSum += loss;
        applied++;
        BatchResult result =
            new BatchResult(
                epoch, config.epochs(), step, config.stepsPerEpoch(), loss, batches.items, elapsedNanos(),
                batches.kind == BatchKind.PAIRS, (float) rate);
        listeners.forEach(l -> l.onBatchEnd(result));
      }
      Optional<PairMetrics> pairs = config.validation().map(v -> model.evaluatePairs(v, config.validationPairs()));
      Optional<OneShotResult> oneShot = config.oneShotValidation().map(v -> model.evaluateOneShot(v, config.validationEpisodes()));
      if (pairs.isPresent()) {
        warnIfCollapsed(epoch, pairs.get());
      }
      if (skipped > 0) {
        LOG.log(System.Logger.Level.WARNING,
            "epoch {0}: {1} of {2} steps skipped: their loss or gradients were not finite", epoch, skipped, steps);
      }
      double meanLoss = applied == 0 ? Double.NaN : lossSum / applied;
      EpochResult result = new EpochResult(epoch, config.epochs(), meanLoss, pairs, oneShot, elapsedNanos(), skipped);
      epochs.add(result);
      listeners.forEach(l -> l.onEpochEnd(result));
      stoppedEarly = stop && (epoch < config.epochs() || steps < config.stepsPerEpoch());
    }
    TrainingHistory history = TrainingHistory.of(epochs, config.monitor(), stoppedEarly);
    listeners.forEach(l -> l.onTrainingEnd(history));
    return history;
  }

  /**
   * Warns when every validation pair lies at one distance: the encoder maps every example to the
   * same point, its gradients are zero, and the epochs that follow learn nothing. Seen on Omniglot
   * with dropout on the embedding itself (docs/examples.md); dead ReLUs or a learning rate that
   * is too large do the same.
   */
  private static void warnIfCollapsed(int epoch, PairMetrics pairs) {
    List<RocPoint> curve = pairs.rocCurve();
    // The curve's first point lies below every distance; one more point means one distance.
    if (curve.size() == 2) {
      LOG.log(System.Logger.Level.WARNING,
          "epoch {0}: all {1} validation pairs lie at the same distance ({2}): the encoder maps every example to one point "
              + "(a collapse; its gradients are zero, so training will not recover). Seen with dropout on the embedding itself, "
              + "dead ReLUs or too large a learning rate",
          epoch, pairs.size(), curve.get(1).threshold());
    }
  }

  @Override
  public TrainingConfig config() {
    return config;
  }

  @Override
  public long elapsedNanos() {
    return System.nanoTime() - start;
  }

  @Override
  public void requestStop() {
    stop = true;
  }

  @Override
  public boolean stopRequested() {
    return stop;
  }

  @Override
  public ModelWeights weights() {
    return model.weights();
  }

  @Override
  public void restoreWeights(ModelWeights weights) {
    model.setWeights(weights);
  }

  @Override
  public void save(Path directory) {
    model.save(directory);
  }
}
