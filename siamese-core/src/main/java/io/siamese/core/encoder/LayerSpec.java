package io.siamese.core.encoder;

import io.siamese.data.ExampleShape;

/**
 * One layer of an {@link EncoderSpec}: a pure description, with no TensorFlow state, so that a
 * specification can be compared, printed, saved and rebuilt into any graph.
 */
public sealed interface LayerSpec
    permits Conv2dLayer,
        MaxPoolLayer,
        AvgPoolLayer,
        GlobalPoolLayer,
        FlattenLayer,
        DenseLayer,
        ActivationLayer,
        BatchNormLayer,
        DropoutLayer,
        L2NormalizeLayer,
        ResidualBlockLayer,
        ResNet12BlockLayer {

  /**
   * The shape this layer produces from {@code input}.
   *
   * @throws IllegalArgumentException if this layer cannot follow a layer of shape {@code input};
   *     the message names both
   */
  ExampleShape outputShape(ExampleShape input);

  /** Number of trainable floats this layer holds on an input of shape {@code input}. */
  default long parameterCount(ExampleShape input) {
    return 0;
  }

  /**
   * Floating-point operations of one example's forward pass through this layer: 2 x the
   * multiply-adds of its convolutions and matrix products, the literature's convention; biases,
   * batch norm, activations and pooling count as 0 (under 1% of an encoder).
   */
  default long forwardFlops(ExampleShape input, ExampleShape output) {
    return 0;
  }
}
