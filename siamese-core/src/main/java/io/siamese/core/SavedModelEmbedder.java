package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.core.internal.Checks;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.proto.DataType;
import org.tensorflow.types.TFloat32;

/**
 * Embeds examples with an encoder exported by {@link SiameseModel#exportSavedModel}: any
 * TensorFlow SavedModel whose {@code serving_default} signature maps a float32 {@code input} of
 * shape {@code [-1, ...]} to a float32 {@code embedding} of shape {@code [-1, E]}.
 *
 * <p>Its {@link #embeddingSpace()} is the exporting model's (read from the export's {@code
 * siamese.properties}), so its embeddings can go into the same galleries as the model's. An export
 * without that file (made by other tools) gets the Euclidean distance and a digest of its files.
 *
 * <p><b>Untrusted files.</b> A SavedModel is a program: before TensorFlow loads it, every op the
 * load or the serving signature can run is checked against an allow-list of maths, neural-network
 * and restore ops, and anything else ({@code ReadFile}, {@code WriteFile}, {@code PyFunc}, ...) is
 * refused naming the op; {@link Builder#trustAllOps()} turns that off for files you trust.
 *
 * <p>Owns the loaded bundle: close it. Safe from many threads at once; after close every call
 * throws {@link IllegalStateException}.
 */
public final class SavedModelEmbedder implements Embedder, AutoCloseable {

  private final GraphSession session;
  private final ExampleShape inputShape;
  private final int embeddingSize;
  private final EmbeddingSpace space;
  private final List<OperatingPoint> points;
  private final Optional<ImageReader> preprocessing;

  private SavedModelEmbedder(GraphSession session, ExampleShape inputShape, int embeddingSize, ExportSpace.Metadata metadata) {
    this.session = session;
    this.inputShape = inputShape;
    this.embeddingSize = embeddingSize;
    this.space = metadata.space();
    this.points = metadata.points();
    this.preprocessing = metadata.preprocessing();
  }

  /** Settings for {@link #open}: thread pools, and whether to trust every op. */
  public static Builder builder(Path directory) {
    return new Builder(checkNotNull(directory, "directory"));
  }

  /** Collects the settings of an embedder; {@link #build()} loads it. */
  public static final class Builder {
    private final Path directory;
    private SessionConfig config = SessionConfig.DEFAULT;
    private boolean trustAllOps;

    private Builder(Path directory) {
      this.directory = directory;
    }

    /** TensorFlow's thread pools, as {@link SavedModelEmbedder#open(Path, int, int)} takes them. */
    public Builder threads(int intraOp, int interOp) {
      this.config = config.withThreads(intraOp, interOp);
      return this;
    }

    /**
     * The arithmetic of the embedder's session (see {@link Precision}); {@link Precision#FP32} if
     * not set. The export itself is float32 either way.
     */
    public Builder precision(Precision precision) {
      this.config = config.withPrecision(checkNotNull(precision, "precision"));
      return this;
    }

    /**
     * Runs the SavedModel whatever ops it holds: only for files you trust as you trust code, since
     * a SavedModel's graph can read and write files or start processes.
     */
    public Builder trustAllOps() {
      this.trustAllOps = true;
      return this;
    }

    /**
     * Loads the SavedModel (tag {@code serve}).
     *
     * @throws IllegalArgumentException naming the directory if it holds no SavedModel, its
     *     signature is not an embedding signature, or it runs an op outside the allow-list
     */
    public SavedModelEmbedder build() {
      return SavedModelEmbedder.load(directory, config, trustAllOps);
    }
  }

  /** How the exporting model's images are read, if it kept that ({@code SiameseModel.setPreprocessing}). */
  public Optional<ImageReader> preprocessing() {
    return preprocessing;
  }

  /**
   * The space of the embeddings the export in {@code directory} makes, read from its files without
   * loading TensorFlow (a Spark driver, a gallery service): what {@link #embeddingSpace()} of an
   * embedder of it gives.
   *
   * @throws IllegalArgumentException if {@code directory} holds no SavedModel or its metadata is damaged
   */
  public static EmbeddingSpace embeddingSpace(Path directory) {
    checkNotNull(directory, "directory");
    checkArgument(Files.isRegularFile(directory.resolve("saved_model.pb")), "%s holds no SavedModel (no saved_model.pb)", directory);
    return ExportSpace.read(directory, null).space();
  }

  /** The operating points the exporting model kept ({@code SiameseModel.setOperatingPoint}), by name. */
  public List<OperatingPoint> operatingPoints() {
    return points;
  }

  /** The operating point of that name, if the exporting model kept one. */
  public Optional<OperatingPoint> operatingPoint(String name) {
    return points.stream().filter(o -> o.name().equals(name)).findFirst();
  }

  /**
   * Loads the SavedModel in {@code directory} (tag {@code serve}).
   *
   * @throws IllegalArgumentException naming the directory if it holds no SavedModel or its
   *     signature is not an embedding signature
   */
  public static SavedModelEmbedder open(Path directory) {
    return builder(directory).build();
  }

  /**
   * Loads the SavedModel in {@code directory} (tag {@code serve}) with TensorFlow's thread pools
   * sized: {@code intraOp} threads inside one op, {@code interOp} ops at once, 0 for TensorFlow's
   * choice (one per core each). Several embedders in one JVM (one per Spark task, say) should each
   * take their share of the cores. As with {@link SiameseModelBuilder#threads}, the intra-op
   * setting takes effect only when the JVM runs with {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1}.
   *
   * @throws IllegalArgumentException naming the directory if it holds no SavedModel or its
   *     signature is not an embedding signature, or a thread count is negative
   */
  public static SavedModelEmbedder open(Path directory, int intraOp, int interOp) {
    return builder(directory).threads(intraOp, interOp).build();
  }

  private static SavedModelEmbedder load(Path directory, SessionConfig requested, boolean trustAllOps) {
    checkArgument(
        Files.isRegularFile(directory.resolve("saved_model.pb")),
        "%s holds no SavedModel (no saved_model.pb)",
        directory);
    if (!trustAllOps) {
      SavedModelGuard.check(directory, SavedModelBundle.DEFAULT_TAG, Signature.DEFAULT_KEY);
    }
    SessionConfig config =
        requested.precision() == Precision.MIXED
            ? requested.forResidualBlocks(
                SavedModelGuard.hasConvolutionWithoutBias(directory, SavedModelBundle.DEFAULT_TAG), SessionConfig.CpuFeatures.DETECTED)
            : requested;
    SavedModelBundle bundle;
    try {
      SavedModelBundle.Loader loader = SavedModelBundle.loader(directory.toString()).withTags(SavedModelBundle.DEFAULT_TAG);
      if (!config.isDefault()) {
        config.beforeOpening();
        loader.withConfigProto(config.proto());
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
      int e = (int) out.shape.get(1);
      GraphSession session = new GraphSession(bundle.session(), bundle, "SavedModelEmbedder");
      session.embedding(tensor(bundle, in.name), tensor(bundle, out.name), shape, e);
      ExportSpace.Metadata metadata = ExportSpace.read(directory, bundle);
      checkArgument(
          metadata.space().dimension() == e,
          "%s: its metadata says embeddings of %s floats, its signature %s", directory, metadata.space().dimension(), e);
      return new SavedModelEmbedder(session, shape, e, metadata);
    } catch (RuntimeException e) {
      bundle.close();
      throw e;
    }
  }

  @SuppressWarnings("unchecked")
  private static Output<TFloat32> tensor(SavedModelBundle bundle, String name) {
    return (Output<TFloat32>) bundle.graph().outputOrThrow(name);
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
  @Override
  public ExampleShape inputShape() {
    return inputShape;
  }

  /** Floats per embedding. */
  @Override
  public int embeddingSize() {
    return embeddingSize;
  }

  @Override
  public EmbeddingSpace embeddingSpace() {
    return session.use(() -> space);
  }

  /**
   * The embeddings of {@code examples}, each of {@code inputShape().size()} finite floats.
   *
   * @return one array of {@link #embeddingSize()} floats per example, owned by the caller
   */
  @Override
  public float[][] embed(float[][] examples) {
    checkNotNull(examples, "examples");
    checkArgument(examples.length > 0, "embed needs at least one example");
    Checks.finiteRows(examples, inputShape.size(), i -> "example " + i, "the encoder expects " + inputShape + " = " + inputShape.size(), "inputs");
    return session.embed(examples);
  }

  /** Releases the bundle; waits for calls in progress. Idempotent. */
  @Override
  public void close() {
    session.close();
  }
}
