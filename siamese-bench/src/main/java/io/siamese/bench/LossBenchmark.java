package io.siamese.bench;

import io.siamese.losses.BatchAllTripletLoss;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.MultiSimilarityLoss;
import io.siamese.losses.NTXentLoss;
import io.siamese.losses.SemiHardTripletLoss;
import io.siamese.losses.TripletLoss;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.Tensor;
import org.tensorflow.framework.optimizers.Adam;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.Variable;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Forward and backward pass of each loss in {@code siamese-losses} on float32 embeddings: one
 * session run that fetches the loss and its gradient with respect to every embedding input, as a
 * training step does after the encoder. The graph and the input tensors are made once per trial;
 * each invocation feeds the same tensors, so the score is the loss graph alone, without the encoder
 * or the copying of data into tensors.
 *
 * <p>The batch losses ({@code batchAll}, {@code batchHard}, {@code batchHardSoft}, {@code
 * semiHard}, {@code ntXent}, {@code multiSimilarity}) get a P x K batch of {@code batch} embeddings
 * ({@code K = 4}); the pair losses ({@code contrastive}, {@code koch}) get {@code batch} pairs;
 * {@code triplet} gets {@code batch} fixed triplets. {@code baseline} is the same feeding and
 * fetching around the cheapest differentiable scalar ({@code mean(x^2)}), the floor under every
 * other score. Score: microseconds per forward+backward.
 *
 * <p>{@code conv4Step} is the yardstick in the same run: one training step of the Conv-4 encoder
 * (28x28x1 input, 4 blocks of 3x3 convolution with 64 filters, ReLU and 2x2 max pooling, a 64-d
 * embedding) on {@code batch} images, forward, backward and an Adam update, with the cheapest loss
 * ({@code mean(e^2)}) on the embeddings; hand-written in raw TensorFlow Java here, with one stacked
 * input as the library trains batch losses. Divide a loss's score by it for the loss's share of a
 * training step at the same batch. It ignores {@code dim}: {@code -p dim=64} runs it once.
 *
 * <p>Memory: every loss here holds {@code O(B^2)} floats ({@code [B, B]} distance matrices and
 * masks; 1 MB per matrix at {@code batch = 512}); {@code semiHard} and {@code batchAll} mine by
 * sorting each anchor's negatives, in {@code O(B^2 log B)}, and never build the {@code [B, B, B]}
 * triplet tensor.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar LossBenchmark -rf json}; one batch size
 * with its yardstick: {@code ... LossBenchmark -p batch=512 -p dim=64}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g"})
public class LossBenchmark {
  private static final int K = 4;
  private static final int SIDE = 28;
  private static final int FILTERS = 64;

  @Param({"32", "128", "512"})
  public int batch;

  @Param({"64", "128"})
  public int dim;

  @Param({
    "baseline",
    "contrastive",
    "koch",
    "triplet",
    "batchAll",
    "batchHard",
    "batchHardSoft",
    "semiHard",
    "ntXent",
    "multiSimilarity",
    "conv4Step"
  })
  public String loss;

  private Graph graph;
  private Session session;
  private final List<Tensor> tensors = new ArrayList<>();
  private final List<Placeholder<?>> placeholders = new ArrayList<>();
  private Operand<TFloat32> value;
  private final List<Operand<?>> gradients = new ArrayList<>();
  private final List<Placeholder<TFloat32>> inputs = new ArrayList<>();
  private Op train;

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    SplittableRandom random = new SplittableRandom(11);
    if (loss.equals("conv4Step")) {
      value = conv4(tf, images(tf, random));
      train = new Adam(graph, 1e-3f).minimize(value); // differentiates with respect to the weights
    } else {
      value = lossOf(tf, random);
      for (Operand<?> dy : tf.gradients(value, inputs).dy()) {
        gradients.add(dy);
      }
    }
    session = new Session(graph);
    session.initialize();
    TfSupport.reportDevicesOnce();
    forwardBackward(); // the first run optimises the graph; keep it out of the warm-up too
  }

  /** Builds {@link #loss} on new inputs; those to differentiate are added to {@link #inputs}. */
  private Operand<TFloat32> lossOf(Ops tf, SplittableRandom random) {
    Placeholder<TFloat32> x = embeddings(tf, random);
    inputs.add(x);
    switch (loss) {
      case "baseline":
        return tf.math.mean(tf.math.square(x), tf.constant(new int[] {0, 1}));
      case "contrastive":
        {
          Placeholder<TFloat32> right = embeddings(tf, random);
          inputs.add(right);
          return ContrastiveLoss.similarIsOne().call(tf, x, right, pairLabels(tf, random));
        }
      case "koch":
        {
          Placeholder<TFloat32> right = embeddings(tf, random);
          inputs.add(right);
          float[] alpha = new float[dim];
          for (int j = 0; j < dim; j++) {
            alpha[j] = (float) (random.nextDouble() - 0.5);
          }
          return KochPairHeadLoss.similarIsOne()
              .call(tf, x, right, pairLabels(tf, random), tf.constant(alpha), tf.constant(0.5f));
        }
      case "triplet":
        {
          Placeholder<TFloat32> positive = embeddings(tf, random);
          Placeholder<TFloat32> negative = embeddings(tf, random);
          inputs.add(positive);
          inputs.add(negative);
          return TripletLoss.create().call(tf, x, positive, negative);
        }
      default:
        return batchLoss(loss).call(tf, x, classLabels(tf));
    }
  }

  private static BatchLoss batchLoss(String name) {
    switch (name) {
      case "batchAll":
        return BatchAllTripletLoss.create();
      case "batchHard":
        return BatchHardTripletLoss.create();
      case "batchHardSoft":
        return BatchHardTripletLoss.softMargin();
      case "semiHard":
        return SemiHardTripletLoss.create();
      case "ntXent":
        return NTXentLoss.create();
      case "multiSimilarity":
        return MultiSimilarityLoss.create();
      default:
        throw new IllegalArgumentException("unknown loss " + name);
    }
  }

  /** A placeholder of shape [batch, dim], with a tensor of standard normal values to feed it. */
  private Placeholder<TFloat32> embeddings(Ops tf, SplittableRandom random) {
    float[] values = new float[batch * dim];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) gaussian(random);
    }
    Placeholder<TFloat32> p =
        tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(batch, dim)));
    placeholders.add(p);
    tensors.add(TFloat32.tensorOf(Shape.of(batch, dim), DataBuffers.of(values, true, false)));
    return p;
  }

  /**
   * A Conv-4 encoder on {@code images} ({@code [batch, 28, 28, 1]}) and the cheapest loss on its
   * embeddings, {@code mean(e^2)}; weights normal with standard deviation 0.1, biases zero, as in
   * the other raw baselines of this module.
   */
  private static Operand<TFloat32> conv4(Ops tf, Operand<TFloat32> images) {
    Operand<TFloat32> h = images;
    long channels = 1;
    int size = SIDE;
    for (int block = 0; block < 4; block++) {
      Ops init = tf.withInitScope();
      Operand<TFloat32> w =
          init.math.mul(
              init.random.statelessRandomNormal(
                  init.constant(new long[] {3, 3, channels, FILTERS}),
                  init.constant(new long[] {block, 5}),
                  TFloat32.class),
              init.constant(0.1f));
      Variable<TFloat32> kernel = tf.variable(w);
      Variable<TFloat32> bias =
          tf.variable(init.zeros(init.constant(new long[] {FILTERS}), TFloat32.class));
      h = tf.nn.conv2d(h, kernel, List.of(1L, 1L, 1L, 1L), "SAME");
      h = tf.nn.relu(tf.nn.biasAdd(h, bias));
      // The library's pooling op, so that the yardstick costs what a library step costs.
      h = RawPooling.MAX_POOL_OP.maxPool2x2(tf, h);
      channels = FILTERS;
      size /= 2;
    }
    Operand<TFloat32> e = tf.reshape(h, tf.constant(new int[] {-1, size * size * FILTERS}));
    return tf.math.mean(tf.math.square(e), tf.constant(new int[] {0, 1}));
  }

  /** A placeholder of shape [batch, 28, 28, 1], with a tensor of ink in [0, 1) to feed it. */
  private Placeholder<TFloat32> images(Ops tf, SplittableRandom random) {
    Shape shape = Shape.of(batch, SIDE, SIDE, 1);
    float[] values = new float[(int) shape.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = (float) random.nextDouble();
    }
    Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(shape));
    placeholders.add(p);
    tensors.add(TFloat32.tensorOf(shape, DataBuffers.of(values, true, false)));
    return p;
  }

  /** Pair labels, 1 (similar) for half the pairs. */
  private Placeholder<TFloat32> pairLabels(Ops tf, SplittableRandom random) {
    float[] labels = new float[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = random.nextBoolean() ? 1f : 0f;
    }
    Placeholder<TFloat32> p = tf.placeholder(TFloat32.class, Placeholder.shape(Shape.of(batch)));
    placeholders.add(p);
    tensors.add(TFloat32.tensorOf(Shape.of(batch), DataBuffers.of(labels, true, false)));
    return p;
  }

  /** Class labels of a P x K batch: K consecutive examples per class. */
  private Placeholder<TInt32> classLabels(Ops tf) {
    int[] labels = new int[batch];
    for (int i = 0; i < batch; i++) {
      labels[i] = i / K;
    }
    Placeholder<TInt32> p = tf.placeholder(TInt32.class, Placeholder.shape(Shape.of(batch)));
    placeholders.add(p);
    tensors.add(TInt32.tensorOf(Shape.of(batch), DataBuffers.of(labels, true, false)));
    return p;
  }

  private static double gaussian(SplittableRandom random) {
    double u = 1 - random.nextDouble();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    tensors.forEach(Tensor::close);
    tensors.clear();
    if (session != null) {
      session.close();
    }
    graph.close();
  }

  /**
   * One forward and backward pass (for {@code conv4Step} also the Adam update); returns the loss so
   * that nothing is optimised away.
   */
  @Benchmark
  public float forwardBackward() {
    Session.Runner runner = session.runner();
    for (int i = 0; i < placeholders.size(); i++) {
      runner.feed(placeholders.get(i), tensors.get(i));
    }
    runner.fetch(value);
    for (Operand<?> dy : gradients) {
      runner.fetch(dy);
    }
    if (train != null) {
      runner.addTarget(train);
    }
    try (Result result = runner.run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }
}
