package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.data.PairSampler;
import java.util.Optional;

/**
 * How long and on what batches {@link SiameseModel#fit} trains: {@code epochs} of {@code
 * stepsPerEpoch} steps of {@code batchSize} pairs each, and optionally a validation sampler whose
 * pairs are scored after every epoch.
 *
 * <p>Immutable; build with {@link #builder()}.
 */
public final class TrainingConfig {
  private final int epochs;
  private final int stepsPerEpoch;
  private final int batchSize;
  private final PairSampler validation;
  private final int validationPairs;
  private final int patience;
  private final java.nio.file.Path checkpoint;
  private final BatchAugmentation augmentation;
  private final java.time.Duration timeLimit;

  private TrainingConfig(Builder b) {
    this.epochs = b.epochs;
    this.stepsPerEpoch = b.stepsPerEpoch;
    this.batchSize = b.batchSize;
    this.validation = b.validation;
    this.validationPairs = b.validationPairs;
    this.patience = b.patience;
    this.checkpoint = b.checkpoint;
    this.augmentation = b.augmentation;
    this.timeLimit = b.timeLimit;
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

  /**
   * Epochs without a better validation ROC AUC after which training stops, restoring the weights
   * of the best epoch; 0 without early stopping.
   */
  public int earlyStoppingPatience() {
    return patience;
  }

  /** Where the model is saved after every epoch that improves validation (or every epoch without it). */
  public Optional<java.nio.file.Path> checkpointDirectory() {
    return Optional.ofNullable(checkpoint);
  }

  /** Collects the settings; {@link #build()} checks them. */
  public static final class Builder {
    private int epochs;
    private int stepsPerEpoch;
    private int batchSize;
    private PairSampler validation;
    private int validationPairs;
    private int patience;
    private java.nio.file.Path checkpoint;
    private BatchAugmentation augmentation;
    private java.time.Duration timeLimit;

    private Builder() {}

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
     * Stops when validation ROC AUC has not improved for {@code patience} epochs, and restores the
     * weights of the best epoch (as Keras' {@code EarlyStopping(restore_best_weights=True)}).
     * Needs {@link #validation}.
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
      checkState(patience == 0 || validation != null, "early stopping needs validation(sampler, pairs)");
      return new TrainingConfig(this);
    }
  }
}
