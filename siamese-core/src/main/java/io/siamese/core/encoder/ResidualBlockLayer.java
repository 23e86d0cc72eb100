package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * A residual block (He et al. 2016): conv 3x3 (stride) - batch norm - ReLU - conv 3x3 - batch norm,
 * added to the input, then ReLU. Where the stride or the channel count changes, the shortcut is a
 * 1x1 convolution with batch norm, so the sum is well defined.
 *
 * @param filters output channels, {@code > 0}
 * @param stride step of the first convolution and the shortcut, {@code > 0}
 */
public record ResidualBlockLayer(int filters, int stride) implements LayerSpec {

  public ResidualBlockLayer {
    checkArgument(filters > 0, "residual block filters must be > 0, got %s", filters);
    checkArgument(stride > 0, "residual block stride must be > 0, got %s", stride);
  }

  /** Whether the shortcut needs a projection to match shapes. */
  public boolean projects(ExampleShape input) {
    return stride != 1 || input.channels() != filters;
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    checkArgument(input.isImage(), "%s needs an image input, got %s", this, input);
    int h = Padding.SAME.outputSize(input.height(), 3, stride);
    int w = Padding.SAME.outputSize(input.width(), 3, stride);
    return ExampleShape.image(h, w, filters);
  }

  @Override
  public long parameterCount(ExampleShape input) {
    long n = 9L * input.channels() * filters + 9L * filters * filters + 4L * filters;
    if (projects(input)) {
      n += (long) input.channels() * filters + 2L * filters;
    }
    return n;
  }

  /** The two 3x3 convolutions and, where it projects, the 1x1 shortcut, at the output's resolution. */
  @Override
  public long forwardFlops(ExampleShape input, ExampleShape output) {
    long pixels = (long) output.height() * output.width();
    long c = input.channels();
    long f = filters;
    return 2L * pixels * (9 * c * f + 9 * f * f + (projects(input) ? c * f : 0));
  }

  @Override
  public String toString() {
    return "residualBlock(" + filters + ", stride " + stride + ")";
  }
}
