package io.siamese.bench;

import io.siamese.core.Precision;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TwinBatching;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.PkBatch;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.ContrastiveLoss;
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

/**
 * One Siamese training step of Conv-4 (28x28x1, 64 filters) with Adam 1e-3 on synthetic glyphs
 * (100 classes x 20), sampling and gathering included, the library beside a hand-written raw
 * TensorFlow Java step under the same TensorFlow thread settings:
 *
 * <ul>
 *   <li>Contrastive pairs, {@code batch} pairs per step: {@code library} ({@code SiameseModel.fit}
 *       on a {@link BalancedPairSampler}; {@code twins} = {@code STACKED}, one batch of {@code 2 *
 *       batch}, or {@code SEPARATE}, two passes) against {@code rawTensorFlow} ({@link
 *       RawSiameseConv4}: two twin placeholders, shared variables), both drawing from the same
 *       sampler and gathering from the same arrays.
 *   <li>Batch-hard triplets: {@code libraryBatchHard} ({@code fit} with {@link
 *       BatchHardTripletLoss#create()} on a {@link PkBatchSampler}) against {@code rawBatchHard}
 *       ({@link RawBatchHardConv4}), on P x K batches of {@code 2 * batch} examples (K = 8, P =
 *       batch / 4): the same encoder work as a contrastive step of {@code batch} pairs.
 * </ul>
 *
 * <p>The raw rows run once per {@link RawPooling}: {@code TF_JAVA_API} is the step as a
 * TensorFlow Java user writes it ({@code tf.nn.maxPool}), {@code MAX_POOL_OP} pools with the op
 * the library builds, which leaves the twin layout and the library's own costs as the only
 * differences.
 *
 * <p>Score: steps per second. Multiply by {@code batch} for pairs per second; for the batch-hard
 * rows that is "pair-equivalents" per second (half the examples per second), directly comparable
 * with the contrastive rows. Each benchmark builds only its own model.
 *
 * <p>{@code intraOp} / {@code interOp}: TensorFlow's thread pools ({@code
 * SiameseModelBuilder.threads}, and the same {@code ConfigProto} for the raw sessions); 0 lets
 * TensorFlow choose.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar TrainingStep -rf json}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class TrainingStepBenchmark {
  private static final int SIDE = 28;
  private static final int FILTERS = 64;
  private static final int K = 8;

  private static LabeledDataset glyphs() {
    return SyntheticGlyphs.builder().classes(100).examplesPerClass(20).seed(1).build().generate();
  }

  /** Parameters shared by every row. */
  @State(Scope.Benchmark)
  public abstract static class Sizes {
    /** Pairs per step (batch-hard: {@code 2 * batch} examples per step). */
    @Param({"64", "256"})
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
  }

  /** The library, contrastive pairs. */
  @State(Scope.Benchmark)
  public static class LibraryPairs extends Sizes {
    /** How the library runs the twins: {@code STACKED} (one batch of 2B) or {@code SEPARATE}. */
    @Param({"STACKED", "SEPARATE"})
    public TwinBatching twins;

    SiameseModel model;
    BalancedPairSampler sampler;
    TrainingConfig oneStep;

    @Setup(Level.Trial)
    public void setUp() {
      LabeledDataset glyphs = glyphs();
      model =
          SiameseModel.builder()
              .encoder(EncoderSpec.conv4(glyphs.shape(), FILTERS))
              .loss(ContrastiveLoss.similarIsOne())
              .seed(1)
              .twinBatching(twins)
              .threads(intraOp, interOp)
              .precision(Precision.valueOf(precision))
              .build();
      sampler = BalancedPairSampler.of(glyphs, 2);
      oneStep = TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(batch).build();
      TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      model.close();
    }
  }

  /** Raw TensorFlow Java, contrastive pairs with two twin placeholders. */
  @State(Scope.Benchmark)
  public static class RawPairs extends Sizes {
    /** The max-pooling op of the hand-written encoder. */
    @Param({"TF_JAVA_API", "MAX_POOL_OP"})
    public RawPooling rawPooling;

    LabeledDataset glyphs;
    RawSiameseConv4 raw;
    BalancedPairSampler sampler;
    float[] left;
    float[] right;
    float[] labels;

    @Setup(Level.Trial)
    public void setUp() {
      glyphs = glyphs();
      raw = new RawSiameseConv4(SIDE, FILTERS, TfSupport.config(intraOp, interOp, precision), rawPooling);
      sampler = BalancedPairSampler.of(glyphs, 2);
      left = new float[batch * SIDE * SIDE];
      right = new float[batch * SIDE * SIDE];
      labels = new float[batch];
      TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      raw.close();
    }
  }

  /** The library, batch-hard triplets on P x K batches. */
  @State(Scope.Benchmark)
  public static class LibraryBatchHard extends Sizes {
    /**
     * Batch normalisation after each convolution ({@code EncoderSpec.conv4(shape, 64, true)}, as
     * the Omniglot and Fashion-MNIST examples train); no raw counterpart.
     */
    @Param({"false"})
    public boolean batchNorm;

    SiameseModel model;
    PkBatchSampler sampler;
    TrainingConfig oneStep;

    @Setup(Level.Trial)
    public void setUp() {
      LabeledDataset glyphs = glyphs();
      model =
          SiameseModel.builder()
              .encoder(EncoderSpec.conv4(glyphs.shape(), FILTERS, batchNorm))
              .loss(BatchHardTripletLoss.create())
              .seed(1)
              .threads(intraOp, interOp)
              .precision(Precision.valueOf(precision))
              .build();
      sampler = pkSampler(glyphs, batch);
      oneStep = TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(sampler.batchSize()).build();
      TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      model.close();
    }
  }

  /** Raw TensorFlow Java, batch-hard triplets on the same P x K batches. */
  @State(Scope.Benchmark)
  public static class RawBatchHard extends Sizes {
    /** The max-pooling op of the hand-written encoder. */
    @Param({"TF_JAVA_API", "MAX_POOL_OP"})
    public RawPooling rawPooling;

    LabeledDataset glyphs;
    RawBatchHardConv4 raw;
    PkBatchSampler sampler;
    float[] examples;

    @Setup(Level.Trial)
    public void setUp() {
      glyphs = glyphs();
      raw = new RawBatchHardConv4(SIDE, FILTERS, TfSupport.config(intraOp, interOp, precision), rawPooling);
      sampler = pkSampler(glyphs, batch);
      examples = new float[sampler.batchSize() * SIDE * SIDE];
      TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      raw.close();
    }
  }

  /** P x K batches of {@code 2 * pairs} examples, K = 8. */
  private static PkBatchSampler pkSampler(LabeledDataset glyphs, int pairs) {
    if (2 * pairs % K != 0) {
      throw new IllegalArgumentException("batch must be a multiple of " + K / 2 + ", got " + pairs);
    }
    return PkBatchSampler.builder(glyphs).classesPerBatch(2 * pairs / K).examplesPerClass(K).seed(2).build();
  }

  @Benchmark
  public double library(LibraryPairs s) {
    return s.model.fit(s.sampler, s.oneStep).finalLoss();
  }

  @Benchmark
  public float rawTensorFlow(RawPairs s) {
    PairBatch pairs = s.sampler.next(s.batch);
    s.glyphs.gather(pairs.leftIndices(), s.left);
    s.glyphs.gather(pairs.rightIndices(), s.right);
    for (int i = 0; i < s.batch; i++) {
      s.labels[i] = pairs.isSame(i) ? 1f : 0f;
    }
    return s.raw.step(s.left, s.right, s.labels, s.batch);
  }

  @Benchmark
  public double libraryBatchHard(LibraryBatchHard s) {
    return s.model.fit(s.sampler, s.oneStep).finalLoss();
  }

  @Benchmark
  public float rawBatchHard(RawBatchHard s) {
    PkBatch b = s.sampler.next();
    s.glyphs.gather(b.indices(), s.examples);
    return s.raw.step(s.examples, b.labels(), b.size());
  }
}
