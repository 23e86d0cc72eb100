package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.SiameseModel;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.PairSampler;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * How long and on what batches {@link SiameseModel#fit} trains: {@code epochs} of {@code
 * stepsPerEpoch} steps of {@code batchSize} pairs each; optionally validation after every epoch
 * (pairs, N-way one-shot episodes, or both), and the policies that follow it (early stopping,
 * checkpoints) and the clock (a time limit), which run as {@link TrainingListener}s ({@link
 * #policies()}).
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class TrainingConfig {
  private final int epochs;
  private final int stepsPerEpoch;
  private final int batchSize;
  private final PairSampler validation;
  private final int validationPairs;
  private final EpisodeSampler validationEpisodes;
  private final int episodes;
  private final ValidationMetric monitor;
  private final int patience;
  private final java.nio.file.Path checkpoint;
  private final BatchAugmentation augmentation;
  private final java.time.Duration timeLimit;
  private final int nonFiniteStepsTolerated;

  private TrainingConfig(Builder b) {
    this.epochs = b.epochs;
    this.stepsPerEpoch = b.stepsPerEpoch;
    this.batchSize = b.batchSize;
    this.validation = b.validation;
    this.validationPairs = b.validationPairs;
    this.validationEpisodes = b.validationEpisodes;
    this.episodes = b.episodes;
    this.monitor = b.monitor;
    this.patience = b.patience;
    this.checkpoint = b.checkpoint;
    this.augmentation = b.augmentation;
    this.timeLimit = b.timeLimit;
    this.nonFiniteStepsTolerated = b.nonFiniteStepsTolerated;
  }

  /**
   * How many steps in a row whose loss or gradients are not finite {@code fit} skips (each applies
   * nothing) before it throws {@link TrainingDivergedException}; 0 (the default) throws at the
   * first. Skipping suits arithmetic that overflows now and then, such as float16 without loss
   * scaling; in float32 a non-finite step usually means divergence.
   */
  public int nonFiniteStepsTolerated() {
    return nonFiniteStepsTolerated;
  }

  /**
   * The training time after which {@code fit} ends: the current epoch stops after its running
   * step, is validated and counts as the last one.
   */
  public Optional<java.time.Duration> timeLimit() {
    return Optional.ofNullable(timeLimit);
  }

  /** The distortion applied to each training batch, if any. */
  public Optional<BatchAugmentation> augmentation() {
    return Optional.ofNullable(augmentation);
  }

  /** A builder; epochs, steps per epoch and batch size must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** Number of passes, {@code >= 1}. */
  public int epochs() {
    return epochs;
  }

  /** Optimizer steps per epoch, {@code >= 1}. */
  public int stepsPerEpoch() {
    return stepsPerEpoch;
  }

  /**
   * The steps of a whole run, {@code epochs() * stepsPerEpoch()}: what a decaying {@link
   * LearningRateSchedule} such as {@link LearningRateSchedule#cosineDecay} spans. A run is always
   * given in epochs of steps; for a number of steps alone, use one epoch of that many.
   */
  public long totalSteps() {
    return (long) epochs * stepsPerEpoch;
  }

  /** Pairs per step, {@code >= 1}; each step runs {@code 2 * batchSize} examples through the encoder. */
  public int batchSize() {
    return batchSize;
  }

  /** The sampler of validation pairs, if any. */
  public Optional<PairSampler> validation() {
    return Optional.ofNullable(validation);
  }

  /** Number of validation pairs scored after each epoch; 0 without validation. */
  public int validationPairs() {
    return validationPairs;
  }

  /** The sampler of validation episodes (N-way one-shot accuracy after each epoch), if any. */
  public Optional<EpisodeSampler> oneShotValidation() {
    return Optional.ofNullable(validationEpisodes);
  }

  /** Number of validation episodes scored after each epoch; 0 without episode validation. */
  public int validationEpisodes() {
    return episodes;
  }

  /**
   * The metric that decides the best epoch (early stopping, checkpoints, {@link
   * TrainingHistory#bestEpoch()}): as set with {@link Builder#monitor}, else one-shot accuracy when
   * only episodes are validated, else pair ROC AUC.
   */
  public ValidationMetric monitor() {
    return monitor;
  }

  /**
   * Epochs without a better {@link #monitor()} value after which training stops, restoring the
   * weights of the best epoch; 0 without early stopping.
   */
  public int earlyStoppingPatience() {
    return patience;
  }

  /** Where the model is saved after every epoch that improves validation (or every epoch without it). */
  public Optional<java.nio.file.Path> checkpointDirectory() {
    return Optional.ofNullable(checkpoint);
  }

  /**
   * New instances of the listeners this configuration asks for, in the order they run before any
   * listener of the caller's: {@link TimeLimit}, {@link EarlyStopping}, {@link Checkpointing}.
   */
  public List<TrainingListener> policies() {
    List<TrainingListener> policies = new ArrayList<>();
    timeLimit().ifPresent(t -> policies.add(new TimeLimit(t)));
    if (patience > 0) {
      policies.add(new EarlyStopping(patience, monitor));
    }
    checkpointDirectory().ifPresent(d -> policies.add(new Checkpointing(d, monitor)));
    return policies;
  }

  /** Collects the settings; {@link #build()} checks them. */
  public static final class Builder {
    private int epochs;
    private int stepsPerEpoch;
    private int batchSize;
    private PairSampler validation;
    private int validationPairs;
    private EpisodeSampler validationEpisodes;
    private int episodes;
    private ValidationMetric monitor;
    private int patience;
    private java.nio.file.Path checkpoint;
    private BatchAugmentation augmentation;
    private java.time.Duration timeLimit;
    private int nonFiniteStepsTolerated;

    private Builder() {}

    /**
     * Skips up to {@code consecutive} steps in a row whose loss or gradients are not finite
     * (each applies nothing, is logged and is counted in {@link EpochResult#skippedSteps()}) before
     * {@code fit} throws {@link TrainingDivergedException}; 0, the default, throws at the first.
     */
    public Builder nonFiniteStepsTolerated(int consecutive) {
      checkArgument(consecutive >= 0, "non-finite steps tolerated must be >= 0, got %s", consecutive);
      this.nonFiniteStepsTolerated = consecutive;
      return this;
    }

    /** Ends training once it has run this long, whatever the number of epochs left. */
    public Builder timeLimit(java.time.Duration limit) {
      checkState(timeLimit == null, "timeLimit was already set to %s", timeLimit);
      checkArgument(limit != null && !limit.isNegative() && !limit.isZero(), "time limit must be positive, got %s", limit);
      this.timeLimit = limit;
      return this;
    }

    /** Distorts every training batch in place, e.g. {@code Augmenter.koch2015()::apply}. */
    public Builder augmentation(BatchAugmentation augmentation) {
      checkState(this.augmentation == null, "augmentation was already set");
      checkArgument(augmentation != null, "augmentation must not be null");
      this.augmentation = augmentation;
      return this;
    }

    /** Number of epochs, {@code >= 1}. */
    public Builder epochs(int epochs) {
      checkState(this.epochs == 0, "epochs was already set to %s", this.epochs);
      checkArgument(epochs >= 1, "epochs must be >= 1, got %s", epochs);
      this.epochs = epochs;
      return this;
    }

    /** Optimizer steps per epoch, {@code >= 1}. */
    public Builder stepsPerEpoch(int steps) {
      checkState(stepsPerEpoch == 0, "stepsPerEpoch was already set to %s", stepsPerEpoch);
      checkArgument(steps >= 1, "stepsPerEpoch must be >= 1, got %s", steps);
      this.stepsPerEpoch = steps;
      return this;
    }

    /** Pairs per step, {@code >= 1}. */
    public Builder batchSize(int pairs) {
      checkState(batchSize == 0, "batchSize was already set to %s", batchSize);
      checkArgument(pairs >= 1, "batchSize must be >= 1 pair, got %s", pairs);
      this.batchSize = pairs;
      return this;
    }

    /**
     * Scores {@code pairs} pairs from {@code sampler} after every epoch (ROC AUC and accuracy).
     * Use a sampler over held-out classes to watch generalisation.
     */
    public Builder validation(PairSampler sampler, int pairs) {
      checkState(validation == null, "validation was already set");
      checkArgument(sampler != null, "validation sampler must not be null");
      checkArgument(pairs >= 2, "validation needs at least 2 pairs, got %s", pairs);
      this.validation = sampler;
      this.validationPairs = pairs;
      return this;
    }

    /**
     * Measures N-way K-shot accuracy on {@code episodes} episodes from {@code sampler} after every
     * epoch: the library's headline metric, and with {@link #monitor} the one early stopping and
     * checkpoints follow. Use a sampler over held-out classes.
     */
    public Builder validation(EpisodeSampler sampler, int episodes) {
      checkState(validationEpisodes == null, "episode validation was already set");
      checkArgument(sampler != null, "validation episode sampler must not be null");
      checkArgument(episodes >= 2, "validation needs at least 2 episodes, got %s", episodes);
      this.validationEpisodes = sampler;
      this.episodes = episodes;
      return this;
    }

    /**
     * The validation metric that decides the best epoch. Default: pair ROC AUC when pairs are
     * validated, else one-shot accuracy.
     */
    public Builder monitor(ValidationMetric metric) {
      checkState(monitor == null, "monitor was already set to %s", monitor);
      checkArgument(metric != null, "monitor must not be null");
      this.monitor = metric;
      return this;
    }

    /**
     * Stops when the validation metric ({@link #monitor}) has not improved for {@code patience}
     * epochs, and restores the weights of the best epoch (as Keras' {@code
     * EarlyStopping(restore_best_weights=True)}). Needs validation.
     */
    public Builder earlyStopping(int patience) {
      checkState(this.patience == 0, "earlyStopping was already set to %s", this.patience);
      checkArgument(patience >= 1, "early-stopping patience must be >= 1 epoch, got %s", patience);
      this.patience = patience;
      return this;
    }

    /**
     * Saves the model into {@code directory} (see {@link SiameseModel#save}) after every epoch
     * whose validation ROC AUC is the best so far, or after every epoch without validation.
     */
    public Builder checkpoint(java.nio.file.Path directory) {
      checkState(checkpoint == null, "checkpoint was already set to %s", checkpoint);
      checkArgument(directory != null, "checkpoint directory must not be null");
      this.checkpoint = directory;
      return this;
    }

    /**
     * The configuration.
     *
     * @throws IllegalStateException if epochs, steps per epoch or batch size was not set
     */
    public TrainingConfig build() {
      checkState(epochs > 0, "epochs must be set");
      checkState(stepsPerEpoch > 0, "stepsPerEpoch must be set");
      checkState(batchSize > 0, "batchSize must be set");
      if (monitor == null) {
        monitor = validation == null && validationEpisodes != null ? ValidationMetric.ONE_SHOT_ACCURACY : ValidationMetric.PAIR_ROC_AUC;
      }
      boolean monitored = monitor == ValidationMetric.PAIR_ROC_AUC ? validation != null : validationEpisodes != null;
      if (patience > 0 && !monitored) {
        throw new IllegalStateException(
            monitor == ValidationMetric.PAIR_ROC_AUC
                ? "early stopping needs validation(sampler, pairs)"
                : "early stopping on " + monitor + " needs validation(episodeSampler, episodes)");
      }
      checkState(
          monitored || (validation == null && validationEpisodes == null),
          "the monitor %s is not validated: add its validation, or monitor what is validated",
          monitor);
      return new TrainingConfig(this);
    }
  }
}
