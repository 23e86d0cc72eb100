package io.siamese.core.encoder;

import io.siamese.data.ExampleShape;

/** Flattens an image of {@code h x w x c} into a vector of {@code h * w * c} floats. */
public record FlattenLayer() implements LayerSpec {

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    return ExampleShape.vector(input.size());
  }

  @Override
  public String toString() {
    return "flatten()";
  }
}
