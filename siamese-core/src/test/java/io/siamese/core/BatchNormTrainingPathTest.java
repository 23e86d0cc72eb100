package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Batch normalisation of images on the training path (TensorFlow's fused kernel) against a
 * plain-Java batch norm: the output with the batch's mean and biased variance, the moving
 * averages it assigns (the biased variance, though the kernel reports the unbiased one), and the
 * gradient of a weighted sum of the output against central finite differences. Vectors take the
 * plain-op path, checked in {@code LayersTest}.
 */
class BatchNormTrainingPathTest {
  private static final int N = 3;
  private static final int SIDE = 3;
  private static final int C = 2;
  private static final double MOMENTUM = 0.25;
  private static final double EPSILON = 1e-3;
  private static final Shape SHAPE = Shape.of(N, SIDE, SIDE, C);

  @Test
  void matchesAPlainJavaBatchNorm() {
    EncoderSpec spec =
        EncoderSpec.builder(ExampleShape.image(SIDE, SIDE, C)).batchNorm(MOMENTUM, EPSILON).flatten().build();
    Random random = new Random(3);
    float[] x = new float[N * SIDE * SIDE * C];
    for (int i = 0; i < x.length; i++) {
      // A different offset and spread per channel.
      x[i] = (float) (random.nextGaussian() * (1 + i % C) + 3 * (i % C) - 1);
    }
    float[] w = new float[x.length];
    for (int i = 0; i < w.length; i++) {
      w[i] = (float) random.nextGaussian();
    }

    int perChannel = N * SIDE * SIDE;
    double[] mean = new double[C];
    double[] variance = new double[C];
    for (int i = 0; i < x.length; i++) {
      mean[i % C] += x[i] / perChannel;
    }
    for (int i = 0; i < x.length; i++) {
      double d = x[i] - mean[i % C];
      variance[i % C] += d * d / perChannel;
    }
    float[] expected = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      expected[i] = (float) ((x[i] - mean[i % C]) / Math.sqrt(variance[i % C] + EPSILON));
    }

    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIDE, SIDE, C)));
      List<EncoderGraph.Update> updates = new ArrayList<>();
      EncoderGraph encoder = new EncoderGraph(tf, spec, 1);
      Operand<TFloat32> y = encoder.apply(tf, input, true, updates);
      Operand<TFloat32> objective =
          tf.reduceSum(
              tf.math.mul(y, tf.constant(Shape.of(N, (long) SIDE * SIDE * C), DataBuffers.of(w))),
              tf.constant(new int[] {0, 1}));
      Gradients grad = tf.gradients(objective, List.of(input));
      s.initialize();
      assertEquals(2, updates.size(), "a moving mean and a moving variance");

      float[] actual = new float[x.length];
      float[] gradient = new float[x.length];
      float[] movingMean = new float[C];
      float[] movingVariance = new float[C];
      try (TFloat32 xt = FiniteDifferences.tensor(SHAPE, x);
          Result r =
              s.runner()
                  .feed(input, xt)
                  .fetch(y)
                  .fetch(grad.dy(0))
                  .fetch(updates.get(0).value())
                  .fetch(updates.get(1).value())
                  .run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(actual, false, false));
        ((TFloat32) r.get(1)).copyTo(DataBuffers.of(gradient, false, false));
        ((TFloat32) r.get(2)).copyTo(DataBuffers.of(movingMean, false, false));
        ((TFloat32) r.get(3)).copyTo(DataBuffers.of(movingVariance, false, false));
      }
      for (int i = 0; i < x.length; i++) {
        assertEquals(expected[i], actual[i], 1e-4, "normalised value " + i);
      }
      for (int c = 0; c < C; c++) {
        // Fresh moving statistics are mean 0 and variance 1.
        assertEquals(MOMENTUM * 0 + (1 - MOMENTUM) * mean[c], movingMean[c], 1e-4, "moving mean " + c);
        assertEquals(MOMENTUM * 1 + (1 - MOMENTUM) * variance[c], movingVariance[c], 1e-4, "moving variance " + c);
      }
      // The unbiased variance would differ by n / (n - 1) = 27 / 26: far outside the tolerance.
      assertTrue(Math.abs(variance[1] * (1 - MOMENTUM) / 26) > 1e-3);

      for (int i = 0; i < x.length; i++) {
        double numeric = FiniteDifferences.central(s, input, SHAPE, objective, x, i, 1e-2f);
        assertEquals(numeric, gradient[i], 5e-3, "gradient at input " + i);
      }
    }
  }
}
