package io.siamese.bench;

import io.siamese.core.EncoderSpec;
import io.siamese.core.SiameseModel;
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

/**
 * Conv-4 forward pass at 28x28x1, 64 filters: the library's encoder ({@code library}) against the
 * same network hand-written in raw TensorFlow Java ops ({@code rawTensorFlow}), side by side in one
 * fork. Both read Java arrays and write Java arrays. Score: batches per second; multiply by {@code
 * batch} for embeddings per second, and divide library by raw for the cost of the abstraction.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar EncoderForward -rf json}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
public class EncoderForwardBenchmark {
  private static final int SIDE = 28;

  @Param({"1", "32", "256"})
  public int batch;

  private SiameseModel model;
  private RawConv4 raw;
  private float[][] examples;
  private float[] flat;
  private float[] rawOut;

  @Setup(Level.Trial)
  public void setUp() {
    model =
        SiameseModel.builder()
            .encoder(EncoderSpec.conv4(ExampleShape.image(SIDE, SIDE, 1), 64))
            .loss(ContrastiveLoss.similarIsOne())
            .seed(1)
            .build();
    raw = new RawConv4(SIDE, 64);
    SplittableRandom random = new SplittableRandom(5);
    examples = new float[batch][SIDE * SIDE];
    flat = new float[batch * SIDE * SIDE];
    for (int i = 0; i < batch; i++) {
      for (int j = 0; j < SIDE * SIDE; j++) {
        examples[i][j] = (float) random.nextDouble();
        flat[i * SIDE * SIDE + j] = examples[i][j];
      }
    }
    rawOut = new float[batch * raw.outputSize()];
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    model.close();
    raw.close();
  }

  @Benchmark
  public float[][] library() {
    return model.embed(examples);
  }

  @Benchmark
  public float[] rawTensorFlow() {
    // The raw baseline also starts from one array per example, as a caller's data arrives.
    for (int i = 0; i < batch; i++) {
      System.arraycopy(examples[i], 0, flat, i * SIDE * SIDE, SIDE * SIDE);
    }
    raw.embed(flat, batch, rawOut);
    return rawOut;
  }
}
