package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import io.siamese.core.SiameseModel;
import io.siamese.data.ExampleShape;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of one twin encoder: an input shape and a list of layers that map an example
 * to an embedding vector. A pure description, separate from the {@link SiameseModel} that runs
 * it: build it once, compare it, print it, and hand it to as many models as you like.
 *
 * <pre>{@code
 * EncoderSpec spec = EncoderSpec.builder(ExampleShape.image(28, 28, 1))
 *     .conv2d(32, 3).relu().maxPool(2)
 *     .conv2d(64, 3).relu().maxPool(2)
 *     .flatten().dense(64)
 *     .build();
 * }</pre>
 *
 * <p>Shapes are checked as the builder goes: a layer that cannot follow the one before fails at
 * once with a message naming both shapes. Immutable and thread-safe.
 */
public final class EncoderSpec {
  private final ExampleShape inputShape;
  private final ImmutableList<LayerSpec> layers;
  private final ImmutableList<ExampleShape> shapes;

  private EncoderSpec(ExampleShape inputShape, List<LayerSpec> layers, List<ExampleShape> shapes) {
    this.inputShape = inputShape;
    this.layers = ImmutableList.copyOf(layers);
    this.shapes = ImmutableList.copyOf(shapes);
  }

  /** A builder for an encoder of examples of {@code inputShape}. */
  public static Builder builder(ExampleShape inputShape) {
    return new Builder(inputShape);
  }

  /**
   * The Conv-4 encoder of the few-shot literature (Vinyals et al. 2016, Snell et al. 2017) without
   * batch normalisation: four blocks of (conv 3x3, {@code filters} filters, SAME, ReLU, max-pool
   * 2x2), then flatten. At 28x28x1 with 64 filters the embedding has 64 floats.
   *
   * @param inputShape an image of at least 16x16 pixels
   * @param filters filters per convolution, e.g. 64
   */
  public static EncoderSpec conv4(ExampleShape inputShape, int filters) {
    return conv4(inputShape, filters, false);
  }

  /**
   * The Conv-4 encoder, with batch normalisation after each convolution when {@code batchNorm}
   * (conv - BN - ReLU - pool, as in Snell et al. 2017).
   */
  public static EncoderSpec conv4(ExampleShape inputShape, int filters, boolean batchNorm) {
    Builder b = builder(inputShape);
    for (int block = 0; block < 4; block++) {
      b.conv2d(filters, 3);
      if (batchNorm) {
        b.batchNorm();
      }
      b.relu().maxPool(2);
    }
    return b.flatten().build();
  }

  /**
   * The Siamese network of Koch, Zemel and Salakhutdinov (2015) for 105x105 Omniglot images: conv
   * 64@10x10 - pool - conv 128@7x7 - pool - conv 128@4x4 - pool - conv 256@4x4 (all ReLU, VALID),
   * flatten, dense 4096 with sigmoid. About 38.9 million parameters at 105x105.
   *
   * @param inputShape a grayscale image, 105x105x1 in the paper; at least 77x77
   */
  public static EncoderSpec koch(ExampleShape inputShape) {
    return builder(inputShape)
        .conv2d(64, 10, 1, Padding.VALID).relu().maxPool(2)
        .conv2d(128, 7, 1, Padding.VALID).relu().maxPool(2)
        .conv2d(128, 4, 1, Padding.VALID).relu().maxPool(2)
        .conv2d(256, 4, 1, Padding.VALID).relu()
        .flatten()
        .dense(4096).sigmoid()
        .build();
  }

  /**
   * ResNet-12, the few-shot standard (Oreshkin et al. 2018; Lee et al. 2019): four {@link
   * ResNet12BlockLayer}s of the given widths, each halving the image, then global average pooling:
   * the embedding has {@code widths[3]} floats. The literature's widths are 64, 160, 320, 640
   * ({@link #resnet12(ExampleShape)}); narrower ones train faster on a few cores.
   *
   * @param inputShape an image of at least 16x16 pixels
   * @param widths four channel counts
   */
  public static EncoderSpec resnet12(ExampleShape inputShape, int... widths) {
    checkArgument(widths.length == 4, "ResNet-12 has 4 blocks, got %s widths", widths.length);
    Builder b = builder(inputShape);
    for (int w : widths) {
      b.add(new ResNet12BlockLayer(w));
    }
    return b.globalAvgPool().build();
  }

  /** ResNet-12 with the literature's widths 64, 160, 320, 640 (640-float embeddings). */
  public static EncoderSpec resnet12(ExampleShape inputShape) {
    return resnet12(inputShape, 64, 160, 320, 640);
  }

  /** Shape of one input example. */
  public ExampleShape inputShape() {
    return inputShape;
  }

  /** The layers, input first. */
  public List<LayerSpec> layers() {
    return layers;
  }

  /** The shape after each layer; element {@code i} is the output of {@code layers().get(i)}. */
  public List<ExampleShape> layerOutputShapes() {
    return shapes;
  }

  /** Shape of the embedding: always a vector. */
  public ExampleShape outputShape() {
    return shapes.get(shapes.size() - 1);
  }

  /** Number of floats in one embedding. */
  public int embeddingSize() {
    return outputShape().size();
  }

  /** Number of trainable floats. */
  public long parameterCount() {
    long n = 0;
    ExampleShape in = inputShape;
    for (int i = 0; i < layers.size(); i++) {
      n += layers.get(i).parameterCount(in);
      in = shapes.get(i);
    }
    return n;
  }

  /**
   * Floating-point operations of one example's forward pass: 2 x the multiply-adds of the
   * convolutions and dense layers (see {@link LayerSpec#forwardFlops}). Conv-4 at 28x28x1 with 64
   * filters: 19,630,080 (19.6 MFLOP); the Koch network at 105x105x1: 1.82 GFLOP.
   */
  public long forwardFlopsPerExample() {
    long n = 0;
    ExampleShape in = inputShape;
    for (int i = 0; i < layers.size(); i++) {
      n += layers.get(i).forwardFlops(in, shapes.get(i));
      in = shapes.get(i);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof EncoderSpec other
        && inputShape.equals(other.inputShape)
        && layers.equals(other.layers);
  }

  @Override
  public int hashCode() {
    return 31 * inputShape.hashCode() + layers.hashCode();
  }

  /** One line per layer with its output shape, like Keras' {@code summary()}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder("EncoderSpec(input ").append(inputShape);
    for (int i = 0; i < layers.size(); i++) {
      s.append("\n  ").append(layers.get(i)).append(" -> ").append(shapes.get(i));
    }
    return s.append("\n  ").append(parameterCount()).append(" parameters)").toString();
  }

  /**
   * Adds layers one by one, checking each against the shape before it. Not thread-safe; {@link
   * #build()} may be called once.
   */
  public static final class Builder {
    private final ExampleShape inputShape;
    private final List<LayerSpec> layers = new ArrayList<>();
    private final List<ExampleShape> shapes = new ArrayList<>();
    private ExampleShape current;
    private boolean built;

    private Builder(ExampleShape inputShape) {
      this.inputShape = checkNotNull(inputShape, "inputShape");
      this.current = inputShape;
    }

    /** Adds any layer; the typed methods below are shorthands for this. */
    public Builder add(LayerSpec layer) {
      checkNotNull(layer, "layer");
      checkState(!built, "build() was already called on this builder");
      ExampleShape out = layer.outputShape(current);
      layers.add(layer);
      shapes.add(out);
      current = out;
      return this;
    }

    /** A {@code kernel x kernel} convolution, stride 1, SAME padding. */
    public Builder conv2d(int filters, int kernel) {
      return add(new Conv2dLayer(filters, kernel, 1, Padding.SAME));
    }

    /** A {@code kernel x kernel} convolution with the given stride and padding. */
    public Builder conv2d(int filters, int kernel, int stride, Padding padding) {
      return add(new Conv2dLayer(filters, kernel, stride, padding));
    }

    /** Max-pooling over {@code size x size} windows with stride {@code size}. */
    public Builder maxPool(int size) {
      return add(new MaxPoolLayer(size, size));
    }

    /** Max-pooling over {@code size x size} windows with the given stride. */
    public Builder maxPool(int size, int stride) {
      return add(new MaxPoolLayer(size, stride));
    }

    /** Average-pooling over {@code size x size} windows with stride {@code size}. */
    public Builder avgPool(int size) {
      return add(new AvgPoolLayer(size, size));
    }

    /** The maximum of each channel over the whole image: {@code h x w x c} becomes {@code c}. */
    public Builder globalMaxPool() {
      return add(new GlobalPoolLayer(GlobalPoolLayer.Pooling.MAX));
    }

    /** The mean of each channel over the whole image: {@code h x w x c} becomes {@code c}. */
    public Builder globalAvgPool() {
      return add(new GlobalPoolLayer(GlobalPoolLayer.Pooling.AVERAGE));
    }

    /** Batch normalisation with momentum 0.99 and epsilon 1e-3 (Keras' defaults). */
    public Builder batchNorm() {
      return add(new BatchNormLayer(0.99, 1e-3));
    }

    /** Batch normalisation with the given moving-average momentum and epsilon. */
    public Builder batchNorm(double momentum, double epsilon) {
      return add(new BatchNormLayer(momentum, epsilon));
    }

    /** Dropout of {@code rate} of the values in training. */
    public Builder dropout(double rate) {
      return add(new DropoutLayer(rate));
    }

    /** Scales each embedding to unit length. */
    public Builder l2Normalize() {
      return add(new L2NormalizeLayer());
    }

    /** A ResNet-12 block of {@code filters} channels; it halves the image (see {@link ResNet12BlockLayer}). */
    public Builder resnet12Block(int filters) {
      return add(new ResNet12BlockLayer(filters));
    }

    /** A residual block of {@code filters} channels; {@code stride} 2 halves the image. */
    public Builder residualBlock(int filters, int stride) {
      return add(new ResidualBlockLayer(filters, stride));
    }

    /** Leaky ReLU with slope 0.2 below zero. */
    public Builder leakyRelu() {
      return add(new ActivationLayer(Activation.LEAKY_RELU));
    }

    /** ELU activation. */
    public Builder elu() {
      return add(new ActivationLayer(Activation.ELU));
    }

    /** Any activation. */
    public Builder activation(Activation activation) {
      return add(new ActivationLayer(activation));
    }

    /** Flattens an image into a vector. */
    public Builder flatten() {
      return add(new FlattenLayer());
    }

    /** A fully connected layer of {@code units} outputs. */
    public Builder dense(int units) {
      return add(new DenseLayer(units));
    }

    /** ReLU activation. */
    public Builder relu() {
      return add(new ActivationLayer(Activation.RELU));
    }

    /** Sigmoid activation. */
    public Builder sigmoid() {
      return add(new ActivationLayer(Activation.SIGMOID));
    }

    /** Tanh activation. */
    public Builder tanh() {
      return add(new ActivationLayer(Activation.TANH));
    }

    /** The shape the next layer will receive. */
    public ExampleShape currentShape() {
      return current;
    }

    /**
     * The specification.
     *
     * @throws IllegalStateException if there are no layers or the last shape is not a vector
     */
    public EncoderSpec build() {
      checkState(!built, "build() was already called on this builder");
      checkState(!layers.isEmpty(), "an encoder needs at least one layer");
      checkState(
          !current.isImage(),
          "an encoder must end in a vector, but its output is %s: add flatten() or a global pooling",
          current);
      checkArgument(current.size() > 0, "empty embedding");
      built = true;
      return new EncoderSpec(inputShape, layers, shapes);
    }
  }
}
