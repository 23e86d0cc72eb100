package io.siamese.bench;

import io.siamese.data.Augmenter;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.PkBatch;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.data.TripletBatch;
import io.siamese.data.TripletSampler;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Batches per second that the data pipeline assembles on the CPU, with no TensorFlow involved:
 * sampling indices, gathering 28x28 {@link SyntheticGlyphs} images into reused buffers, and, with
 * {@code augment=true}, distorting every gathered image with {@link Augmenter#koch2015()}.
 *
 * <p>{@code batch} is the number of pairs, triplets, or P x K examples (K = 8, so P = batch / 8).
 * {@code storage=byte} holds the same glyphs as one byte per pixel ({@link
 * LabeledDataset#ofBytes}), decoded to floats while gathering; {@code float} holds floats.
 * {@link #gatherBaseline} gathers fixed indices without sampling or augmenting: the floor that
 * memory copying sets. Each benchmark returns a value read from its buffers so nothing is optimised
 * away.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class BatchAssemblyBenchmark {
  private static final int EXAMPLES_PER_CLASS_K = 8;

  @Param({"64", "256"})
  public int batch;

  @Param({"false", "true"})
  public boolean augment;

  @Param({"float", "byte"})
  public String storage;

  private LabeledDataset data;
  private ExampleShape shape;
  private BalancedPairSampler pairs;
  private TripletSampler triplets;
  private PkBatchSampler pk;
  private Augmenter augmenter;
  private SplittableRandom rng;
  private int[] fixedIndices;
  private float[] left;
  private float[] right;
  private float[] third;

  /** 100 classes x 20 examples at 28x28, generated once per trial. */
  @Setup(Level.Trial)
  public void setUp() {
    data =
        SyntheticGlyphs.builder()
            .classes(100)
            .examplesPerClass(20)
            .imageSize(28)
            .build()
            .generate();
    if (storage.equals("byte")) {
      data = toBytes(data);
    }
    shape = data.shape();
    pairs = BalancedPairSampler.of(data, 1);
    triplets = TripletSampler.of(data, 2);
    pk =
        PkBatchSampler.builder(data)
            .classesPerBatch(batch / EXAMPLES_PER_CLASS_K)
            .examplesPerClass(EXAMPLES_PER_CLASS_K)
            .seed(3)
            .build();
    augmenter = Augmenter.koch2015();
    rng = new SplittableRandom(4);
    fixedIndices = new int[batch];
    for (int i = 0; i < batch; i++) {
      fixedIndices[i] = (i * 37) % data.size();
    }
    left = new float[batch * data.featureSize()];
    right = new float[batch * data.featureSize()];
    third = new float[batch * data.featureSize()];
  }

  /** The same examples quantised to {@code round(255 v)}, one byte each. */
  private static LabeledDataset toBytes(LabeledDataset floats) {
    int n = floats.size();
    int size = floats.featureSize();
    byte[] bytes = new byte[n * size];
    for (int i = 0; i < n; i++) {
      float[] f = floats.features(i);
      for (int j = 0; j < size; j++) {
        bytes[i * size + j] = (byte) Math.min(255, Math.max(0, Math.round(f[j] * 255f)));
      }
    }
    return LabeledDataset.ofBytes(bytes, floats.labels(), floats.shape());
  }

  private void finish(float[] buffer) {
    if (augment) {
      augmenter.apply(buffer, batch, shape, rng);
    }
  }

  /** Baseline: gathering {@code batch} fixed examples, no sampling, no augmentation. */
  @Benchmark
  public float gatherBaseline() {
    data.gather(fixedIndices, left);
    return left[left.length - 1];
  }

  /** A balanced pair batch: sample, gather both sides, augment both. */
  @Benchmark
  public float pairs() {
    PairBatch b = pairs.next(batch);
    data.gather(b.leftIndices(), left);
    data.gather(b.rightIndices(), right);
    finish(left);
    finish(right);
    return left[0] + right[right.length - 1];
  }

  /** A triplet batch: sample, gather anchors, positives and negatives, augment all three. */
  @Benchmark
  public float triplets() {
    TripletBatch b = triplets.next(batch);
    data.gather(b.anchorIndices(), left);
    data.gather(b.positiveIndices(), right);
    data.gather(b.negativeIndices(), third);
    finish(left);
    finish(right);
    finish(third);
    return left[0] + right[1] + third[third.length - 1];
  }

  /** A P x K batch: sample, gather, augment. */
  @Benchmark
  public float pk() {
    PkBatch b = pk.next();
    data.gather(b.indices(), left);
    finish(left);
    return left[left.length - 1] + b.label(0);
  }
}
