package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.data.ExampleShape;

/**
 * A 2-D convolution with a bias: {@code filters} square kernels of {@code kernel x kernel}
 * pixels, moved {@code stride} pixels at a time. He-initialised kernels, zero biases.
 *
 * @param filters output channels, {@code > 0}
 * @param kernel kernel side in pixels, {@code > 0}
 * @param stride step in pixels, {@code > 0}
 * @param padding border handling
 */
public record Conv2dLayer(int filters, int kernel, int stride, Padding padding) implements LayerSpec {

  public Conv2dLayer {
    checkArgument(filters > 0, "conv2d filters must be > 0, got %s", filters);
    checkArgument(kernel > 0, "conv2d kernel must be > 0, got %s", kernel);
    checkArgument(stride > 0, "conv2d stride must be > 0, got %s", stride);
    checkNotNull(padding, "padding");
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    checkArgument(
        input.isImage(), "%s needs an image input (height x width x channels), got %s", this, input);
    int h = padding.outputSize(input.height(), kernel, stride);
    int w = padding.outputSize(input.width(), kernel, stride);
    checkArgument(
        h > 0 && w > 0,
        "%s cannot follow a layer of shape %s: the %sx%s kernel is larger than the input",
        this,
        input,
        kernel,
        kernel);
    return ExampleShape.image(h, w, filters);
  }

  @Override
  public long parameterCount(ExampleShape input) {
    return (long) kernel * kernel * input.channels() * filters + filters;
  }

  @Override
  public long forwardFlops(ExampleShape input, ExampleShape output) {
    return 2L * output.height() * output.width() * filters * kernel * kernel * input.channels();
  }

  @Override
  public String toString() {
    return "conv2d(" + filters + ", " + kernel + "x" + kernel + ", stride " + stride + ", "
        + padding + ")";
  }
}
