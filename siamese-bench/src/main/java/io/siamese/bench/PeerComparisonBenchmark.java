package io.siamese.bench;

import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.SyntheticGlyphs;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The library against a peer that Java users would pick instead: the same Conv-4 network (28x28x1,
 * 64 filters) in DJL 0.36 on its PyTorch 2.7.1 CPU engine, resolved from Maven Central and run
 * offline (issue 7). In one JMH run:
 *
 * <ul>
 *   <li>{@code forwardLibrary} / {@code forwardDjl}: Conv-4 forward at {@code batch} 1, 32, 256,
 *       from one Java array per example to Java arrays of embeddings ({@link SiameseModel#embed}
 *       against {@code DjlConv4.embed} after the same copy into one flat array as {@code
 *       EncoderForwardBenchmark}'s raw baseline). Score: batches/s; times {@code batch} =
 *       embeddings/s. Target: library at least 2x DJL at batch 256.
 *   <li>{@code trainingLibrary} / {@code trainingDjl}: one contrastive training step with Adam 1e-3
 *       on {@code pairs} 64 and 256 pairs of synthetic glyphs, sampling and gathering included
 *       ({@code SiameseModel.fit} with its default stacked twins against {@code DjlSiameseConv4}:
 *       both twins through one block). Score: steps/s; times {@code pairs} = pairs/s. Target:
 *       library at least 1.1x DJL.
 * </ul>
 *
 * <p>{@code allocator}: {@code default} is glibc's malloc as a user gets it; {@code tuned} sets
 * the values of {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=8589934592
 * MALLOC_TOP_PAD_=536870912} with {@code mallopt} at the start of the fork (see {@code
 * DjlRuntime}). PyTorch with glibc's defaults page-faults on large tensors; the targets are judged
 * against {@code tuned}. Both libraries run under the same setting in each row, and PyTorch's
 * intra-op pool gets as many threads as TensorFlow's (one per available processor). Each
 * benchmark builds only its own library, so TensorFlow and libtorch never share a fork.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar PeerComparison -rf json}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
public class PeerComparisonBenchmark {
  private static final int SIDE = 28;
  private static final int FILTERS = 64;

  private static boolean isDjl(BenchmarkParams params) {
    return params.getBenchmark().endsWith("Djl");
  }

  /** Forward pass: one model of the benchmark's library and a fixed batch of random images. */
  @State(Scope.Benchmark)
  public static class Forward {
    @Param({"1", "32", "256"})
    public int batch;

    @Param({"default", "tuned"})
    public String allocator;

    SiameseModel library;
    DjlConv4 djl;
    float[][] examples;
    float[] flat;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
      DjlRuntime.configure(DjlRuntime.Allocator.of(allocator));
      SplittableRandom random = new SplittableRandom(5);
      examples = new float[batch][SIDE * SIDE];
      for (float[] example : examples) {
        for (int j = 0; j < example.length; j++) {
          example[j] = (float) random.nextDouble();
        }
      }
      flat = new float[batch * SIDE * SIDE];
      if (isDjl(params)) {
        djl = new DjlConv4(SIDE, FILTERS);
      } else {
        library =
            SiameseModel.builder()
                .encoder(EncoderSpec.conv4(ExampleShape.image(SIDE, SIDE, 1), FILTERS))
                .loss(ContrastiveLoss.similarIsOne())
                .seed(1)
                .build();
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (library != null) {
        library.close();
      }
      if (djl != null) {
        djl.close();
      }
    }
  }

  /** Training step: one model of the benchmark's library and its own pair sampler over the glyphs. */
  @State(Scope.Benchmark)
  public static class Training {
    @Param({"64", "256"})
    public int pairs;

    @Param({"default", "tuned"})
    public String allocator;

    LabeledDataset glyphs;
    BalancedPairSampler sampler;
    SiameseModel library;
    TrainingConfig oneStep;
    DjlSiameseConv4 djl;
    float[] left;
    float[] right;
    float[] labels;

    @Setup(Level.Trial)
    public void setUp(BenchmarkParams params) {
      DjlRuntime.configure(DjlRuntime.Allocator.of(allocator));
      glyphs = SyntheticGlyphs.builder().classes(100).examplesPerClass(20).seed(1).build().generate();
      sampler = BalancedPairSampler.of(glyphs, 2);
      if (isDjl(params)) {
        djl = new DjlSiameseConv4(SIDE, FILTERS);
        left = new float[pairs * SIDE * SIDE];
        right = new float[pairs * SIDE * SIDE];
        labels = new float[pairs];
      } else {
        library =
            SiameseModel.builder()
                .encoder(EncoderSpec.conv4(glyphs.shape(), FILTERS))
                .loss(ContrastiveLoss.similarIsOne())
                .seed(1)
                .build();
        oneStep = TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(pairs).build();
      }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      if (library != null) {
        library.close();
      }
      if (djl != null) {
        djl.close();
      }
    }
  }

  @Benchmark
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public float[][] forwardLibrary(Forward s) {
    return s.library.embed(s.examples);
  }

  @Benchmark
  @Warmup(iterations = 3, time = 2)
  @Measurement(iterations = 5, time = 2)
  public float[] forwardDjl(Forward s) {
    // As the raw baseline of EncoderForwardBenchmark: one array per example, gathered into one.
    for (int i = 0; i < s.batch; i++) {
      System.arraycopy(s.examples[i], 0, s.flat, i * SIDE * SIDE, SIDE * SIDE);
    }
    return s.djl.embed(s.flat, s.batch);
  }

  @Benchmark
  @Warmup(iterations = 3, time = 3)
  @Measurement(iterations = 5, time = 3)
  public double trainingLibrary(Training s) {
    return s.library.fit(s.sampler, s.oneStep).finalLoss();
  }

  @Benchmark
  @Warmup(iterations = 3, time = 3)
  @Measurement(iterations = 5, time = 3)
  public float trainingDjl(Training s) {
    PairBatch batch = s.sampler.next(s.pairs);
    s.glyphs.gather(batch.leftIndices(), s.left);
    s.glyphs.gather(batch.rightIndices(), s.right);
    for (int i = 0; i < s.pairs; i++) {
      s.labels[i] = batch.isSame(i) ? 1f : 0f;
    }
    return s.djl.step(s.left, s.right, s.labels, s.pairs);
  }
}
