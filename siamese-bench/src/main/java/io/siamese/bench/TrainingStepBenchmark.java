package io.siamese.bench;

import io.siamese.core.EncoderSpec;
import io.siamese.core.SiameseModel;
import io.siamese.core.TrainingConfig;
import io.siamese.core.TwinBatching;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.SyntheticGlyphs;
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
 * One Siamese training step of Conv-4 (28x28x1, 64 filters) with contrastive loss and Adam, on
 * {@code batch} pairs of synthetic glyphs: the library's {@code fit} ({@code library}, twins
 * stacked into one batch of {@code 2 * batch}) against the same network hand-written in raw
 * TensorFlow Java with two twin placeholders ({@code rawTensorFlow}). Both draw their pairs from
 * the same sampler and gather them from the same arrays. Score: steps per second; multiply by
 * {@code batch} for pairs per second. The raw baseline ignores {@code twins}; compare each library
 * row with the raw row of the same batch.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar TrainingStep -rf json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class TrainingStepBenchmark {
  private static final int SIDE = 28;

  @Param({"64", "256"})
  public int batch;

  /** How the library runs the twins: {@code STACKED} (one batch of 2B) or {@code SEPARATE}. */
  @Param({"STACKED", "SEPARATE"})
  public TwinBatching twins;

  private LabeledDataset glyphs;
  private SiameseModel model;
  private BalancedPairSampler librarySampler;
  private TrainingConfig oneStep;
  private RawSiameseConv4 raw;
  private BalancedPairSampler rawSampler;
  private float[] left;
  private float[] right;
  private float[] labels;

  @Setup(Level.Trial)
  public void setUp() {
    glyphs = SyntheticGlyphs.builder().classes(100).examplesPerClass(20).seed(1).build().generate();
    model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(glyphs.shape(), 64))
            .loss(ContrastiveLoss.similarIsOne())
            .seed(1)
            .twinBatching(twins)
            .build();
    librarySampler = BalancedPairSampler.of(glyphs, 2);
    oneStep = TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(batch).build();
    raw = new RawSiameseConv4(SIDE, 64);
    rawSampler = BalancedPairSampler.of(glyphs, 2);
    left = new float[batch * SIDE * SIDE];
    right = new float[batch * SIDE * SIDE];
    labels = new float[batch];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
    raw.close();
  }

  @Benchmark
  public double library() {
    return model.fit(librarySampler, oneStep).finalLoss();
  }

  @Benchmark
  public float rawTensorFlow() {
    PairBatch pairs = rawSampler.next(batch);
    glyphs.gather(pairs.leftIndices(), left);
    glyphs.gather(pairs.rightIndices(), right);
    for (int i = 0; i < batch; i++) {
      labels[i] = pairs.isSame(i) ? 1f : 0f;
    }
    return raw.step(left, right, labels, batch);
  }
}
