package io.siamese.core.encoder;

import static com.google.common.base.Preconditions.checkArgument;

import io.siamese.data.ExampleShape;

/**
 * Max-pooling over {@code size x size} windows moved {@code stride} pixels at a time, without
 * padding (a trailing row or column that does not fill a window is dropped, as in Keras).
 *
 * @param size window side in pixels, {@code > 0}
 * @param stride step in pixels, {@code > 0}
 */
public record MaxPoolLayer(int size, int stride) implements LayerSpec {

  public MaxPoolLayer {
    checkArgument(size > 0, "max-pool size must be > 0, got %s", size);
    checkArgument(stride > 0, "max-pool stride must be > 0, got %s", stride);
  }

  @Override
  public ExampleShape outputShape(ExampleShape input) {
    return outputShape(input, toString());
  }

  /** The output of any {@code size x size} window pooling; {@code name} names it in errors. */
  ExampleShape outputShape(ExampleShape input, String name) {
    checkArgument(
        input.isImage(), "%s needs an image input (height x width x channels), got %s", name, input);
    int h = Padding.VALID.outputSize(input.height(), size, stride);
    int w = Padding.VALID.outputSize(input.width(), size, stride);
    checkArgument(
        h > 0 && w > 0,
        "%s cannot follow a layer of shape %s: the window is larger than the input",
        name,
        input);
    return ExampleShape.image(h, w, input.channels());
  }

  @Override
  public String toString() {
    return "maxPool(" + size + "x" + size + ", stride " + stride + ")";
  }
}
