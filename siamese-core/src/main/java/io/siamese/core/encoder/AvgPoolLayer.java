package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * Average-pooling over {@code size x size} windows moved {@code stride} pixels at a time, without
 * padding.
 *
 * @param size window side in pixels, {@code > 0}
 * @param stride step in pixels, {@code > 0}
 */
public record AvgPoolLayer(int size, int stride) implements LayerSpec {

  public AvgPoolLayer {
    checkArgument(size > 0, "average-pool size must be > 0, got %s", size);
    checkArgument(stride > 0, "average-pool stride must be > 0, got %s", stride);
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    return new MaxPoolLayer(size, stride).outputShape(input, toString());
  }

  @Override
  public String toString() {
    return "avgPool(" + size + "x" + size + ", stride " + stride + ")";
  }
}
