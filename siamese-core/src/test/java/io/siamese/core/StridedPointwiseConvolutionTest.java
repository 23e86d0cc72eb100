package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.Padding;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
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
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;

/**
 * A 1x1 convolution with a stride above 1 (a conv2d layer, a residual block's projection) is built
 * as a strided sample and a unit-stride convolution, because TensorFlow Java 1.1.0's oneDNN weight
 * gradient for the strided form corrupts the native heap on AVX-512 CPUs when the input has fewer
 * than 16 channels (the JVM aborted in {@code LayersTest}). Its output and both gradients are
 * checked here against a hand-written strided 1x1 convolution.
 */
class StridedPointwiseConvolutionTest {

  @Test
  void outputAndGradientsMatchAHandWrittenStridedConvolution() {
    check(7, 3, 5, 2, Padding.SAME, 3);
    check(7, 3, 5, 2, Padding.VALID, 3);
    check(9, 2, 4, 3, Padding.SAME, 2);
    // The shape that aborted the JVM: 1 input channel, 28x28, stride 2, batch 8.
    check(28, 1, 8, 2, Padding.SAME, 8);
  }

  @Test
  void residualBlocksThatHalveFewChannelsTrainWithoutCorruptingTheHeap() {
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(4).examplesPerClass(4).seed(2).build().generate();
    EncoderSpec spec =
        EncoderSpec.builder(ExampleShape.image(28, 28, 1))
            .conv2d(4, 3).residualBlock(8, 2).conv2d(8, 1, 2, Padding.SAME).globalMaxPool().build();
    for (int run = 0; run < 3; run++) {
      try (SiameseModel m = SiameseModel.builder().encoder(spec).loss(ContrastiveLoss.similarIsOne()).seed(run).build()) {
        double loss =
            m.fit(BalancedPairSampler.of(glyphs, run), TrainingConfig.builder().epochs(1).stepsPerEpoch(3).batchSize(4).build())
                .finalLoss();
        assertTrue(Double.isFinite(loss), "run " + run + ": loss " + loss);
      }
    }
  }

  private static void check(int side, int channels, int filters, int stride, Padding padding, int n) {
    String what = side + "x" + side + "x" + channels + " stride " + stride + " " + padding;
    EncoderSpec spec =
        EncoderSpec.builder(ExampleShape.image(side, side, channels)).conv2d(filters, 1, stride, padding).flatten().build();
    int out = (side + stride - 1) / stride;
    SplittableRandom random = new SplittableRandom(side * 31L + channels);
    float[] x = uniform(random, n * side * side * channels);
    float[] w = uniform(random, n * out * out * filters);
    try (Graph g = new Graph();
        Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Shape shape = Shape.of(n, side, side, channels);
      Placeholder<TFloat32> input = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1, side, side, channels)));
      EncoderGraph encoder = new EncoderGraph(tf, spec, 3);
      Operand<TFloat32> y = encoder.apply(tf, input, true, new ArrayList<>());
      Operand<TFloat32> objective =
          tf.reduceSum(tf.math.mul(y, tf.constant(Shape.of(n, (long) out * out * filters), DataBuffers.of(w))), tf.constant(new int[] {0, 1}));
      Variable<TFloat32> kernel = variable(encoder, "kernel");
      Variable<TFloat32> bias = variable(encoder, "bias");
      Gradients grad = tf.gradients(objective, List.of(input, kernel));
      s.initialize();
      float[] actualY = new float[n * out * out * filters];
      float[] actualDx = new float[x.length];
      float[] actualDk = new float[channels * filters];
      float[] k = new float[channels * filters];
      float[] b = new float[filters];
      try (TFloat32 xt = FiniteDifferences.tensor(shape, x);
          Result r = s.runner().feed(input, xt).fetch(y).fetch(grad.dy(0)).fetch(grad.dy(1)).fetch(kernel).fetch(bias).run()) {
        float[][] into = {actualY, actualDx, actualDk, k, b};
        for (int i = 0; i < into.length; i++) {
          ((TFloat32) r.get(i)).copyTo(DataBuffers.of(into[i], false, false));
        }
      }
      float[] expectedY = new float[actualY.length];
      float[] expectedDx = new float[x.length];
      float[] expectedDk = new float[k.length];
      for (int e = 0; e < n; e++) {
        for (int i = 0; i < out; i++) {
          for (int j = 0; j < out; j++) {
            int xAt = ((e * side + i * stride) * side + j * stride) * channels;
            int yAt = ((e * out + i) * out + j) * filters;
            for (int o = 0; o < filters; o++) {
              double sum = b[o];
              for (int c = 0; c < channels; c++) {
                sum += x[xAt + c] * k[c * filters + o];
                expectedDx[xAt + c] += w[yAt + o] * k[c * filters + o];
                expectedDk[c * filters + o] += x[xAt + c] * w[yAt + o];
              }
              expectedY[yAt + o] = (float) sum;
            }
          }
        }
      }
      assertArrayEquals(expectedY, actualY, 1e-5f, what + ": output");
      assertArrayEquals(expectedDx, actualDx, 1e-5f, what + ": gradient of the input");
      assertArrayEquals(expectedDk, actualDk, 1e-4f, what + ": gradient of the kernel");
    }
  }

  private static Variable<TFloat32> variable(EncoderGraph encoder, String role) {
    return encoder.trainableVariables().stream()
        .filter(v -> v.op().name().endsWith("/" + role) || v.op().name().endsWith("_" + role))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + role + " among " + encoder.variableNames()));
  }

  private static float[] uniform(SplittableRandom random, int size) {
    float[] v = new float[size];
    for (int i = 0; i < size; i++) {
      v[i] = (float) random.nextDouble(-1, 1);
    }
    return v;
  }
}
