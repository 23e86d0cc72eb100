package io.siamese.bench;

import io.siamese.core.Precision;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.ExampleShape;
import io.siamese.losses.ContrastiveLoss;
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
import org.tensorflow.proto.ConfigProto;

/**
 * Encoder forward pass: the library's encoder ({@code library}, {@link SiameseModel#embed(float[][])})
 * against the same network hand-written in raw TensorFlow Java ops ({@code rawTensorFlow}), under the
 * same TensorFlow thread settings, each in its own fork. Both read one Java array per example and
 * write Java arrays.
 *
 * <ul>
 *   <li>{@code encoder=conv4}: Conv-4 at 28x28x1 with 64 filters ({@link EncoderSpec#conv4},
 *       {@link RawConv4}), 19.6 MFLOP per image.
 *   <li>{@code encoder=koch}: the Koch et al. Omniglot network at 105x105x1 ({@link
 *       EncoderSpec#koch}, {@link RawKoch}), 38.9 million parameters, 1.82 GFLOP per image: 93
 *       times Conv-4. Cost on 2 cores (80-250 GFLOP/s, busy to quiet): about 10-30 ms per call at
 *       batch 1, 0.3-0.8 s at 32 and 2-6 s at 256 (465 GFLOP per call), with about 1 GB of
 *       activations in TensorFlow at 256. A 2-s iteration at batch 256 holds one to three calls,
 *       since JMH finishes the call in progress, so it takes 2-6 s; the six koch rows add about 3
 *       minutes to a default run, the two 256 rows two thirds of it.
 * </ul>
 *
 * <p>The raw network pools with {@code tf.nn.maxPool}, as the library's inference path does
 * ({@link RawPooling#TF_JAVA_API}); {@code -p rawPooling=MAX_POOL_OP} measures it with the
 * original {@code MaxPool} op instead, the op of the library's training path, whose oneDNN kernel
 * is the slower forward at batch 1.
 *
 * <p>{@code intraOp} / {@code interOp}: TensorFlow's thread pools ({@code
 * SiameseModelBuilder.threads}, and the same {@code ConfigProto} for the raw session); 0 lets
 * TensorFlow choose, one thread per core.
 *
 * <p>Score: batches per second; multiply by {@code batch} for embeddings per second, and divide
 * library by raw for the cost of the abstraction. The secondary result {@code :gflop} (printed in
 * ops/s) is the achieved GFLOP/s, from the analytic count of {@link Flops}; compare it with {@link
 * MatMulPeakBenchmark}'s practical peak.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar EncoderForward -rf json}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class EncoderForwardBenchmark {
  /** The encoder, the batch and the thread settings, shared by both rows; the examples to embed. */
  @State(Scope.Benchmark)
  public abstract static class Sizes {
    /** {@code conv4} (28x28) or {@code koch} (105x105). */
    @Param({"conv4", "koch"})
    public String encoder;

    @Param({"1", "32", "256"})
    public int batch;

    /** TensorFlow's intra-op threads; 0 = TensorFlow's default. */
    @Param({"0"})
    public int intraOp;

    /** TensorFlow's inter-op threads; 0 = TensorFlow's default. */
    @Param({"0"})
    public int interOp;

    /**
     * {@code FP32}, or {@code MIXED}: the library built with {@code precision(Precision.MIXED)}
     * and the raw session given the same rewrite (oneDNN's bfloat16 on the CPU; see {@link
     * TfSupport#config}).
     */
    @Param({"FP32"})
    public String precision;

    EncoderSpec spec;
    float[][] examples;
    int inputSize;
    double gflopPerCall;

    /** The spec of {@link #encoder}, the examples and the FLOP count; called first by each setup. */
    void prepare() {
      spec =
          switch (encoder) {
            case "conv4" -> EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 64);
            case "koch" -> EncoderSpec.koch(ExampleShape.image(105, 105, 1));
            default -> throw new IllegalArgumentException("encoder must be conv4 or koch, got " + encoder);
          };
      inputSize = spec.inputShape().size();
      long flopsPerExample = Flops.forwardPerExample(spec);
      gflopPerCall = flopsPerExample * (double) batch / 1e9;
      System.err.printf(
          "[siamese-bench] %s: %,d parameters, %.4f GFLOP per example forward, %.3f GFLOP per call of %d%n",
          encoder, spec.parameterCount(), flopsPerExample / 1e9, gflopPerCall, batch);
      SplittableRandom random = new SplittableRandom(5);
      examples = new float[batch][inputSize];
      for (float[] example : examples) {
        for (int j = 0; j < inputSize; j++) {
          example[j] = (float) random.nextDouble();
        }
      }
    }
  }

  /** The library's encoder. */
  public static class Library extends Sizes {
    SiameseModel model;

    @Setup(Level.Trial)
    public void setUp() {
      prepare();
      model =
          SiameseModel.builder()
              .encoder(spec)
              .loss(ContrastiveLoss.similarIsOne())
              .seed(1)
              .threads(intraOp, interOp)
              .precision(Precision.valueOf(precision))
              .build();
      TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      model.close();
    }
  }

  /** The hand-written encoder. */
  public static class Raw extends Sizes {
    /** The max-pooling op of the hand-written network. */
    @Param({"TF_JAVA_API"})
    public RawPooling rawPooling;

    RawEncoder raw;
    float[] flat;
    float[] out;

    @Setup(Level.Trial)
    public void setUp() {
      prepare();
      ConfigProto config = TfSupport.config(intraOp, interOp, precision);
      raw =
          encoder.equals("conv4")
              ? new RawConv4(28, 64, config, rawPooling)
              : new RawKoch(105, config, rawPooling);
      TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
      if (raw.inputSize() != inputSize || raw.outputSize() != spec.embeddingSize()) {
        raw.close();
        throw new IllegalStateException("the raw " + encoder + " does not match " + spec);
      }
      flat = new float[batch * inputSize];
      out = new float[batch * raw.outputSize()];
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      raw.close();
    }
  }

  @Benchmark
  public float[][] library(Library state, GflopCounter counter) {
    counter.gflop += state.gflopPerCall;
    return state.model.embed(state.examples);
  }

  @Benchmark
  public float[] rawTensorFlow(Raw state, GflopCounter counter) {
    counter.gflop += state.gflopPerCall;
    // The raw baseline also starts from one array per example, as a caller's data arrives.
    for (int i = 0; i < state.batch; i++) {
      System.arraycopy(state.examples[i], 0, state.flat, i * state.inputSize, state.inputSize);
    }
    state.raw.embed(state.flat, state.batch, state.out);
    return state.out;
  }
}
