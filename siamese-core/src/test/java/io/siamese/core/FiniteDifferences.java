package io.siamese.core;

import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/** Central finite differences of a scalar objective of one fed input, through a real session. */
final class FiniteDifferences {
  private FiniteDifferences() {}

  /** A new tensor of {@code shape} holding a copy of {@code x}; the caller closes it. */
  static TFloat32 tensor(Shape shape, float[] x) {
    return TFloat32.tensorOf(shape, DataBuffers.of(x, true, false));
  }

  /** {@code (f(x + h e_i) - f(x - h e_i)) / 2h}, with {@code f} the {@code objective} fed {@code x} as {@code input}. */
  static double central(
      Session s, Placeholder<TFloat32> input, Shape shape, Operand<TFloat32> objective, float[] x, int i, float h) {
    float[] plus = x.clone();
    float[] minus = x.clone();
    plus[i] += h;
    minus[i] -= h;
    return (value(s, input, shape, objective, plus) - value(s, input, shape, objective, minus)) / (2.0 * h);
  }

  private static double value(Session s, Placeholder<TFloat32> input, Shape shape, Operand<TFloat32> objective, float[] x) {
    try (TFloat32 xt = tensor(shape, x);
        Result r = s.runner().feed(input, xt).fetch(objective).run()) {
      return ((TFloat32) r.get(0)).getFloat();
    }
  }
}
