package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * The block of ResNet-12, the few-shot literature's standard encoder (Oreshkin et al. 2018,
 * TADAM; Lee et al. 2019, MetaOptNet): three 3x3 convolutions (SAME) each with batch norm, leaky
 * ReLU (slope 0.1) after the first two; a 1x1 convolution with batch norm as the shortcut; their
 * sum through leaky ReLU; then 2x2 max-pooling. It halves the image and sets its channels.
 *
 * @param filters output channels, {@code > 0}
 */
public record ResNet12BlockLayer(int filters) implements LayerSpec {

  public ResNet12BlockLayer {
    checkArgument(filters > 0, "resnet12 block filters must be > 0, got %s", filters);
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    checkArgument(input.isImage(), "%s needs an image input, got %s", this, input);
    checkArgument(input.height() >= 2 && input.width() >= 2, "%s needs at least 2x2 pixels to pool, got %s", this, input);
    return ExampleShape.image(input.height() / 2, input.width() / 2, filters);
  }

  @Override
  public long parameterCount(ExampleShape input) {
    long c = input.channels();
    long f = filters;
    // three 3x3 kernels, a 1x1 shortcut, and gamma and beta of four batch norms
    return 9 * c * f + 2 * 9 * f * f + c * f + 8 * f;
  }

  /** Three 3x3 convolutions and the 1x1 shortcut, all at the input's resolution. */
  @Override
  public long forwardFlops(ExampleShape input, ExampleShape output) {
    long pixels = (long) input.height() * input.width();
    long c = input.channels();
    long f = filters;
    return 2L * pixels * (9 * c * f + 2 * 9 * f * f + c * f);
  }

  @Override
  public String toString() {
    return "resnet12Block(" + filters + ")";
  }
}
