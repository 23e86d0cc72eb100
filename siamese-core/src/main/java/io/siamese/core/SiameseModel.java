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
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

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
  private final GraphSession session;
  private final VariableStore variables;
  private final Set<String> inferenceVariables;
  /** Null for a model loaded for inference only. */
  private final ModelTrainer trainer;
  private final OperatingPoints points = new OperatingPoints();
  private volatile SpaceSnapshot space;
  private volatile long inferenceWeightsVersion;
  private volatile ImageReader preprocessing;

  private record SpaceSnapshot(long version, EmbeddingSpace space) {}

  /**
   * @param binding the loss, bound for this model's graph
   * @param restore every variable's value, or null to initialise them
   * @param inferenceOnly build the inference path only (no loss, no optimizer)
   */
  private SiameseModel(Builder b, LossBinding binding, List<WeightsFile.Entry> restore, boolean inferenceOnly) {
    this.encoderSpec = b.encoder;
    this.binding = binding;
    this.optimizerSpec = b.optimizer;
    this.seed = b.seed;
    if (inferenceOnly) {
      GraphSession.Built<InferenceGraph> built =
          GraphSession.create(b.session, "SiameseModel", g -> new InferenceGraph(g, encoderSpec, binding, seed), false);
      this.session = built.session();
      this.variables = built.graph().variables;
      this.inferenceVariables = built.graph().inferenceVariables;
      session.embedding(built.graph().input, built.graph().embedding, encoderSpec.inputShape(), encoderSpec.embeddingSize());
      this.trainer = null;
    } else {
      GraphSession.Built<ModelGraph> built =
          GraphSession.create(
              b.session, "SiameseModel", g -> new ModelGraph(g, encoderSpec, binding, optimizerSpec, seed, b.twinBatching), restore == null);
      this.session = built.session();
      this.variables = built.graph().variables;
      this.inferenceVariables = built.graph().inferenceVariables;
      session.embedding(built.graph().input, built.graph().embedding, encoderSpec.inputShape(), encoderSpec.embeddingSize());
      this.trainer = new ModelTrainer(encoderSpec, binding, optimizerSpec, seed, session, built.graph());
    }
    try {
      session.use(() -> {
        if (restore != null) {
          variables.write(session.session(), restore, "the saved weights");
        } else if (!binding.initialValues().isEmpty()) {
          variables.writeSome(session.session(), binding.initialValues());
        }
        return null;
      });
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "built Siamese model: " + encoderSpec + ", loss " + binding.loss() + ", " + optimizerSpec);
  }

  /** A model rebuilt from a checked description and weights (see {@link ModelLoader}). */
  static SiameseModel restored(ModelDescription d, LossBinding binding, List<WeightsFile.Entry> weights, boolean inferenceOnly) {
    Builder b = builder().encoder(d.encoder).optimizer(d.optimizer).seed(d.seed);
    b.loss = binding.loss();
    b.defaults();
    SiameseModel model = new SiameseModel(b, binding, weights, inferenceOnly);
    if (model.trainer != null) {
      model.trainer.steps(d.steps);
    }
    d.operatingPoints.forEach(model.points::set);
    model.preprocessing = d.preprocessing.orElse(null);
    return model;
  }

  /** A builder; the encoder and the loss must be set. */
  public static Builder builder() {
    return new Builder();
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
    trainer.locked(() -> session.use(() -> {
      ModelDescription d =
          ModelDescription.of(
              encoderSpec, binding.loss(), comparison(), optimizerSpec, seed, trainer.steps(), points.all(),
              Optional.ofNullable(preprocessing), trainer.rateToSave());
      ModelFiles.write(directory, d, variables.read(session.session()));
      return null;
    }));
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
    return ModelLoader.load(directory, null);
  }

  /**
   * {@link #load(Path)}, training with {@code loss} from now on (needed for a custom loss); null
   * rebuilds the saved one.
   */
  public static SiameseModel load(Path directory, Object loss) {
    return ModelLoader.load(directory, loss);
  }

  /**
   * Loads a model saved by {@link #save} for embedding, comparing and classifying only: no loss is
   * needed (even for a custom one), and neither the optimizer's state nor the training graph is
   * built. Such a model cannot {@code fit} or {@code save}; it can {@code exportSavedModel}.
   *
   * @see #load(Path)
   */
  public static SiameseModel loadForInference(Path directory) {
    return ModelLoader.loadForInference(directory);
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
          variables.read(session.session()).stream().filter(e -> inferenceVariables.contains(e.name())).toList();
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
   * @throws IllegalStateException if this model's loss does not train on pairs
   * @throws IllegalArgumentException if the sampler's examples do not have the encoder's input shape
   * @throws io.siamese.core.train.TrainingDivergedException if a step's loss or gradients are not
   *     finite; that step is not applied
   */
  public TrainingHistory fit(PairSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireTrainable("trained");
    requireKind(BatchKind.PAIRS);
    int b = checkNotNull(config, "config").batchSize();
    Checks.fitsInArray(2L * b, inputSize(), "batchSize " + b + " pairs");
    return trainer.fit(this, TrainingBatches.pairs(sampler, b, binding.labelConvention()), config, listeners);
  }

  /**
   * Trains a model built with a {@link BatchLoss} on P x K batches from {@code sampler}, whose
   * batch size {@code config.batchSize()} must equal; the loss mines pairs or triplets in each.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(PkBatchSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireTrainable("trained");
    requireKind(BatchKind.LABELLED);
    checkArgument(
        checkNotNull(config, "config").batchSize() == sampler.batchSize(),
        "batchSize is %s but the P x K sampler makes batches of %s x %s = %s examples",
        config.batchSize(), sampler.classesPerBatch(), sampler.examplesPerClass(), sampler.batchSize());
    Checks.fitsInArray(sampler.batchSize(), inputSize(), "a P x K batch of " + sampler.batchSize() + " examples");
    return trainer.fit(this, TrainingBatches.labelled(sampler), config, listeners);
  }

  /**
   * Trains a model built with a {@link TripletLoss} on {@code config.batchSize()} triplets a step.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(TripletSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireTrainable("trained");
    requireKind(BatchKind.TRIPLETS);
    int b = checkNotNull(config, "config").batchSize();
    Checks.fitsInArray(3L * b, inputSize(), "batchSize " + b + " triplets");
    return trainer.fit(this, TrainingBatches.triplets(sampler, b), config, listeners);
  }

  /**
   * Trains a model built with a {@link LearnedParameterLoss} (ArcFace, CosFace, Proxy-Anchor, ...)
   * on batches over all training classes from {@code sampler}, whose dense class ids the loss's
   * class weights are indexed by; its class count must be the loss's, and its batch size {@code
   * config.batchSize()}.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(ClassBatchSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireTrainable("trained");
    requireKind(BatchKind.CLASSES);
    int classes = ((LearnedParameterLoss) binding.loss()).classes();
    checkArgument(
        sampler.classCount() == classes,
        "the sampler draws from %s classes but the loss %s has weights for %s; build the loss with classes(%s)",
        sampler.classCount(), binding.loss(), classes, sampler.classCount());
    checkArgument(
        checkNotNull(config, "config").batchSize() == sampler.batchSize(),
        "batchSize is %s but the sampler makes batches of %s", config.batchSize(), sampler.batchSize());
    Checks.fitsInArray(sampler.batchSize(), inputSize(), "a batch of " + sampler.batchSize() + " examples");
    return trainer.fit(this, TrainingBatches.classes(sampler), config, listeners);
  }

  private void requireTrainable(String what) {
    checkState(trainer != null, "this model was loaded for inference and cannot be %s; load it with load(directory)", what);
  }

  private void requireKind(BatchKind kind) {
    checkState(
        binding.batchKind() == kind,
        "this model trains with the loss %s on %s: use %s",
        binding.loss(), binding.batchKind().items, binding.batchKind().fit);
  }

  /** A copy of every weight of the model now: encoder, heads and optimizer state. */
  public ModelWeights weights() {
    return session.use(() -> new ModelWeights(variables.read(session.session())));
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
      variables.write(session.session(), weights.entries(), source);
      weightsChanged();
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

  /** The embedding of every example of {@code data}, in order. */
  public float[][] embed(LabeledDataset data) {
    int[] all = new int[checkNotNull(data, "data").size()];
    Arrays.setAll(all, i -> i);
    return embed(data, all);
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
    return binding.distance(session.session(), weightsVersion());
  }

  /**
   * The space of this model's embeddings now: their size, distance, and a digest of the
   * architecture and the weights inference uses, which changes with every training step. Galleries
   * record it and refuse embeddings of another space.
   */
  @Override
  public EmbeddingSpace embeddingSpace() {
    return session.use(() -> {
      long version = weightsVersion();
      SpaceSnapshot s = space;
      if (s == null || s.version() != version) {
        String digest = VariableStore.digest(encoderSpec.toString(), variables.read(session.session()), inferenceVariables);
        s = new SpaceSnapshot(version, new EmbeddingSpace(embeddingSize(), comparison(), digest));
        space = s;
      }
      return s.space();
    });
  }

  /** The optimizer and its learning-rate schedule. */
  public OptimizerSpec optimizerSpec() {
    return optimizerSpec;
  }

  /** Training steps applied over this model's life, across fits, saves and loads: the schedule's next step. */
  public long trainingSteps() {
    return trainer == null ? 0 : trainer.steps();
  }

  private long weightsVersion() {
    return trainer == null ? inferenceWeightsVersion : trainer.weightsVersion();
  }

  private void weightsChanged() {
    if (trainer == null) {
      inferenceWeightsVersion++;
    } else {
      trainer.weightsChanged();
    }
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
    return session.use(() -> {
      Set<String> types = new TreeSet<>();
      session.session().graph().operations().forEachRemaining(op -> types.add(op.type()));
      return types;
    });
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

  /** Collects the model's settings; {@link #build()} checks them and builds the graph. */
  public static final class Builder {
    private EncoderSpec encoder;
    private Object loss;
    private OptimizerSpec optimizer;
    private Long seedSet;
    private long seed;
    private SessionConfig session;
    private TwinBatching twinBatching;

    private Builder() {}

    /** The encoder both twins share. Required. */
    public Builder encoder(EncoderSpec encoder) {
      checkState(this.encoder == null, "encoder was already set to %s", this.encoder);
      this.encoder = checkNotNull(encoder, "encoder");
      return this;
    }

    /** A loss over labelled pairs, trained with {@code fit(PairSampler, ...)}. One loss is required. */
    public Builder loss(PairLoss loss) {
      return setLoss(loss);
    }

    /**
     * Koch et al.'s learned pair head on the encoder, trained with its binary cross-entropy on
     * labelled pairs. The model creates, trains, saves and loads the head's weights {@code alpha}
     * ({@code embeddingSize} floats, starting at {@code -1 / embeddingSize}) and {@code bias}
     * (starting at 0); comparisons then use the head (see {@link KochHead}).
     */
    public Builder loss(KochPairHeadLoss loss) {
      return setLoss(loss);
    }

    /** A loss that mines pairs or triplets in labelled batches, trained with {@code fit(PkBatchSampler, ...)}. */
    public Builder loss(BatchLoss loss) {
      return setLoss(loss);
    }

    /**
     * A loss with learned class weights or proxies of its own (ArcFace, CosFace, sub-centre ArcFace,
     * normalised softmax, Proxy-Anchor), trained with {@code fit(ClassBatchSampler, ...)}. The model
     * creates, trains, saves and loads its parameters, and leaves them out of inference and export.
     */
    public Builder loss(LearnedParameterLoss loss) {
      return setLoss(loss);
    }

    /** A loss over (anchor, positive, negative) triplets, trained with {@code fit(TripletSampler, ...)}. */
    public Builder loss(TripletLoss loss) {
      return setLoss(loss);
    }

    Builder setLoss(Object loss) {
      checkNotNull(loss, "loss");
      checkState(this.loss == null, "loss was already set to %s", this.loss);
      this.loss = loss;
      return this;
    }

    /** The optimizer and its learning rate or schedule; Adam with learning rate 1e-3 if not set. */
    public Builder optimizer(OptimizerSpec optimizer) {
      checkState(this.optimizer == null, "optimizer was already set to %s", this.optimizer);
      this.optimizer = checkNotNull(optimizer, "optimizer");
      return this;
    }

    /** The seed of the initial weights; 0 if not set. Same seed, same initial weights. */
    public Builder seed(long seed) {
      checkState(seedSet == null, "seed was already set to %s", seedSet);
      this.seedSet = seed;
      this.seed = seed;
      return this;
    }

    /** How training runs the twins of a pair through the encoder; {@link TwinBatching#STACKED} if not set. */
    public Builder twinBatching(TwinBatching twinBatching) {
      checkState(this.twinBatching == null, "twinBatching was already set to %s", this.twinBatching);
      this.twinBatching = checkNotNull(twinBatching, "twinBatching");
      return this;
    }

    /**
     * TensorFlow's thread pools: {@code intraOp} threads inside one op (a convolution), {@code
     * interOp} ops run at once; 0 lets TensorFlow choose (one per core each, the default).
     *
     * <p>TensorFlow keeps one intra-op pool per process, sized by the first device it creates, and
     * building a model creates one before this model's session: measured with TensorFlow Java 1.1.0,
     * {@code threads(1, 1)} leaves a Conv-4 forward at batch 256 as fast as the default (29.6 against
     * 30.9 ms on 2 cores). For the intra-op setting to take effect, start the JVM with {@code
     * TF_OVERRIDE_GLOBAL_THREADPOOL=1}, which gives every session a pool of its own (then 56.4 ms:
     * one thread). {@link #build()} logs a warning when {@code intraOp > 0} and it is not set.
     */
    public Builder threads(int intraOp, int interOp) {
      checkState(session == null, "threads were already set");
      this.session = SessionConfig.threads(intraOp, interOp);
      return this;
    }

    /** Whether TensorFlow gives each session its own intra-op pool (see {@link #threads}). */
    static boolean perSessionIntraOpPools() {
      return SessionConfig.perSessionIntraOpPools();
    }

    /**
     * Builds the graph and opens a session. The caller owns the model and must close it.
     *
     * @throws IllegalStateException if the encoder or the loss is missing
     */
    public SiameseModel build() {
      checkState(encoder != null, "the encoder must be set");
      checkState(loss != null, "the loss must be set");
      defaults();
      return new SiameseModel(this, LossBinding.of(loss, seed), null, false);
    }

    private void defaults() {
      optimizer = optimizer == null ? OptimizerSpec.adam(1e-3) : optimizer;
      session = session == null ? SessionConfig.DEFAULT : session;
      twinBatching = twinBatching == null ? TwinBatching.STACKED : twinBatching;
    }
  }
}
