package io.siamese.core.encoder;

/** How a convolution treats the border, with TensorFlow's meaning. */
public enum Padding {
  /** Zero-pads so that the output has {@code ceil(input / stride)} rows and columns. */
  SAME,
  /** No padding: the output has {@code floor((input - kernel) / stride) + 1} rows and columns. */
  VALID;

  int outputSize(int input, int kernel, int stride) {
    // floorDiv, not /: a kernel larger than the input must give size <= 0, not round up to 1.
    return this == SAME ? (input + stride - 1) / stride : Math.floorDiv(input - kernel, stride) + 1;
  }
}
