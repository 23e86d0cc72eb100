package io.siamese.bench;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.pooling.Pool;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.NormalInitializer;
import io.siamese.core.SiameseModel;

/**
 * The Conv-4 encoder in DJL on its PyTorch engine, as a Java user who picks DJL instead of this
 * library would write it: the peer baseline of {@link PeerComparisonBenchmark}. The same network
 * as {@link RawConv4}, so the same FLOPs: four blocks of 3x3 convolution with {@code filters}
 * filters, stride 1 and one pixel of zero padding (TensorFlow's SAME at 3x3), bias, ReLU and 2x2
 * max-pooling with stride 2 and no padding (TensorFlow's VALID: 28, 14, 7, 3, 1), then flatten.
 * Weights are normal with standard deviation 0.1, biases zero, as in {@link RawConv4}.
 *
 * <p>PyTorch lays images out NCHW where TensorFlow uses NHWC; with one input channel the two
 * layouts are the same bytes, and a 1x1x64 output flattens to the same 64 values. Each call
 * copies the Java array into a tensor and the embeddings back into a Java array, the contract of
 * {@code SiameseModel.embed}; every tensor of a call lives in an {@link NDManager} closed at its
 * end.
 */
final class DjlConv4 implements AutoCloseable {
  static final String ENGINE = "PyTorch";

  private final Model model;
  private final ParameterStore parameters;
  private final int side;
  private final int outputSize;

  DjlConv4(int side, int filters) {
    this.side = side;
    Engine.getEngine(ENGINE).setRandomSeed(7);
    model = Model.newInstance("djl-conv4", Device.cpu(), ENGINE);
    Block encoder = encoder(filters);
    encoder.setInitializer(new NormalInitializer(0.1f), Parameter.Type.WEIGHT);
    model.setBlock(encoder);
    encoder.initialize(model.getNDManager(), DataType.FLOAT32, new Shape(1, 1, side, side));
    parameters = new ParameterStore(model.getNDManager(), false);
    outputSize = (int) encoder.getOutputShapes(new Shape[] {new Shape(1, 1, side, side)})[0].get(1);
  }

  /** The encoder as a DJL block: input {@code [N, 1, side, side]}, output {@code [N, 64]}. */
  static SequentialBlock encoder(int filters) {
    SequentialBlock block = new SequentialBlock();
    for (int i = 0; i < 4; i++) {
      block
          .add(
              Conv2d.builder()
                  .setKernelShape(new Shape(3, 3))
                  .optPadding(new Shape(1, 1))
                  .setFilters(filters)
                  .build())
          .add(Activation.reluBlock())
          .add(Pool.maxPool2dBlock(new Shape(2, 2), new Shape(2, 2)));
    }
    return block.add(Blocks.batchFlattenBlock());
  }

  /** Embeds {@code count} images stored row-major in {@code flat}; returns {@code count * 64} floats. */
  float[] embed(float[] flat, int count) {
    try (NDManager call = model.getNDManager().newSubManager()) {
      NDArray x = call.create(flat, new Shape(count, 1, side, side));
      NDArray y = model.getBlock().forward(parameters, new NDList(x), false).singletonOrThrow();
      return y.toFloatArray();
    }
  }

  int outputSize() {
    return outputSize;
  }

  @Override
  public void close() {
    model.close();
  }
}
