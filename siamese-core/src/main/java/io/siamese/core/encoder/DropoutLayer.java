package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * Dropout: in training, zeroes each value with probability {@code rate} and scales the rest by
 * {@code 1 / (1 - rate)}; in inference, passes values through. Its random draws are seeded from
 * the model's seed.
 *
 * @param rate fraction dropped, in [0, 1)
 */
public record DropoutLayer(double rate) implements LayerSpec {

  public DropoutLayer {
    checkArgument(rate >= 0 && rate < 1, "dropout rate must be in [0, 1), got %s", rate);
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    return input;
  }

  @Override
  public String toString() {
    return "dropout(" + rate + ")";
  }
}
