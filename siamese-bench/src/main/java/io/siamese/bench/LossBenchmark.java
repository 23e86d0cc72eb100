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
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * Forward and backward pass of each loss in {@code siamese-losses} on float32 embeddings: one
 * session run that fetches the loss and its gradient with respect to every embedding input, as a
 * training step does after the encoder. The graph and the input tensors are made once per trial;
 * each invocation feeds the same tensors, so the score is the loss graph alone, without the encoder
 * or the copying of data into tensors.
 *
 * <p>The batch losses get a P x K batch of {@code batch} embeddings ({@code K = 4}); the pair
 * losses ({@code contrastive}, {@code koch}) get {@code batch} pairs; {@code triplet} gets {@code
 * batch} fixed triplets. {@code baseline} is the same feeding and fetching around the cheapest
 * differentiable scalar ({@code mean(x^2)}), the floor under every other score. Score: microseconds
 * per forward+backward; compare with {@code TrainingStepBenchmark} at the same batch for the share
 * of a training step that the loss takes. {@code batchAll} and {@code semiHard} hold {@code [B, B,
 * B]} tensors: at {@code batch = 512} about 0.5 GB each in float32.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar LossBenchmark -rf json}
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
    "multiSimilarity"
  })
  public String loss;

  private Graph graph;
  private Session session;
  private final List<Tensor> tensors = new ArrayList<>();
  private final List<Placeholder<?>> placeholders = new ArrayList<>();
  private Operand<TFloat32> value;
  private final List<Operand<?>> gradients = new ArrayList<>();

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    Ops tf = Ops.create(graph);
    SplittableRandom random = new SplittableRandom(11);
    Placeholder<TFloat32> x = embeddings(tf, random);
    List<Placeholder<TFloat32>> differentiated = new ArrayList<>(List.of(x));
    switch (loss) {
      case "baseline":
        value = tf.math.mean(tf.math.square(x), tf.constant(new int[] {0, 1}));
        break;
      case "contrastive":
        {
          Placeholder<TFloat32> right = embeddings(tf, random);
          differentiated.add(right);
          value = ContrastiveLoss.similarIsOne().call(tf, x, right, pairLabels(tf, random));
          break;
        }
      case "koch":
        {
          Placeholder<TFloat32> right = embeddings(tf, random);
          differentiated.add(right);
          float[] alpha = new float[dim];
          for (int j = 0; j < dim; j++) {
            alpha[j] = (float) (random.nextDouble() - 0.5);
          }
          value =
              KochPairHeadLoss.similarIsOne()
                  .call(
                      tf, x, right, pairLabels(tf, random), tf.constant(alpha), tf.constant(0.5f));
          break;
        }
      case "triplet":
        {
          Placeholder<TFloat32> positive = embeddings(tf, random);
          Placeholder<TFloat32> negative = embeddings(tf, random);
          differentiated.add(positive);
          differentiated.add(negative);
          value = TripletLoss.create().call(tf, x, positive, negative);
          break;
        }
      default:
        value = batchLoss(loss).call(tf, x, classLabels(tf));
    }
    for (Operand<?> dy : tf.gradients(value, differentiated).dy()) {
      gradients.add(dy);
    }
    session = new Session(graph);
    forwardBackward(); // the first run optimises the graph; keep it out of the warm-up too
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

  /** One forward and backward pass; returns the loss so that nothing is optimised away. */
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
    try (Result result = runner.run()) {
      return ((TFloat32) result.get(0)).getFloat();
    }
  }
}
