package io.siamese.core;

import io.siamese.data.ExampleShape;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.types.TFloat32;

/** Batches of examples as TensorFlow shapes and tensors; the caller closes what it gets. */
final class InputTensors {
  private InputTensors() {}

  /** {@code [batch, shape...]}; {@code batch} may be -1 for a placeholder of any batch size. */
  static Shape batchShape(ExampleShape shape, long batch) {
    int[] d = shape.dims();
    long[] dims = new long[d.length + 1];
    dims[0] = batch;
    for (int i = 0; i < d.length; i++) {
      dims[i + 1] = d[i];
    }
    return Shape.of(dims);
  }

  /**
   * A new tensor holding the first {@code count} examples of {@code flat} (row-major, {@code
   * shape.size()} floats each), copied; the caller owns and closes it.
   */
  static TFloat32 of(ExampleShape shape, float[] flat, int count) {
    return TFloat32.tensorOf(
        batchShape(shape, count), DataBuffers.of(flat, true, false).narrow((long) count * shape.size()));
  }
}
