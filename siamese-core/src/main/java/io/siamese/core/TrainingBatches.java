package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.internal.Checks;
import io.siamese.core.train.TrainingConfig;

import io.siamese.data.ClassBatchSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.PairSampler;
import io.siamese.data.PkBatch;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.TripletBatch;
import io.siamese.data.TripletSampler;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.PairLabelConvention;

/**
 * One sampler as the source of a training run's batches: each {@link #next()} draws a batch of
 * indices and gathers its examples (in the layout of its {@link BatchKind}) and labels into
 * buffers reused from step to step. One implementation per kind of sampler.
 */
abstract class TrainingBatches {
  final BatchKind kind;
  final LabeledDataset data;
  /** Pairs, examples or triplets per step. */
  final int items;
  /** The step's examples, row-major: {@code items * kind.examplesPerItem} of them. */
  final float[] examples;
  /** One label per pair ({@link BatchKind#PAIRS}); empty otherwise. */
  final float[] pairLabels;
  /** One class per example ({@link BatchKind#LABELLED}); set by {@link #next()}. */
  int[] classLabels = new int[0];

  private TrainingBatches(BatchKind kind, LabeledDataset data, int items) {
    this.kind = kind;
    this.data = data;
    this.items = items;
    this.examples = new float[items * kind.examplesPerItem * data.featureSize()];
    this.pairLabels = new float[kind == BatchKind.PAIRS ? items : 0];
  }

  /** Examples fed per step. */
  int examplesPerStep() {
    return items * kind.examplesPerItem;
  }

  /** Draws and gathers the next batch. */
  abstract void next();

  /**
   * Checks that {@code binding} trains on batches of {@code kind}, naming the {@code fit} that
   * fits it otherwise, and that {@code examples} of the sampler's examples fit in one array.
   */
  private static void check(LossBinding binding, BatchKind kind, long examples, LabeledDataset data, String what) {
    checkState(
        binding.batchKind() == kind,
        "this model trains with the loss %s on %s: use %s",
        binding.loss(), binding.batchKind().items, binding.batchKind().fit);
    Checks.fitsInArray(examples, data.featureSize(), what);
  }

  static TrainingBatches pairs(PairSampler sampler, TrainingConfig config, LossBinding binding) {
    checkNotNull(sampler, "sampler");
    int pairs = checkNotNull(config, "config").batchSize();
    check(binding, BatchKind.PAIRS, 2L * pairs, sampler.dataset(), "batchSize " + pairs + " pairs");
    PairLabelConvention convention = binding.labelConvention();
    return new TrainingBatches(BatchKind.PAIRS, sampler.dataset(), pairs) {
      @Override
      void next() {
        PairBatch batch = sampler.next(items);
        checkState(batch.size() == items, "sampler returned %s pairs, asked for %s", batch.size(), items);
        data.gather(batch.leftIndices(), examples, 0);
        data.gather(batch.rightIndices(), examples, items * data.featureSize());
        for (int i = 0; i < items; i++) {
          pairLabels[i] = convention.encode(batch.isSame(i));
        }
      }
    };
  }

  static TrainingBatches labelled(PkBatchSampler sampler, TrainingConfig config, LossBinding binding) {
    checkNotNull(sampler, "sampler");
    check(binding, BatchKind.LABELLED, sampler.batchSize(), sampler.dataset(), "a P x K batch of " + sampler.batchSize() + " examples");
    checkArgument(
        checkNotNull(config, "config").batchSize() == sampler.batchSize(),
        "batchSize is %s but the P x K sampler makes batches of %s x %s = %s examples",
        config.batchSize(), sampler.classesPerBatch(), sampler.examplesPerClass(), sampler.batchSize());
    return new TrainingBatches(BatchKind.LABELLED, sampler.dataset(), sampler.batchSize()) {
      @Override
      void next() {
        PkBatch batch = sampler.next();
        data.gather(batch.indices(), examples, 0);
        classLabels = batch.labels();
      }
    };
  }

  static TrainingBatches classes(ClassBatchSampler sampler, TrainingConfig config, LossBinding binding) {
    checkNotNull(sampler, "sampler");
    check(binding, BatchKind.CLASSES, sampler.batchSize(), sampler.dataset(), "a batch of " + sampler.batchSize() + " examples");
    int classes = ((LearnedParameterLoss) binding.loss()).classes();
    checkArgument(
        sampler.classCount() == classes,
        "the sampler draws from %s classes but the loss %s has weights for %s; build the loss with classes(%s)",
        sampler.classCount(), binding.loss(), classes, sampler.classCount());
    checkArgument(
        checkNotNull(config, "config").batchSize() == sampler.batchSize(),
        "batchSize is %s but the sampler makes batches of %s", config.batchSize(), sampler.batchSize());
    return new TrainingBatches(BatchKind.CLASSES, sampler.dataset(), sampler.batchSize()) {
      @Override
      void next() {
        ClassBatchSampler.Batch batch = sampler.next();
        data.gather(batch.indices(), examples, 0);
        classLabels = batch.classIds();
      }
    };
  }

  static TrainingBatches triplets(TripletSampler sampler, TrainingConfig config, LossBinding binding) {
    checkNotNull(sampler, "sampler");
    int triplets = checkNotNull(config, "config").batchSize();
    check(binding, BatchKind.TRIPLETS, 3L * triplets, sampler.dataset(), "batchSize " + triplets + " triplets");
    return new TrainingBatches(BatchKind.TRIPLETS, sampler.dataset(), triplets) {
      @Override
      void next() {
        TripletBatch batch = sampler.next(items);
        checkState(batch.size() == items, "sampler returned %s triplets, asked for %s", batch.size(), items);
        int block = items * data.featureSize();
        data.gather(batch.anchorIndices(), examples, 0);
        data.gather(batch.positiveIndices(), examples, block);
        data.gather(batch.negativeIndices(), examples, 2 * block);
      }
    };
  }
}
