package io.siamese.core;

import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TwinBatching;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.List;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.exceptions.TFInvalidArgumentException;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Split;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;
import org.tensorflow.types.family.TType;

/**
 * The graph of one Siamese model, built once: the encoder's variables, the inference path ({@code
 * input} to {@code embedding}), the training path the loss binding asks for, the gradients and the
 * optimizer's update gated on a finiteness check, and the variable store. Nothing is added to the
 * graph after construction; {@link #runStep} only feeds and fetches.
 *
 * <p><b>Twins in one batch.</b> A pair step stacks the left and right examples of its pairs into
 * one batch of {@code 2 * B} examples ({@code 3 * B} for triplets), runs the encoder once and
 * splits the embeddings: the weights are shared by construction, and one large convolution is
 * faster than two small ones. {@link TwinBatching#SEPARATE} runs the pair's twins as two passes.
 */
final class ModelGraph {
  /** Name of the assertion that stops a training step whose loss or gradients are not finite. */
  private static final String FINITE_CHECK = "finite_check";
  /** What the losses' own assertions say when an embedding is not finite (siamese-losses' Distances). */
  private static final String LOSS_FINITE_CHECK = "must be finite, but contain NaN or infinity";

  final Placeholder<TFloat32> input;
  final Operand<TFloat32> embedding;
  private final Placeholder<TFloat32> pairLabels;
  private final Placeholder<TInt32> classLabels;
  private final Operand<TFloat32> lossValue;
  /** The step size, fed with each training step; defaults to the rate of step 0. */
  private final PlaceholderWithDefault<TFloat32> learningRate;
  private final Op trainStep;
  final VariableStore variables;
  /** The variables inference reads: the encoder's and the loss binding's own. */
  final Set<String> inferenceVariables;

  /** The graph of a model computing in float32 (see the next constructor). */
  ModelGraph(Graph g, EncoderSpec spec, LossBinding binding, OptimizerSpec optimizer, long seed, TwinBatching twins) {
    this(g, spec, binding, optimizer, seed, twins, Precision.FP32);
  }

  /**
   * @param precision the session's arithmetic, which decides how the bias gradients are built
   *     (see {@link #gradients})
   */
  ModelGraph(
      Graph g, EncoderSpec spec, LossBinding binding, OptimizerSpec optimizer, long seed, TwinBatching twins, Precision precision) {
    Ops tf = Ops.create(g);
    EncoderGraph encoder = new EncoderGraph(tf, spec, seed);
    this.input =
        tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(InputTensors.batchShape(spec.inputShape(), -1)));
    List<EncoderGraph.BiasSite> inferenceSites = new ArrayList<>();
    this.embedding = tf.withName("embedding").identity(encoder.apply(tf, input, false, null, inferenceSites));
    List<EncoderGraph.Update> updates = new ArrayList<>();
    List<EncoderGraph.BiasSite> biasSites = new ArrayList<>();
    this.pairLabels = tf.withName("pair_labels").placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
    this.classLabels = tf.withName("class_labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
    List<Operand<TFloat32>> views = views(tf, encoder, binding.batchKind(), twins, updates, biasSites, inferenceSites);
    List<Variable<TFloat32>> trainable = new ArrayList<>(encoder.trainableVariables());
    trainable.addAll(binding.createVariables(tf, spec.embeddingSize()));
    this.lossValue = tf.withName("loss").identity(binding.build(tf, views, pairLabels, classLabels));
    checkState(
        lossValue.shape().numDimensions() == 0,
        "the loss %s must reduce to a scalar for training, got shape %s",
        binding.loss(),
        lossValue.shape());
    this.learningRate =
        tf.withName("learning_rate")
            .placeholderWithDefault(tf.constant((float) optimizer.learningRate()), Shape.scalar());
    this.trainStep =
        minimize(
            tf,
            ScheduledOptimizers.create(optimizer, g, learningRate),
            trainable,
            updates,
            precision == Precision.FP32 ? biasSites : List.of(),
            binding);
    this.variables = new VariableStore(g, tf);
    Set<String> inference = new HashSet<>(encoder.variableNames());
    inference.addAll(binding.inferenceVariables());
    this.inferenceVariables = Set.copyOf(inference);
  }

  /**
   * The training embeddings as the batch kind lays them out. The training path differs from the
   * inference path only where a layer does (batch norm, dropout, max-pooling's op); both share
   * variables.
   */
  private List<Operand<TFloat32>> views(
      Ops tf,
      EncoderGraph encoder,
      BatchKind kind,
      TwinBatching twins,
      List<EncoderGraph.Update> updates,
      List<EncoderGraph.BiasSite> biasSites,
      List<EncoderGraph.BiasSite> inferenceSites) {
    if (kind == BatchKind.PAIRS && twins == TwinBatching.SEPARATE) {
      Split<TFloat32> inputs = tf.split(tf.constant(0), input, 2L);
      return List.of(
          encoder.apply(tf, inputs.output().get(0), true, updates, biasSites),
          encoder.apply(tf, inputs.output().get(1), true, updates, biasSites));
    }
    Operand<TFloat32> trainEmbedding;
    if (encoder.hasOwnTrainingPath()) {
      trainEmbedding = encoder.apply(tf, input, true, updates, biasSites);
    } else {
      trainEmbedding = embedding;
      biasSites.addAll(inferenceSites);
    }
    if (kind.examplesPerItem == 1) {
      return List.of(trainEmbedding);
    }
    Split<TFloat32> parts = tf.split(tf.constant(0), trainEmbedding, (long) kind.examplesPerItem);
    return List.copyOf(parts.output());
  }

  /**
   * Gradients of the loss for the trainable variables only (batch norm's moving statistics are
   * updated by assignment, not by gradients), applied by the optimizer.
   *
   * @throws IllegalStateException naming the op, if the loss uses an op that has no gradient in
   *     TensorFlow's C API (which TensorFlow Java's gradients rely on)
   */
  private Op minimize(
      Ops tf,
      Optimizer optimizer,
      List<Variable<TFloat32>> trainable,
      List<EncoderGraph.Update> updates,
      List<EncoderGraph.BiasSite> biasSites,
      LossBinding binding) {
    List<Operand<TFloat32>> grads = gradients(tf, trainable, biasSites, binding);
    // A step whose loss or gradients are not finite must change nothing: every update waits for
    // this check, and a failed check aborts the whole session run before any variable is written.
    List<Operand<TFloat32>> checked = new ArrayList<>();
    checked.add(lossValue);
    checked.addAll(grads);
    Operand<TBool> finite = allFinite(tf, checked);
    Op check = tf.withName(FINITE_CHECK).assertThat(finite, List.of(lossValue));
    Ops gated = tf.withControlDependencies(List.of(check));
    List<Optimizer.GradAndVar<? extends TType>> pairs = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      Output<TFloat32> grad = gated.identity(grads.get(i)).asOutput();
      pairs.add(new Optimizer.GradAndVar<>(grad, trainable.get(i).asOutput()));
    }
    List<Op> all = new ArrayList<>();
    all.add(optimizer.applyGradients(pairs, "minimize"));
    for (EncoderGraph.Update u : updates) {
      all.add(gated.assign(u.variable(), u.value()));
    }
    return tf.withControlDependencies(all).withName("train").noOp();
  }

  /**
   * The gradient of the loss for each of {@code trainable}, in order.
   *
   * <p>The bias of a convolution in {@code biasSites} gets its gradient as {@code BiasAddGrad} of
   * the gradient at its {@code BiasAdd} output, over that gradient reshaped to {@code [N * H * W,
   * C]}: TensorFlow's own gradient hands oneDNN's graph pass a {@code BiasAddGrad} and a {@code
   * Conv2DBackpropFilter} of the same tensor, which it fuses into one kernel, slower in float32
   * than the two apart (Conv-4, 128 examples, one thread: the first layer's filter and bias
   * gradients took 11.7 ms of CPU time fused, 5.2 ms apart; the second's 20-22 against 18.5). The
   * reshape keeps the two from matching; {@code BiasAddGrad} reduces over the same {@code [N * H *
   * W, C]} view of either shape. The model passes no sites under {@link Precision#MIXED}: there
   * the fused bfloat16 kernel is the faster (53 against 58 ms of CPU time per 64-pair step), and
   * a separate float32 {@code BiasAddGrad} would cost a cast of the whole activation.
   *
   * @throws IllegalStateException naming the op, if the loss uses an op that has no gradient in
   *     TensorFlow's C API (which TensorFlow Java's gradients rely on)
   */
  private List<Operand<TFloat32>> gradients(
      Ops tf, List<Variable<TFloat32>> trainable, List<EncoderGraph.BiasSite> biasSites, LossBinding binding) {
    Map<Variable<TFloat32>, List<Operand<TFloat32>>> sitesOf = new IdentityHashMap<>();
    for (EncoderGraph.BiasSite site : biasSites) {
      sitesOf.computeIfAbsent(site.bias(), b -> new ArrayList<>()).add(site.output());
    }
    List<Operand<?>> xs = new ArrayList<>();
    for (Variable<TFloat32> v : trainable) {
      if (sitesOf.containsKey(v)) {
        xs.addAll(sitesOf.get(v));
      } else {
        xs.add(v);
      }
    }
    Gradients dy;
    try {
      dy = tf.gradients(lossValue, xs);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      if (message.contains("No gradient defined for op")) {
        String op = message.replaceAll("(?s).*No gradient defined for op: ?([A-Za-z0-9_]+).*", "$1");
        throw new IllegalStateException(
            "cannot train with " + binding.loss() + ": it uses the op " + op
                + ", which has no gradient registered in TensorFlow's C API; build the loss from other ops",
            e);
      }
      throw e;
    }
    List<Operand<TFloat32>> grads = new ArrayList<>();
    int next = 0;
    for (Variable<TFloat32> v : trainable) {
      List<Operand<TFloat32>> sites = sitesOf.get(v);
      if (sites == null) {
        grads.add(dy.<TFloat32>dy(next++));
        continue;
      }
      // Separate twins: one reduction over both twins' rows, in the stacked batch's order, so
      // that the two layouts sum the same numbers the same way.
      List<Operand<TFloat32>> rows = new ArrayList<>();
      for (int k = 0; k < sites.size(); k++) {
        Operand<TFloat32> dz = dy.dy(next++);
        rows.add(tf.reshape(dz, tf.constant(new long[] {-1, v.shape().get(0)})));
      }
      grads.add(tf.nn.biasAddGrad(rows.size() == 1 ? rows.get(0) : tf.concat(rows, tf.constant(0))));
    }
    return grads;
  }

  /**
   * A scalar, true when every entry of every tensor in {@code xs} is finite. {@code x * 0} is 0 for
   * a finite entry and NaN for a NaN or an infinity, and a sum that meets a NaN stays NaN: so one
   * multiply-and-sum pass decides it, with no overflow whatever the values. {@code
   * reduceAll(isFinite(x))} per tensor, which this replaces, cost 1.5 ms of a 64-pair Conv-4 step
   * on the critical path (every update waits for the check).
   */
  static Operand<TBool> allFinite(Ops tf, List<Operand<TFloat32>> xs) {
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> total = null;
    for (Operand<TFloat32> x : xs) {
      Operand<TFloat32> sum = tf.reduceSum(tf.math.mul(tf.reshape(x, tf.constant(new int[] {-1})), zero), tf.constant(0));
      total = total == null ? sum : tf.math.add(total, sum);
    }
    return tf.math.isFinite(total);
  }

  /**
   * The digest of the architecture and of the weights inference reads (see {@link
   * EmbeddingSpace#modelDigest()}).
   */
  String digest(Session session, EncoderSpec spec) {
    return VariableStore.digest(spec.toString(), variables.read(session), inferenceVariables);
  }

  /**
   * Runs one training step on {@code count} examples at learning rate {@code rate}: feeds the
   * labels the batch kind uses, applies the update, returns the loss before it; NaN when the
   * finiteness check stopped the step, in which case nothing changed.
   */
  double runStep(Session session, float[] examples, int count, BatchKind kind, float[] pairs, int[] classes, float rate, EncoderSpec spec) {
    try (TFloat32 x = InputTensors.of(spec.inputShape(), examples, count);
        TFloat32 lr = TFloat32.scalarOf(rate);
        LabelTensor labels = LabelTensor.of(kind, pairs, classes)) {
      Session.Runner runner = session.runner().feed(input, x);
      labels.feed(runner, pairLabels, classLabels);
      try (Result r = runner.feed(learningRate, lr).fetch(lossValue).addTarget(trainStep).run()) {
        return ((TFloat32) r.get(0)).getFloat();
      }
    } catch (TFInvalidArgumentException e) {
      // The losses check their embeddings too, upstream of the model's check; either way the run
      // stopped before any update, since every update waits for the model's check.
      String message = String.valueOf(e.getMessage());
      if (message.contains(FINITE_CHECK) || message.contains(LOSS_FINITE_CHECK)) {
        return Double.NaN;
      }
      throw e;
    }
  }

  /** The label tensor of one step, if its batch kind has labels; closed with the step. */
  private record LabelTensor(TFloat32 pairs, TInt32 classes) implements AutoCloseable {
    static LabelTensor of(BatchKind kind, float[] pairs, int[] classes) {
      return switch (kind) {
        case PAIRS -> new LabelTensor(TFloat32.tensorOf(Shape.of(pairs.length), DataBuffers.of(pairs, true, false)), null);
        case LABELLED, CLASSES -> new LabelTensor(null, TInt32.tensorOf(Shape.of(classes.length), DataBuffers.of(classes, true, false)));
        case TRIPLETS -> new LabelTensor(null, null);
      };
    }

    void feed(Session.Runner runner, Placeholder<TFloat32> pairLabels, Placeholder<TInt32> classLabels) {
      if (pairs != null) {
        runner.feed(pairLabels, pairs);
      }
      if (classes != null) {
        runner.feed(classLabels, classes);
      }
    }

    @Override
    public void close() {
      if (pairs != null) {
        pairs.close();
      }
      if (classes != null) {
        classes.close();
      }
    }
  }
}
