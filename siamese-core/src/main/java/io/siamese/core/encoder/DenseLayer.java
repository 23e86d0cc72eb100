package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * A fully connected layer with a bias: {@code y = x W + b}. Glorot-initialised weights, zero bias.
 *
 * @param units output size, {@code > 0}
 */
public record DenseLayer(int units) implements LayerSpec {

  public DenseLayer {
    checkArgument(units > 0, "dense units must be > 0, got %s", units);
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    checkArgument(
        !input.isImage(),
        "%s cannot follow a layer of shape %s: it needs a flat vector, add flatten() first",
        this,
        input);
    return ExampleShape.vector(units);
  }

  @Override
  public long parameterCount(ExampleShape input) {
    return (long) input.size() * units + units;
  }

  @Override
  public long forwardFlops(ExampleShape input, ExampleShape output) {
    return 2L * input.size() * units;
  }

  @Override
  public String toString() {
    return "dense(" + units + ")";
  }
}
