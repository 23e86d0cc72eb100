package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.data.ExampleShape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Result;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Embeds examples with an encoder exported by {@link SiameseModel#exportSavedModel}: any
 * TensorFlow SavedModel whose {@code serving_default} signature maps a float32 {@code input} of
 * shape {@code [-1, ...]} to a float32 {@code embedding} of shape {@code [-1, E]}.
 *
 * <p>Owns the loaded bundle: close it. Safe from many threads at once; after close every call
 * throws {@link IllegalStateException}.
 */
public final class SavedModelEmbedder implements AutoCloseable {
  private static final int CHUNK = 256;

  private final SavedModelBundle bundle;
  private final ExampleShape inputShape;
  private final int embeddingSize;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private boolean closed;

  private SavedModelEmbedder(SavedModelBundle bundle, ExampleShape inputShape, int embeddingSize) {
    this.bundle = bundle;
    this.inputShape = inputShape;
    this.embeddingSize = embeddingSize;
  }

  /**
   * Loads the SavedModel in {@code directory} (tag {@code serve}).
   *
   * @throws IllegalArgumentException naming the directory if it holds no SavedModel or its
   *     signature is not an embedding signature
   */
  public static SavedModelEmbedder open(Path directory) {
    return open(directory, 0, 0);
  }

  /**
   * Loads the SavedModel in {@code directory} (tag {@code serve}) with TensorFlow's thread pools
   * sized: {@code intraOp} threads inside one op, {@code interOp} ops at once, 0 for TensorFlow's
   * choice (one per core each). Several embedders in one JVM (one per Spark task, say) should each
   * take their share of the cores. As with {@link SiameseModel.Builder#threads}, the intra-op
   * setting takes effect only when the JVM runs with {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1}.
   *
   * @throws IllegalArgumentException naming the directory if it holds no SavedModel or its
   *     signature is not an embedding signature, or a thread count is negative
   */
  public static SavedModelEmbedder open(Path directory, int intraOp, int interOp) {
    checkNotNull(directory, "directory");
    checkArgument(intraOp >= 0, "intraOp threads must be >= 0, got %s", intraOp);
    checkArgument(interOp >= 0, "interOp threads must be >= 0, got %s", interOp);
    checkArgument(
        Files.isRegularFile(directory.resolve("saved_model.pb")),
        "%s holds no SavedModel (no saved_model.pb)",
        directory);
    SavedModelBundle bundle;
    try {
      SavedModelBundle.Loader loader = SavedModelBundle.loader(directory.toString()).withTags(SavedModelBundle.DEFAULT_TAG);
      if (intraOp > 0 || interOp > 0) {
        loader.withConfigProto(
            org.tensorflow.proto.ConfigProto.newBuilder()
                .setIntraOpParallelismThreads(intraOp)
                .setInterOpParallelismThreads(interOp)
                .build());
      }
      bundle = loader.load();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("could not load the SavedModel in " + directory + ": " + e.getMessage(), e);
    }
    try {
      Signature signature =
          bundle.signatures().stream()
              .filter(s -> s.key().equals(Signature.DEFAULT_KEY))
              .findFirst()
              .orElseThrow(() -> new IllegalArgumentException(directory + " has no " + Signature.DEFAULT_KEY + " signature"));
      Signature.TensorDescription in = signature.getInputs().get("input");
      Signature.TensorDescription out = signature.getOutputs().get("embedding");
      checkArgument(in != null && out != null, "%s: the signature must have input 'input' and output 'embedding', has %s -> %s",
          directory, signature.inputNames(), signature.outputNames());
      checkArgument(in.dataType == DataType.DT_FLOAT && out.dataType == DataType.DT_FLOAT, "%s: input and output must be float32", directory);
      Shape s = in.shape;
      checkArgument(
          (s.numDimensions() == 4 || s.numDimensions() == 2) && !hasUnknown(s, 1),
          "%s: input shape %s must be [-1, height, width, channels] or [-1, length]", directory, s);
      ExampleShape shape =
          s.numDimensions() == 4
              ? ExampleShape.image((int) s.get(1), (int) s.get(2), (int) s.get(3))
              : ExampleShape.vector((int) s.get(1));
      checkArgument(out.shape.numDimensions() == 2 && out.shape.get(1) > 0, "%s: embedding shape %s must be [-1, E]", directory, out.shape);
      return new SavedModelEmbedder(bundle, shape, (int) out.shape.get(1));
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  private static boolean hasUnknown(Shape s, int from) {
    for (int i = from; i < s.numDimensions(); i++) {
      if (s.get(i) < 0) {
        return true;
      }
    }
    return false;
  }

  /** The shape of one input example. */
  public ExampleShape inputShape() {
    return inputShape;
  }

  /** Floats per embedding. */
  public int embeddingSize() {
    return embeddingSize;
  }

  /**
   * The embeddings of {@code examples}, each of {@code inputShape().size()} finite floats.
   *
   * @return one array of {@link #embeddingSize()} floats per example, owned by the caller
   */
  public float[][] embed(float[][] examples) {
    checkNotNull(examples, "examples");
    checkArgument(examples.length > 0, "embed needs at least one example");
    int d = inputShape.size();
    for (int i = 0; i < examples.length; i++) {
      checkNotNull(examples[i], "example %s is null", i);
      checkArgument(examples[i].length == d, "example %s has %s floats; the encoder expects %s = %s", i, examples[i].length, inputShape, d);
      for (float v : examples[i]) {
        if (!Float.isFinite(v)) {
          throw new IllegalArgumentException("example " + i + " holds " + v + "; inputs must be finite");
        }
      }
    }
    lifecycle.readLock().lock();
    try {
      checkState(!closed, "this SavedModelEmbedder is closed");
      float[][] out = new float[examples.length][];
      for (int from = 0; from < examples.length; from += CHUNK) {
        int n = Math.min(CHUNK, examples.length - from);
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
          System.arraycopy(examples[from + i], 0, flat, i * d, d);
        }
        float[] result = new float[n * embeddingSize];
        try (TFloat32 x = InputTensors.of(inputShape, flat, n);
            Result r = bundle.call(Map.of("input", x))) {
          TFloat32 y = (TFloat32) r.get("embedding").orElseThrow();
          y.copyTo(DataBuffers.of(result, false, false));
        }
        for (int i = 0; i < n; i++) {
          out[from + i] = java.util.Arrays.copyOfRange(result, i * embeddingSize, (i + 1) * embeddingSize);
        }
      }
      return out;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Releases the bundle; waits for calls in progress. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (!closed) {
        closed = true;
        bundle.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
