package io.siamese.bench;

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
import org.tensorflow.Session;
import org.tensorflow.op.Ops;
import org.tensorflow.op.linalg.MatMul;
import org.tensorflow.types.TFloat32;

/**
 * The practical peak that the encoder benchmarks' GFLOP/s are read against: one float32 {@code
 * size x size} by {@code size x size} matrix product ({@code 2 size^3} FLOP, 17.2 GFLOP at 2048) in
 * TensorFlow Java, with the same session and thread settings as {@link EncoderForwardBenchmark}.
 * Both matrices are variables, initialised once, and the product is run as a target and not
 * fetched, so a call measures TensorFlow's matrix kernel plus one {@code Session.run} (about 70
 * us against about 50 ms of arithmetic at 2048 on 2 cores).
 *
 * <p>Score: products per second; the secondary result {@code :gflop} (printed in ops/s) is GFLOP/s,
 * i.e. score x {@code 2 size^3 / 1e9}. About 380 GFLOP/s on 2 AVX-512 cores per {@code
 * ../shared/docs/BENCHMARKS.md}.
 *
 * <p>{@code java -jar siamese-bench/target/benchmarks.jar MatMulPeak}
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
public class MatMulPeakBenchmark {
  /** Matrix side. */
  @Param({"2048"})
  public int size;

  /** TensorFlow's intra-op threads; 0 = TensorFlow's default. */
  @Param({"0"})
  public int intraOp;

  /** TensorFlow's inter-op threads; 0 = TensorFlow's default. */
  @Param({"0"})
  public int interOp;

  private Graph graph;
  private Session session;
  private MatMul<TFloat32> product;
  private double gflopPerCall;

  @Setup(Level.Trial)
  public void setUp() {
    graph = new Graph();
    try {
      Ops tf = Ops.create(graph);
      product = tf.linalg.matMul(matrix(tf, 1), matrix(tf, 2));
      session = new Session(graph, TfSupport.threads(intraOp, interOp));
      session.initialize();
    } catch (RuntimeException e) {
      graph.close();
      throw e;
    }
    TfSupport.reportDevicesOnce(); // after the session: the first session sizes TensorFlow's pools
    gflopPerCall = Flops.matMul(size) / 1e9;
  }

  /** A {@code size x size} variable of seeded standard normal values. */
  private Operand<TFloat32> matrix(Ops tf, long seed) {
    Ops init = tf.withInitScope();
    return tf.variable(
        init.random.statelessRandomNormal(
            init.constant(new long[] {size, size}), init.constant(new long[] {seed, 5}), TFloat32.class));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (session != null) {
      session.close();
    }
    graph.close();
  }

  @Benchmark
  public void matMul(GflopCounter counter) {
    counter.gflop += gflopPerCall;
    session.runner().addTarget(product).run().close();
  }
}
