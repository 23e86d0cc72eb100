package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;

/**
 * The training step's finiteness check (multiply by zero, sum) against {@link Float#isFinite} on
 * every entry, through a real session, so that an optimiser rewrite of {@code x * 0} would show.
 */
class AllFiniteTest {
  private static final float BIG = Float.MAX_VALUE;

  @Test
  void agreesWithAnEntryByEntryCheck() {
    float[][] firsts = {
      {0f, -1.5f, 3e-39f},
      {BIG, BIG, -BIG}, // finite, though their sum would overflow
      {1f, Float.NaN, 2f},
      {Float.POSITIVE_INFINITY, 0f, 0f},
      {0f, 0f, Float.NEGATIVE_INFINITY},
      {Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1f},
    };
    float[][] seconds = {{4f, 5f}, {-BIG, 0f}, {1f, 1f}, {1f, 1f}, {1f, 1f}, {1f, 1f}};
    for (int c = 0; c < firsts.length; c++) {
      boolean expected = allFiniteInJava(firsts[c]) && allFiniteInJava(seconds[c]);
      assertEquals(expected, run(firsts[c], seconds[c]), "case " + c);
    }
    // A non-finite value in the second tensor only.
    assertEquals(false, run(new float[] {1f, 2f, 3f}, new float[] {0f, Float.NaN}));
  }

  private static boolean allFiniteInJava(float[] xs) {
    for (float x : xs) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  private static boolean run(float[] a, float[] b) {
    try (Graph g = new Graph()) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> pa = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(a.length)));
      Placeholder<TFloat32> pb = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(1, b.length)));
      Operand<TBool> finite = ModelGraph.allFinite(tf, List.of(pa, pb));
      try (Session s = new Session(g);
          TFloat32 ta = TFloat32.tensorOf(Shape.of(a.length), DataBuffers.of(a, true, false));
          TFloat32 tb = TFloat32.tensorOf(Shape.of(1, b.length), DataBuffers.of(b, true, false));
          Result r = s.runner().feed(pa, ta).feed(pb, tb).fetch(finite).run()) {
        return ((TBool) r.get(0)).getBoolean();
      }
    }
  }
}
