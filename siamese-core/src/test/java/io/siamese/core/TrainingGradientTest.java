package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TwinBatching;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ContrastiveLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.types.TFloat32;

/**
 * The training step's gradients, as {@link ModelGraph} builds them for speed (the bias gradients
 * from the gradient at each {@code BiasAdd}, the ReLU after the max-pooling), against TensorFlow's
 * own gradient of the same loss ({@code tf.gradients} of every variable): one plain SGD step of
 * learning rate 1 must move every weight by minus that gradient. And the training path's loss
 * must equal the loss of the inference path's embeddings, bit for bit, though it pools first.
 */
class TrainingGradientTest {
  private static final ExampleShape SHAPE = ExampleShape.image(12, 12, 1);

  @Test
  void stackedAndSeparateStepsApplyTensorFlowsGradient() {
    for (TwinBatching twins : TwinBatching.values()) {
      for (EncoderSpec spec :
          List.of(
              EncoderSpec.builder(SHAPE).conv2d(6, 3).relu().maxPool(2).conv2d(5, 3).relu().maxPool(2).flatten().dense(7).build(),
              EncoderSpec.builder(SHAPE).conv2d(6, 3).batchNorm().relu().maxPool(2).flatten().dense(5).build())) {
        checkStep(spec, twins);
      }
    }
  }

  @Test
  void theTrainingPathPoolsBeforeTheReluAndKeepsTheLossBitForBit() {
    EncoderSpec spec = EncoderSpec.builder(SHAPE).conv2d(6, 3).relu().maxPool(2).flatten().dense(7).build();
    try (Graph g = new Graph()) {
      new ModelGraph(g, spec, LossBinding.of(ContrastiveLoss.similarIsOne(), 3), OptimizerSpec.sgd(1), 3, TwinBatching.STACKED, Precision.FP32);
      // Training path: MaxPool (original op) feeding a Relu; inference path: Relu feeding MaxPoolV2.
      boolean poolThenRelu = false;
      boolean reluThenPoolV2 = false;
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = (GraphOperation) it.next();
        if (op.type().equals("Relu") && ((GraphOperation) op.input(0).op()).type().equals("MaxPool")) {
          poolThenRelu = true;
        }
        if (op.type().equals("MaxPoolV2") && ((GraphOperation) op.input(0).op()).type().equals("Relu")) {
          reluThenPoolV2 = true;
        }
      }
      assertTrue(poolThenRelu, "the training path pools before its ReLU");
      assertTrue(reluThenPoolV2, "the inference path keeps the layers' order");
      try (Session s = new Session(g)) {
        s.initialize();
        float[] x = examples(8, 11);
        float[] labels = {1, 0, 1, 0};
        Ops tf = Ops.create(g);
        // The same loss on the inference path's embeddings, the pairs split as the step splits them.
        Output<TFloat32> embedding = g.<TFloat32>operation("embedding").output(0);
        Operand<TFloat32> left = tf.slice(embedding, tf.constant(new int[] {0, 0}), tf.constant(new int[] {4, -1}));
        Operand<TFloat32> right = tf.slice(embedding, tf.constant(new int[] {4, 0}), tf.constant(new int[] {4, -1}));
        Operand<TFloat32> inferenceLoss =
            ContrastiveLoss.similarIsOne().call(tf, left, right, g.<TFloat32>operation("pair_labels").output(0));
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(8, 12, 12, 1), DataBuffers.of(x, true, false));
            TFloat32 yt = TFloat32.tensorOf(Shape.of(4), DataBuffers.of(labels, true, false));
            Result r = s.runner().feed("input", xt).feed("pair_labels", yt).fetch("loss").fetch(inferenceLoss).run()) {
          assertEquals(
              Float.floatToIntBits(((TFloat32) r.get(1)).getFloat()),
              Float.floatToIntBits(((TFloat32) r.get(0)).getFloat()),
              "training-path loss against the inference path's");
        }
      }
    }
  }

  private static void checkStep(EncoderSpec spec, TwinBatching twins) {
    try (Graph g = new Graph()) {
      ModelGraph model =
          new ModelGraph(g, spec, LossBinding.of(ContrastiveLoss.similarIsOne(), 7), OptimizerSpec.sgd(1), 7, twins, Precision.FP32);
      List<String> names = new ArrayList<>();
      List<Operand<?>> variables = new ArrayList<>();
      for (var it = g.operations(); it.hasNext(); ) {
        GraphOperation op = (GraphOperation) it.next();
        if (op.type().equals("VariableV2") && op.name().startsWith("encoder_layer") && !op.name().contains("moving_")) {
          names.add(op.name());
          variables.add(op.output(0));
        }
      }
      Ops tf = Ops.create(g);
      Gradients reference = tf.gradients(g.<TFloat32>operation("loss").output(0), variables);
      try (Session s = new Session(g)) {
        s.initialize();
        float[] x = examples(12, 5);
        float[] labels = {1, 0, 0, 1, 1, 0};
        float[][] expected = new float[names.size()][];
        float[][] before = new float[names.size()][];
        try (TFloat32 xt = TFloat32.tensorOf(Shape.of(12, 12, 12, 1), DataBuffers.of(x, true, false));
            TFloat32 yt = TFloat32.tensorOf(Shape.of(6), DataBuffers.of(labels, true, false))) {
          Session.Runner run = s.runner().feed("input", xt).feed("pair_labels", yt);
          for (int i = 0; i < names.size(); i++) {
            run.fetch(reference.dy(i)).fetch(names.get(i));
          }
          try (Result r = run.run()) {
            for (int i = 0; i < names.size(); i++) {
              expected[i] = floats((TFloat32) r.get(2 * i));
              before[i] = floats((TFloat32) r.get(2 * i + 1));
            }
          }
        }
        double loss = model.runStep(s, x, 12, BatchKind.PAIRS, labels, null, 1f, spec);
        assertTrue(Double.isFinite(loss), "the step ran");
        // One scale for the whole model: a bias followed by batch norm has a gradient of 0 up to
        // rounding, which only the model's own scale can judge.
        double scale = 0;
        for (float[] e : expected) {
          for (float v : e) {
            scale = Math.max(scale, Math.abs(v));
          }
        }
        Session.Runner read = s.runner();
        names.forEach(read::fetch);
        try (Result r = read.run()) {
          for (int i = 0; i < names.size(); i++) {
            float[] after = floats((TFloat32) r.get(i));
            for (int j = 0; j < after.length; j++) {
              double step = before[i][j] - after[j];
              assertEquals(
                  expected[i][j], step, 1e-5 * scale + 1e-6 * Math.abs(before[i][j]) + 1e-9,
                  twins + " " + spec + ": " + names.get(i) + "[" + j + "]");
            }
          }
        }
      }
    }
  }

  private static float[] examples(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    float[] x = new float[n * SHAPE.size()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) random.nextDouble(-1, 1);
    }
    return x;
  }

  private static float[] floats(TFloat32 t) {
    float[] out = new float[(int) t.size()];
    t.copyTo(DataBuffers.of(out, false, false));
    return out;
  }
}
