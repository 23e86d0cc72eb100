package io.siamese.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.initializer.NormalInitializer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.siamese.core.SiameseModel;

/**
 * A Siamese Conv-4 training step in DJL on PyTorch, written the way DJL's own training loop
 * ({@code EasyTrain.trainBatch}) is: a {@link Trainer} with a custom loss ({@link
 * DjlContrastiveLoss}) and Adam (learning rate 1e-3, betas 0.9 and 0.999), a {@link
 * GradientCollector} around the forward pass, {@code backward} on the loss, {@code step}. Both
 * twins go through the one {@link DjlConv4#encoder} block, so they share its weights. The peer of
 * {@link RawSiameseConv4} and of {@code SiameseModel.fit} in {@link PeerComparisonBenchmark}.
 *
 * <p>Each step's tensors (inputs, activations, loss) live in an {@link NDManager} closed at the end
 * of the step; the weights, their gradients and Adam's moments live in the model's manager.
 */
final class DjlSiameseConv4 implements AutoCloseable {
  private final Model model;
  private final Trainer trainer;
  private final int side;

  DjlSiameseConv4(int side, int filters) {
    this.side = side;
    Engine.getEngine(DjlConv4.ENGINE).setRandomSeed(3);
    model = Model.newInstance("djl-siamese-conv4", Device.cpu(), DjlConv4.ENGINE);
    model.setBlock(DjlConv4.encoder(filters));
    DefaultTrainingConfig config =
        new DefaultTrainingConfig(new DjlContrastiveLoss())
            .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
            .optInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT)
            .optDevices(new Device[] {Device.cpu()});
    trainer = model.newTrainer(config);
    trainer.initialize(new Shape(1, 1, side, side));
  }

  /** One Adam step on {@code count} pairs; returns the loss before the update. */
  float step(float[] leftFlat, float[] rightFlat, float[] pairLabels, int count) {
    try (NDManager stepManager = trainer.getManager().newSubManager()) {
      Shape shape = new Shape(count, 1, side, side);
      NDArray left = stepManager.create(leftFlat, shape);
      NDArray right = stepManager.create(rightFlat, shape);
      NDArray labels = stepManager.create(pairLabels);
      float loss;
      try (GradientCollector collector = trainer.newGradientCollector()) {
        NDArray a = trainer.forward(new NDList(left)).singletonOrThrow();
        NDArray b = trainer.forward(new NDList(right)).singletonOrThrow();
        NDArray value = trainer.getLoss().evaluate(new NDList(labels), new NDList(a, b));
        collector.backward(value);
        loss = value.getFloat();
      }
      trainer.step();
      return loss;
    }
  }

  @Override
  public void close() {
    trainer.close();
    model.close();
  }
}
