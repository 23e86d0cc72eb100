package io.siamese.examples;

import io.siamese.core.SiameseModel;
import io.siamese.core.SiameseModelBuilder;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.MaxPoolLayer;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.Augmenter;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ClassBatchSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;

/** How {@link OmniglotOneShot} builds and trains its model from the options. */
final class OmniglotTraining {
  private OmniglotTraining() {}

  /** The encoder the options name, with the linear embedding head when {@code --embedding} asks for one. */
  static EncoderSpec encoder(OmniglotOptions o, ExampleShape shape) {
    EncoderSpec spec = encoder(o.encoder(), o.filters(), o.widths(), o.embedding(), o.headBatchNorm(), shape);
    if (o.dropout() == 0) {
      return spec;
    }
    // After every block's pooling but the last: dropout on the embedding itself collapsed training
    // at once (every embedding equal, docs/examples.md).
    EncoderSpec.Builder b = EncoderSpec.builder(shape);
    List<LayerSpec> layers = spec.layers();
    int lastPool = -1;
    for (int i = 0; i < layers.size(); i++) {
      if (layers.get(i) instanceof MaxPoolLayer) {
        lastPool = i;
      }
    }
    for (int i = 0; i < layers.size(); i++) {
      b.add(layers.get(i));
      if (layers.get(i) instanceof MaxPoolLayer && i != lastPool) {
        b.dropout(o.dropout());
      }
    }
    return b.build();
  }

  /**
   * Conv-4 with batch norm ({@code filters} wide), ResNet-12 ({@code widths}) or Koch et al.'s
   * network, then a linear layer of {@code embedding} units (none if 0), with batch norm if {@code
   * headBatchNorm}.
   */
  static EncoderSpec encoder(String name, int filters, int[] widths, int embedding, boolean headBatchNorm, ExampleShape shape) {
    EncoderSpec backbone = switch (name) {
      case "koch" -> EncoderSpec.koch(shape);
      case "resnet12" -> EncoderSpec.resnet12(shape, widths);
      default -> EncoderSpec.conv4(shape, filters, true);
    };
    if (embedding == 0) {
      return backbone;
    }
    EncoderSpec.Builder b = EncoderSpec.builder(shape);
    for (LayerSpec layer : backbone.layers()) {
      b.add(layer);
    }
    b.dense(embedding);
    if (headBatchNorm) {
      b.batchNorm();
    }
    return b.build();
  }

  /** A new model for {@code classes} training classes. */
  static SiameseModel build(OmniglotOptions o, ExampleShape shape, int classes) {
    SiameseModelBuilder builder =
        SiameseModel.builder()
            .encoder(encoder(o, shape))
            .optimizer(o.cosine()
                // Annealed to zero over the step cap: the last epochs fine-tune at a small rate.
                ? OptimizerSpec.adam(LearningRateSchedule.cosineDecay(1e-3, o.steps(), 0))
                : OptimizerSpec.adam(1e-3))
            .seed(o.seed())
            .precision(o.precision());
    Losses.apply(builder, o.loss(), o.margin(), o.scale(), classes);
    return builder.build();
  }

  /**
   * Trains with the batches the loss needs: P x K batches of 4 drawings per character for the
   * mining losses, pairs for contrastive, batches over all training classes for the losses with
   * class weights; validation on 2,000 pairs of the validation alphabet after each epoch, early
   * stopping with patience 8.
   */
  static TrainingHistory fit(SiameseModel model, OmniglotOptions o, LabeledDataset train, LabeledDataset validation,
      int stepsPerEpoch, PrintStream out) {
    TrainingConfig.Builder config =
        TrainingConfig.builder()
            .epochs(o.steps() > 0 ? (o.steps() + stepsPerEpoch - 1) / stepsPerEpoch : 1000)
            .stepsPerEpoch(stepsPerEpoch)
            .validation(BalancedPairSampler.of(validation, o.seed() + 1), 2000)
            .earlyStopping(8)
            .timeLimit(Duration.ofSeconds(Math.round(o.minutes() * 60)));
    if (o.augment()) {
      config.augmentation(Augmenter.koch2015()::apply);
    }
    ConsoleProgressListener progress = new ConsoleProgressListener(out);
    if (Losses.learnsClassWeights(o.loss())) {
      ClassBatchSampler sampler = ClassBatchSampler.builder(train).batchSize(o.batch()).seed(o.seed()).build();
      return model.fit(sampler, config.batchSize(o.batch()).build(), progress);
    }
    if (Losses.minesBatches(o.loss())) {
      // 32 characters x 4 drawings by default: 128 examples per step, as many as 64 pairs have.
      PkBatchSampler sampler = PkBatchSampler.builder(train).classesPerBatch(o.batch() / 4).examplesPerClass(4).seed(o.seed()).build();
      return model.fit(sampler, config.batchSize(o.batch()).build(), progress);
    }
    return model.fit(BalancedPairSampler.of(train, o.seed()), config.batchSize(o.batch() / 2).build(), progress);
  }
}
