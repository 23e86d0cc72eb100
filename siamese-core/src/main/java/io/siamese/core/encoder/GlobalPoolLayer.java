package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.data.ExampleShape;

/**
 * Pools each channel of an image over all its pixels: {@code h x w x c} becomes a vector of
 * {@code c} floats. The usual end of a convolutional encoder that should not depend on the input
 * size as much as {@code flatten()} does.
 *
 * @param pooling maximum or average
 */
public record GlobalPoolLayer(Pooling pooling) implements LayerSpec {

  /** How a pooling layer combines the values of a window. */
  public enum Pooling {
    MAX,
    AVERAGE
  }

  public GlobalPoolLayer {
    checkNotNull(pooling, "pooling");
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    checkArgument(input.isImage(), "%s needs an image input, got %s", this, input);
    return ExampleShape.vector(input.channels());
  }

  @Override
  public String toString() {
    return pooling == Pooling.MAX ? "globalMaxPool()" : "globalAvgPool()";
  }
}
