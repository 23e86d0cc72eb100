package io.siamese.data;

import static com.google.common.base.Preconditions.checkArgument;

import java.util.Arrays;

/**
 * The shape of one example, without the batch dimension: {@code height x width x channels} for an
 * image (channels last, as TensorFlow's NHWC layout expects), or a single length for a feature vector.
 *
 * <p>Immutable value type.
 */
public final class ExampleShape {
  private final int[] dims;

  private ExampleShape(int[] dims) {
    this.dims = dims;
  }

  /**
   * An image shape in channels-last order.
   *
   * @param height rows, in pixels, {@code > 0}
   * @param width columns, in pixels, {@code > 0}
   * @param channels channels per pixel (1 for grayscale), {@code > 0}
   */
  public static ExampleShape image(int height, int width, int channels) {
    checkArgument(height > 0, "height must be > 0, got %s", height);
    checkArgument(width > 0, "width must be > 0, got %s", width);
    checkArgument(channels > 0, "channels must be > 0, got %s", channels);
    return new ExampleShape(new int[] {height, width, channels});
  }

  /** A feature-vector shape of {@code length > 0} floats. */
  public static ExampleShape vector(int length) {
    checkArgument(length > 0, "vector length must be > 0, got %s", length);
    return new ExampleShape(new int[] {length});
  }

  /** Number of dimensions: 3 for an image, 1 for a vector. */
  public int rank() {
    return dims.length;
  }

  /** True for a {@code height x width x channels} image shape. */
  public boolean isImage() {
    return dims.length == 3;
  }

  /** The dimensions, outermost first; a fresh copy. */
  public int[] dims() {
    return dims.clone();
  }

  /** Dimension {@code i}, outermost first. */
  public int dim(int i) {
    checkArgument(i >= 0 && i < dims.length, "dimension index %s out of range for shape %s", i, this);
    return dims[i];
  }

  /** Image height in pixels; fails for a vector shape. */
  public int height() {
    requireImage();
    return dims[0];
  }

  /** Image width in pixels; fails for a vector shape. */
  public int width() {
    requireImage();
    return dims[1];
  }

  /** Channels per pixel; fails for a vector shape. */
  public int channels() {
    requireImage();
    return dims[2];
  }

  /** Number of floats in one example: the product of the dimensions. */
  public int size() {
    long n = 1;
    for (int d : dims) {
      n *= d;
    }
    checkArgument(n <= Integer.MAX_VALUE, "shape %s holds more than 2^31-1 floats", this);
    return (int) n;
  }

  private void requireImage() {
    if (!isImage()) {
      throw new IllegalStateException("shape " + this + " is a vector, not an image");
    }
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExampleShape other && Arrays.equals(dims, other.dims);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(dims);
  }

  /** {@code 28x28x1} for an image, {@code [64]} for a vector. */
  @Override
  public String toString() {
    if (!isImage()) {
      return "[" + dims[0] + "]";
    }
    return dims[0] + "x" + dims[1] + "x" + dims[2];
  }
}
