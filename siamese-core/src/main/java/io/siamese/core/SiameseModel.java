package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotEvaluator;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.core.evaluation.PairEvaluator;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.gallery.Gallery;
import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.core.internal.Checks;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import io.siamese.core.train.TwinBatching;
import io.siamese.data.ClassBatchSampler;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairSampler;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.TripletSampler;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.LearnedParameterLoss;
import io.siamese.losses.PairLoss;
import io.siamese.losses.TripletLoss;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A Siamese network: one encoder applied to both examples of a pair (the twins share one set of
 * variables), trained with a {@link PairLoss}, a {@link BatchLoss}, a {@link TripletLoss} or Koch et
 * al.'s learned pair head ({@link KochPairHeadLoss}), and used to embed, compare and classify new
 * examples.
 *
 * <pre>{@code
 * try (SiameseModel model = SiameseModel.builder()
 *     .encoder(EncoderSpec.conv4(ExampleShape.image(28, 28, 1), 64))
 *     .loss(ContrastiveLoss.similarIsOne())
 *     .seed(42)
 *     .build()) {
 *   model.fit(BalancedPairSampler.of(train, 7), config, new ConsoleProgressListener(System.out));
 *   double d = model.distance(imageA, imageB);
 * }
 * }</pre>
 *
 * <p><b>Comparing.</b> Every comparison takes "smaller is more alike": {@link #distance}, the
 * thresholds of {@link #evaluatePairs} and {@link #isSame}, one-shot evaluation and classification.
 * It is the loss's {@link Distance}, or with the Koch head {@code -ln p} for the head's probability
 * {@code p} that the two show one class (see {@link KochHead}).
 *
 * <p><b>Ownership and threads.</b> The model owns its TensorFlow graph and session and releases
 * them in {@link #close()}. No TensorFlow object crosses the API: it takes and returns Java
 * arrays, which the caller owns. Embedding, comparison and evaluation are safe from many threads
 * at once; {@code fit} calls are serialised. After {@code close()}, every method throws {@link
 * IllegalStateException}.
 */
public final class SiameseModel implements Embedder, AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SiameseModel.class.getName());

  private final EncoderSpec encoderSpec;
  private final LossBinding binding;
  private final OptimizerSpec optimizerSpec;
  private final long seed;
  private final ModelRuntime runtime;
  private final GraphSession session;
  private final OperatingPoints points = new OperatingPoints();
  private volatile ImageReader preprocessing;

  /**
   * @param binding the loss, bound for this model's graph
   * @param restore every variable's value, or null to initialise them
   * @param inferenceOnly build the inference path only (no loss, no optimizer)
   */
  private SiameseModel(SiameseModelBuilder b, LossBinding binding, List<WeightsFile.Entry> restore, boolean inferenceOnly) {
    this.encoderSpec = b.encoder;
    this.binding = binding;
    this.optimizerSpec = b.optimizer;
    this.seed = b.seed;
    this.runtime = ModelRuntime.create(encoderSpec, binding, optimizerSpec, seed, b.session, b.twinBatching, restore, inferenceOnly);
    this.session = runtime.session;
    LOG.log(System.Logger.Level.DEBUG, () -> "built Siamese model: " + encoderSpec + ", loss " + binding.loss() + ", " + optimizerSpec);
  }

  /** A model rebuilt from a checked description and weights (see {@link SiameseModelLoader}). */
  static SiameseModel restored(
      ModelDescription d, LossBinding binding, List<WeightsFile.Entry> weights, boolean inferenceOnly, SessionConfig session) {
    SiameseModelBuilder b = builder().encoder(d.encoder).optimizer(d.optimizer).seed(d.seed);
    b.loss = binding.loss();
    b.defaults();
    b.session = session;
    SiameseModel model = new SiameseModel(b, binding, weights, inferenceOnly);
    if (model.runtime.trainer != null) {
      model.runtime.trainer.steps(d.steps);
    }
    d.operatingPoints.forEach(model.points::set);
    model.preprocessing = d.preprocessing.orElse(null);
    return model;
  }

  /** A builder; the encoder and the loss must be set. */
  public static SiameseModelBuilder builder() {
    return new SiameseModelBuilder();
  }

  /** The model {@code b} describes, with freshly initialised weights. */
  static SiameseModel built(SiameseModelBuilder b) {
    return new SiameseModel(b, LossBinding.of(b.loss, b.seed), null, false);
  }

  /**
   * Saves the weights (with the optimizer's state, and the Koch head's) and the configuration that
   * rebuilds this model into {@code directory}, replacing what a previous save put there: the step
   * count, and the learning-rate schedule if it is a ready-made one (of your own schedule, the rate
   * of the last step; see {@link LearningRateSchedule}). Crash-safe: a process killed at any moment
   * leaves the previous save or the new one loadable, never neither. Waits for a running {@code
   * fit}, unless called from its listener.
   *
   * @throws java.io.UncheckedIOException with the cause if the directory cannot be written
   */
  public void save(Path directory) {
    checkNotNull(directory, "directory");
    requireTrainable("saved (its optimizer state was not loaded; export it instead)");
    runtime.trainer.locked(() -> session.use(() -> {
      ModelDescription d =
          ModelDescription.of(
              encoderSpec, binding.loss(), comparison(), optimizerSpec, seed, runtime.trainer.steps(), points.all(),
              Optional.ofNullable(preprocessing), runtime.trainer.rateToSave());
      ModelFiles.write(directory, d, runtime.variables.read(session.session()));
      return null;
    }));
  }

  /**
   * Settings for loading the model saved in {@code directory}: the loss, thread pools and
   * precision of the loaded model; {@link #load(Path)} loads with the defaults.
   */
  public static SiameseModelLoader loader(Path directory) {
    return new SiameseModelLoader(directory);
  }

  /**
   * Loads a model saved by {@link #save}, with the loss it was saved with (any of the library's
   * losses; a custom one must be passed). Training goes on at the saved step count and schedule.
   * The files are treated as untrusted (see docs/errors.md): a load allocates about the size of
   * {@code weights.bin}, whatever they say. The caller owns the model and must close it.
   *
   * @throws IllegalArgumentException naming the file if nothing is saved there, or a file is
   *     truncated, corrupted, edited, over a documented cap or from an incompatible model
   * @throws java.io.UncheckedIOException with the cause if the files cannot be read
   */
  public static SiameseModel load(Path directory) {
    return SiameseModelLoader.load(directory, null, SessionConfig.DEFAULT);
  }

  /**
   * {@link #load(Path)}, training with {@code loss} from now on (needed for a custom loss); null
   * rebuilds the saved one.
   */
  public static SiameseModel load(Path directory, Object loss) {
    return SiameseModelLoader.load(directory, loss, SessionConfig.DEFAULT);
  }

  /**
   * Loads a model saved by {@link #save} for embedding, comparing and classifying only: no loss is
   * needed (even for a custom one), and neither the optimizer's state nor the training graph is
   * built. Such a model cannot {@code fit} or {@code save}; it can {@code exportSavedModel}.
   *
   * @see #load(Path)
   */
  public static SiameseModel loadForInference(Path directory) {
    return SiameseModelLoader.loadForInference(directory, SessionConfig.DEFAULT);
  }

  /**
   * Exports the encoder as a TensorFlow SavedModel into {@code directory}, which must not exist:
   * the inference graph only (no loss, gradients or optimizer state), signature {@code
   * serving_default} from {@code input} ({@code [-1, inputShape...]}) to {@code embedding} ({@code
   * [-1, embeddingSize]}), float32, plus {@code score} with the Koch head; stamped with the
   * TensorFlow version; beside it {@code siamese.properties} with this model's {@link
   * EmbeddingSpace} and operating points. Any TensorFlow runtime loads it; {@link
   * SavedModelEmbedder} makes embeddings of this model's space.
   */
  public void exportSavedModel(Path directory) {
    checkNotNull(directory, "directory");
    EmbeddingSpace now = embeddingSpace();
    session.use(() -> {
      List<WeightsFile.Entry> weights =
          runtime.variables.read(session.session()).stream().filter(e -> runtime.inferenceVariables.contains(e.name())).toList();
      SavedModelExport.write(
          directory, encoderSpec, () -> binding instanceof DistanceBinding ? binding : LossBinding.of(binding.loss(), seed), seed,
          weights, now, points.all(), Optional.ofNullable(preprocessing));
      return null;
    });
  }

  /**
   * Trains on pairs from {@code sampler} as {@code config} says, reporting to the listeners.
   *
   * @return one result per epoch
   * @throws IllegalStateException if this model's loss does not train on pairs (the message names
   *     the {@code fit} that fits it)
   * @throws IllegalArgumentException if the sampler's examples do not have the encoder's input shape
   * @throws io.siamese.core.train.TrainingDivergedException if a step's loss or gradients are not
   *     finite; that step is not applied
   */
  public TrainingHistory fit(PairSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    return trainer().fit(this, TrainingBatches.pairs(sampler, config, binding), config, listeners);
  }

  /**
   * Trains a model built with a {@link BatchLoss} on P x K batches, whose size {@code
   * config.batchSize()} must equal; the loss mines pairs or triplets in each.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(PkBatchSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    return trainer().fit(this, TrainingBatches.labelled(sampler, config, binding), config, listeners);
  }

  /**
   * Trains a model built with a {@link TripletLoss} on {@code config.batchSize()} triplets a step.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(TripletSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    return trainer().fit(this, TrainingBatches.triplets(sampler, config, binding), config, listeners);
  }

  /**
   * Trains a model built with a {@link LearnedParameterLoss} (ArcFace, CosFace, Proxy-Anchor, ...)
   * on batches over all training classes, by the dense class ids the loss's weights are indexed by;
   * the sampler's class count must be the loss's, its batch size {@code config.batchSize()}.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(ClassBatchSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    return trainer().fit(this, TrainingBatches.classes(sampler, config, binding), config, listeners);
  }

  private ModelTrainer trainer() {
    requireTrainable("trained");
    return runtime.trainer;
  }

  private void requireTrainable(String what) {
    checkState(runtime.trainer != null, "this model was loaded for inference and cannot be %s; load it with load(directory)", what);
  }

  /** A copy of every weight of the model now: encoder, heads and optimizer state. */
  public ModelWeights weights() {
    return session.use(() -> new ModelWeights(runtime.variables.read(session.session())));
  }

  /**
   * Sets every weight of the model, e.g. to what {@link #weights()} gave earlier.
   *
   * @throws IllegalArgumentException naming the variable if {@code weights} are another architecture's
   */
  public void setWeights(ModelWeights weights) {
    setWeights(checkNotNull(weights, "weights"), "ModelWeights");
  }

  private void setWeights(ModelWeights weights, String source) {
    session.use(() -> {
      runtime.variables.write(session.session(), weights.entries(), source);
      runtime.weightsChanged();
      return null;
    });
  }

  /**
   * The embeddings of a batch of examples.
   *
   * @param examples at least one; each {@code inputShape().size()} finite floats, row-major
   *     (channels last)
   * @return one embedding of {@link #embeddingSize()} floats per example, owned by the caller
   * @throws IllegalArgumentException naming the example with the wrong length or a non-finite value
   */
  @Override
  public float[][] embed(float[][] examples) {
    checkNotNull(examples, "examples");
    checkArgument(examples.length > 0, "embed needs at least one example");
    Checks.finiteRows(examples, inputSize(), i -> "example " + i, expected(), "inputs");
    return session.embed(examples);
  }

  @Override
  public float[][] embed(LabeledDataset data, int[] indices) {
    Checks.sameShape(checkNotNull(data, "data").shape(), inputShape(), "the dataset");
    Checks.fitsInArray(indices.length, inputSize(), indices.length + " examples");
    float[] flat = new float[indices.length * inputSize()];
    data.gather(indices, flat);
    return session.embedFlat(flat, indices.length);
  }

  /**
   * The distance between the embeddings of two examples, in {@link #embeddingDistance()}: smaller
   * means more alike. With the Koch head, {@code -ln p} for the head's probability {@code p}.
   */
  public double distance(float[] a, float[] b) {
    return compare(a, b, false);
  }

  /**
   * How alike two examples are, higher is more alike: with the Koch head its probability {@code p}
   * in {@code [0, 1]} that they show one class ({@link KochHead#probability}); otherwise {@code 1 /
   * (1 + distance(a, b))} in {@code (0, 1]}.
   */
  public double similarity(float[] a, float[] b) {
    return compare(a, b, true);
  }

  private double compare(float[] a, float[] b, boolean similarity) {
    Checks.finite(a, inputSize(), "first example", expected(), "inputs");
    Checks.finite(b, inputSize(), "second example", expected(), "inputs");
    return session.use(() -> {
      float[][] e = session.embed(new float[][] {a, b});
      Distance d = comparison();
      if (!similarity) {
        return d.between(e[0], e[1]);
      }
      return d instanceof KochHead head ? head.probability(e[0], e[1]) : 1.0 / (1.0 + d.between(e[0], e[1]));
    });
  }

  /**
   * Whether two examples show one class: {@code distance(a, b) <= threshold}, a threshold chosen on
   * held-out pairs (e.g. {@link PairMetrics#bestThreshold()} of {@link #evaluatePairs}). With the
   * Koch head, for "p >= 0.5" pass {@code Math.log(2)}.
   */
  public boolean isSame(float[] a, float[] b, double threshold) {
    checkArgument(Double.isFinite(threshold) && threshold >= 0, "threshold must be finite and >= 0, got %s", threshold);
    return distance(a, b) <= threshold;
  }

  /**
   * A classifier over a new {@link InMemoryGallery} of this model's space: enrol examples of new
   * classes at any time; it answers the class of the nearest one, or unknown beyond {@code
   * unknownThreshold}.
   */
  public <L> OneShotClassifier<L> oneShotClassifier(double unknownThreshold) {
    return OneShotClassifier.of(this, InMemoryGallery.create(embeddingSpace()), unknownThreshold);
  }

  /** A classifier that embeds with this model and searches {@code gallery} (a persistent one, say). */
  public <L> OneShotClassifier<L> oneShotClassifier(Gallery<L> gallery, double unknownThreshold) {
    return OneShotClassifier.of(this, gallery, unknownThreshold);
  }

  /** ROC AUC, thresholds and accuracies on {@code pairs} pairs drawn from {@code sampler}; see {@link PairEvaluator}. */
  public PairMetrics evaluatePairs(PairSampler sampler, int pairs) {
    return session.use(() -> PairEvaluator.evaluate(this, comparison(), sampler, pairs));
  }

  /** N-way K-shot accuracy over {@code count} episodes; see {@link OneShotEvaluator}. */
  public OneShotResult evaluateOneShot(EpisodeSampler episodes, int count) {
    return session.use(() -> OneShotEvaluator.evaluate(this, comparison(), episodes, count));
  }

  /** The encoder's architecture. */
  public EncoderSpec encoderSpec() {
    return encoderSpec;
  }

  @Override
  public ExampleShape inputShape() {
    return encoderSpec.inputShape();
  }

  @Override
  public int embeddingSize() {
    return encoderSpec.embeddingSize();
  }

  /** The loss as it was given: a {@link PairLoss}, {@link BatchLoss}, {@link TripletLoss} or {@link KochPairHeadLoss}. */
  public Object loss() {
    return binding.loss();
  }

  /** The training loss, as text. */
  public String lossDescription() {
    return binding.loss().toString();
  }

  /**
   * The distance of every comparison: the loss's, or with the Koch head a {@link KochHead} of its
   * current weights (a snapshot: take it again after training).
   */
  public Distance embeddingDistance() {
    return session.use(this::comparison);
  }

  /** The Koch head with its weights now, if this model has one (a snapshot). */
  public java.util.Optional<KochHead> kochHead() {
    return binding instanceof KochHeadBinding ? java.util.Optional.of((KochHead) embeddingDistance()) : java.util.Optional.empty();
  }

  private Distance comparison() {
    return binding.distance(session.session(), runtime.weightsVersion());
  }

  /**
   * The space of this model's embeddings now: their size, distance, and a digest of the
   * architecture and the weights inference uses, which changes with every training step. Galleries
   * record it and refuse embeddings of another space.
   */
  @Override
  public EmbeddingSpace embeddingSpace() {
    return session.use(() -> runtime.space(encoderSpec, comparison()));
  }

  /** The optimizer and its learning-rate schedule. */
  public OptimizerSpec optimizerSpec() {
    return optimizerSpec;
  }

  /** Training steps applied over this model's life, across fits, saves and loads: the schedule's next step. */
  public long trainingSteps() {
    return runtime.trainer == null ? 0 : runtime.trainer.steps();
  }

  /**
   * Keeps {@code point} with the model under its name (replacing one of that name): saved with it,
   * read back by {@link #load}, written into its export. Choose it on held-out data, e.g. {@link
   * PairMetrics#bestAccuracyPoint} of {@link #evaluatePairs}.
   */
  public void setOperatingPoint(OperatingPoint point) {
    points.set(checkNotNull(point, "point"));
  }

  /** The operating point of that name, if kept. */
  public Optional<OperatingPoint> operatingPoint(String name) {
    return points.get(name);
  }

  /**
   * Keeps how this model's images are read (e.g. the reader its training data was loaded with):
   * saved with it and written into its export, where {@code EmbedCommand} and the Spark embedder
   * read files with it, so that training and embedding preprocess identically.
   *
   * @throws IllegalArgumentException if the reader makes inputs of another shape than the encoder's
   */
  public void setPreprocessing(ImageReader reader) {
    checkArgument(
        checkNotNull(reader, "reader").shape().equals(inputShape()),
        "the reader makes %s inputs, the encoder takes %s", reader.shape(), inputShape());
    this.preprocessing = reader;
  }

  /** How this model's images are read, if it keeps that. */
  public Optional<ImageReader> preprocessing() {
    return Optional.ofNullable(preprocessing);
  }

  /** Every operating point kept, by name. */
  public List<OperatingPoint> operatingPoints() {
    return points.all();
  }

  /** The types of the ops in this model's graph, for tests of how it is built. */
  Set<String> opTypes() {
    return session.use(runtime::opTypes);
  }

  private int inputSize() {
    return encoderSpec.inputShape().size();
  }

  private String expected() {
    return "the encoder expects " + encoderSpec.inputShape() + " = " + inputSize();
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    return session.isClosed();
  }

  /** Releases the graph and session; waits for calls in progress. Idempotent. */
  @Override
  public void close() {
    session.close();
  }
}
