package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.AvgPoolLayer;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.LayerSpec;
import io.siamese.core.encoder.MaxPoolLayer;
import io.siamese.core.train.TwinBatching;
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
 * The pooling layers as the encoder builds them (max-pooling is a hand-built {@code MaxPool} op on
 * the training path, TensorFlow Java's {@code MaxPoolV2} wrapper on the inference path): output of
 * both paths against a plain-Java pooling, and the gradient of a
 * weighted sum of the output against the rule worked by hand (each window's weight goes to its
 * maximum, or is spread evenly for average pooling) and against central finite differences.
 * Overlapping windows (size 3, stride 2) check that the gradient accumulates where windows share a
 * pixel; a 7x7 input with size 2 checks that the trailing row and column get none.
 */
class PoolingGradientTest {
  private static final int N = 2;
  private static final int SIDE = 7;
  private static final int CHANNELS = 3;
  private static final Shape SHAPE = Shape.of(N, SIDE, SIDE, CHANNELS);

  @Test
  void maxPoolMatchesTheHandRuleWithOverlappingWindows() {
    check(new MaxPoolLayer(3, 2));
  }

  @Test
  void maxPoolMatchesTheHandRuleAndDropsTheRemainder() {
    check(new MaxPoolLayer(2, 2));
  }

  @Test
  void avgPoolMatchesTheHandRule() {
    check(new AvgPoolLayer(3, 2));
  }

  /**
   * Every training layout pools with the original {@code MaxPool} op, so that its gradient is
   * {@code MaxPoolGrad} (oneDNN's kernel on a oneDNN build), never the generic {@code
   * MaxPoolGradV2}; inference keeps {@code MaxPoolV2}. An encoder without batch norm or dropout
   * once trained through its inference ops, which silently cost a quarter of the step's speed.
   */
  @Test
  void trainingPoolsWithTheOriginalOpInEveryLayout() {
    EncoderSpec conv4 = EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 8);
    List<SiameseModelBuilder> builders =
        List.of(
            SiameseModel.builder().encoder(conv4).loss(io.siamese.losses.ContrastiveLoss.similarIsOne()),
            SiameseModel.builder()
                .encoder(conv4)
                .loss(io.siamese.losses.ContrastiveLoss.similarIsOne())
                .twinBatching(TwinBatching.SEPARATE),
            SiameseModel.builder().encoder(conv4).loss(io.siamese.losses.BatchHardTripletLoss.create()),
            SiameseModel.builder().encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 8, true))
                .loss(io.siamese.losses.ContrastiveLoss.similarIsOne()));
    String[] names = {"stacked pairs", "separate pairs", "batch-hard", "stacked pairs, batch norm"};
    for (int i = 0; i < builders.size(); i++) {
      try (SiameseModel model = builders.get(i).build()) {
        java.util.Set<String> types = model.opTypes();
        assertTrue(types.contains("MaxPoolGrad"), names[i] + ": " + types);
        assertFalse(types.contains("MaxPoolGradV2"), names[i] + ": " + types);
        assertTrue(types.contains("MaxPoolV2"), names[i] + " should keep MaxPoolV2 for inference: " + types);
      }
    }
  }

  private static void check(LayerSpec pool) {
    ExampleShape in = ExampleShape.image(SIDE, SIDE, CHANNELS);
    int size;
    int stride;
    boolean max = pool instanceof MaxPoolLayer;
    if (pool instanceof MaxPoolLayer m) {
      size = m.size();
      stride = m.stride();
    } else {
      AvgPoolLayer a = (AvgPoolLayer) pool;
      size = a.size();
      stride = a.stride();
    }
    EncoderSpec spec = EncoderSpec.builder(in).add(pool).flatten().build();
    int out = (SIDE - size) / stride + 1;
    float[] x = distinctValues(N * SIDE * SIDE * CHANNELS, 11);
    float[] weights = distinctValues(N * out * out * CHANNELS, 12);

    float[] expectedOut = new float[weights.length];
    float[] expectedGrad = new float[x.length];
    for (int n = 0; n < N; n++) {
      for (int oy = 0; oy < out; oy++) {
        for (int ox = 0; ox < out; ox++) {
          for (int c = 0; c < CHANNELS; c++) {
            int o = ((n * out + oy) * out + ox) * CHANNELS + c;
            float best = Float.NEGATIVE_INFINITY;
            int arg = -1;
            float sum = 0;
            for (int dy = 0; dy < size; dy++) {
              for (int dx = 0; dx < size; dx++) {
                int i = index(n, oy * stride + dy, ox * stride + dx, c);
                sum += x[i];
                if (x[i] > best) {
                  best = x[i];
                  arg = i;
                }
              }
            }
            if (max) {
              expectedOut[o] = best;
              expectedGrad[arg] += weights[o];
            } else {
              expectedOut[o] = sum / (size * size);
              for (int dy = 0; dy < size; dy++) {
                for (int dx = 0; dx < size; dx++) {
                  expectedGrad[index(n, oy * stride + dy, ox * stride + dx, c)] += weights[o] / (size * size);
                }
              }
            }
          }
        }
      }
    }

    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input =
          tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, SIDE, SIDE, CHANNELS)));
      EncoderGraph encoder = new EncoderGraph(tf, spec, 1);
      Operand<TFloat32> pooled = encoder.apply(tf, input, true, new ArrayList<>());
      Operand<TFloat32> inference = encoder.apply(tf, input, false, new ArrayList<>());
      Operand<TFloat32> objective =
          tf.reduceSum(tf.math.mul(pooled, tf.constant(Shape.of(N, weights.length / N), DataBuffers.of(weights))), tf.constant(new int[] {0, 1}));
      Gradients grad = tf.gradients(objective, List.of(input));

      float[] actualOut = new float[weights.length];
      float[] inferenceOut = new float[weights.length];
      float[] actualGrad = new float[x.length];
      try (TFloat32 xt = FiniteDifferences.tensor(SHAPE, x);
          Result r = s.runner().feed(input, xt).fetch(pooled).fetch(inference).fetch(grad.dy(0)).run()) {
        ((TFloat32) r.get(0)).copyTo(DataBuffers.of(actualOut, false, false));
        ((TFloat32) r.get(1)).copyTo(DataBuffers.of(inferenceOut, false, false));
        ((TFloat32) r.get(2)).copyTo(DataBuffers.of(actualGrad, false, false));
      }
      assertArrayEquals(expectedOut, actualOut, 1e-6f, pool + ": output of the training path");
      assertArrayEquals(expectedOut, inferenceOut, 1e-6f, pool + ": output of the inference path");
      assertArrayEquals(expectedGrad, actualGrad, 1e-5f, pool + ": gradient against the hand rule");

      // Central differences: inputs are at least 0.01 apart, so a step of 1e-3 never changes
      // which pixel is a window's maximum.
      float h = 1e-3f;
      for (int i = 0; i < x.length; i += 5) {
        double numeric = FiniteDifferences.central(s, input, SHAPE, objective, x, i, h);
        assertEquals(numeric, actualGrad[i], 2e-2, pool + ": finite difference at input " + i);
      }
    }
  }

  private static int index(int n, int y, int x, int c) {
    return ((n * SIDE + y) * SIDE + x) * CHANNELS + c;
  }

  /** Values 0.01 apart in a shuffled order, so that no window has a tie. */
  private static float[] distinctValues(int count, long seed) {
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      order.add(i);
    }
    java.util.Collections.shuffle(order, new Random(seed));
    float[] v = new float[count];
    for (int i = 0; i < count; i++) {
      v[i] = (order.get(i) - count / 2) * 0.01f;
    }
    return v;
  }
}
