package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotEvaluator;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairEvaluator;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.gallery.Gallery;
import io.siamese.core.gallery.InMemoryGallery;
import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.core.internal.Checks;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingDivergedException;
import io.siamese.core.train.TrainingHistory;
import io.siamese.core.train.TrainingListener;
import io.siamese.core.train.TwinBatching;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairSampler;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.TripletSampler;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.PairLoss;
import io.siamese.losses.TripletLoss;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import org.tensorflow.Graph;
import org.tensorflow.Session;

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
 *     .optimizer(OptimizerSpec.adam(1e-3))
 *     .seed(42)
 *     .build()) {
 *   model.fit(BalancedPairSampler.of(train, 7), config, new ConsoleProgressListener(System.out));
 *   double d = model.distance(imageA, imageB);
 * }
 * }</pre>
 *
 * <p><b>Comparing.</b> Every comparison takes "smaller is more alike": {@link #distance}, the
 * thresholds of {@link #evaluatePairs} and {@link #isSame}, the nearest support example of {@link
 * #evaluateOneShot} and {@link OneShotClassifier}. It is the loss's {@link Distance}, or for a
 * model with the Koch head {@code -ln p}, with {@code p} the head's probability that the two show
 * one class (see {@link KochHead}), so the most probable match is the nearest.
 *
 * <p><b>Learning rate.</b> The optimizer's {@link LearningRateSchedule} is asked for the rate of
 * every training step; the step counts this model's steps over all {@code fit} calls and is saved
 * with it ({@link #trainingSteps()}).
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
  private final ModelGraph graph;

  private final Lock trainLock = new ReentrantLock();
  /** Number of fit calls so far; guarded by trainLock. */
  private long fitCalls;
  /** Training steps applied over the model's life, the schedule's step; written under trainLock. */
  private volatile long trainingSteps;
  /** The rate of the last step applied, NaN before the first; guarded by trainLock. */
  private double lastRate = Double.NaN;
  /** Advanced whenever training or a restore changes the variables. */
  private volatile long weightsVersion;
  private volatile SpaceSnapshot space;

  private record SpaceSnapshot(long version, EmbeddingSpace space) {}

  private SiameseModel(Builder b) {
    this.encoderSpec = b.encoder;
    this.binding = LossBinding.of(b.loss);
    this.optimizerSpec = b.optimizer;
    this.seed = b.seed;
    Graph g = new Graph();
    Session s = null;
    try {
      this.graph = new ModelGraph(g, encoderSpec, binding, optimizerSpec, seed, b.twinBatching);
      s = b.session.open(g);
      s.initialize();
      Session opened = s;
      this.session = new GraphSession(s, () -> {
        try {
          opened.close();
        } finally {
          g.close();
        }
      }, "SiameseModel");
      session.embedding(graph.input, graph.embedding, encoderSpec.inputShape(), encoderSpec.embeddingSize());
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
    LOG.log(System.Logger.Level.DEBUG, () -> "built Siamese model: " + encoderSpec + ", loss " + b.loss + ", " + optimizerSpec);
  }

  /** A builder; the encoder and the loss must be set. */
  public static Builder builder() {
    return new Builder();
  }

  // ---- persistence ----

  /**
   * Saves the weights (with the optimizer's state, and the Koch head's if the model has it) and the
   * configuration that rebuilds this model into {@code directory}, replacing what a previous save
   * put there. The configuration holds the number of training steps so far and the learning-rate
   * schedule if it is a ready-made one; of a schedule of your own it holds the rate of the last
   * step (see {@link LearningRateSchedule}).
   *
   * <p>Crash-safe: the new copy is written and synced beside the old one, and an atomic rename of
   * a one-line pointer file makes it current; a process killed at any moment leaves the previous
   * copy or the new one loadable, never neither. Waits for a running {@code fit} to finish, unless
   * called from its listener.
   *
   * @throws java.io.UncheckedIOException with the cause if the directory cannot be written
   */
  public void save(Path directory) {
    checkNotNull(directory, "directory");
    trainLock.lock();
    try {
      session.use(() -> {
        // A never-trained model with a schedule of its own keeps its first rate.
        double rate = Double.isNaN(lastRate) ? optimizerSpec.learningRate() : lastRate;
        ModelDescription d = new ModelDescription(encoderSpec, binding.loss(), optimizerSpec, seed, trainingSteps, rate);
        ModelFiles.write(directory, d, graph.variables.read(session.session()));
        return null;
      });
    } finally {
      trainLock.unlock();
    }
  }

  /**
   * Loads a model saved by {@link #save}. Its loss must be one this library can rebuild from its
   * description; for a custom loss use {@link #load(Path, PairLoss)} or {@link #load(Path,
   * BatchLoss)}. Training goes on at the saved step count and schedule. The caller owns the model
   * and must close it.
   *
   * @throws IllegalArgumentException naming the file if nothing is saved there, or a file is
   *     truncated, corrupted or from an incompatible model
   * @throws java.io.UncheckedIOException with the cause if the files cannot be read
   */
  public static SiameseModel load(Path directory) {
    return load(directory, (Object) null);
  }

  /** Loads a model saved by {@link #save}, training it with {@code loss} from now on. */
  public static SiameseModel load(Path directory, BatchLoss loss) {
    return load(directory, (Object) checkNotNull(loss, "loss"));
  }

  /**
   * Loads a model saved by {@link #save}, training it with {@code loss} from now on; {@code loss}
   * may be null to rebuild the saved one.
   */
  public static SiameseModel load(Path directory, PairLoss loss) {
    return load(directory, (Object) loss);
  }

  private static SiameseModel load(Path directory, Object loss) {
    checkNotNull(directory, "directory");
    ModelFiles.Saved saved = ModelFiles.read(directory);
    ModelDescription d = saved.description();
    Object chosen;
    if (d.koch) {
      checkArgument(
          loss == null,
          "%s was trained with the Koch pair head (%s), whose weights are part of the model; load it with load(directory)",
          directory,
          d.lossDescription);
      chosen = d.loss.orElseThrow();
    } else {
      chosen = loss != null ? loss : d.loss.orElseThrow(() -> new IllegalArgumentException(
          directory + " was trained with a custom loss (" + d.lossDescription + "); pass it to load(directory, loss)"));
    }
    Builder builder = builder().encoder(d.encoder).optimizer(d.optimizer).seed(d.seed);
    builder.loss = chosen;
    SiameseModel model = builder.build();
    model.trainingSteps = d.steps;
    try {
      model.setWeights(new ModelWeights(saved.weights()), saved.weightsSource());
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /**
   * Exports the encoder as a TensorFlow SavedModel into {@code directory}, which must not exist;
   * see {@link SavedModelExport} for what it holds. Any TensorFlow runtime can load it.
   */
  public void exportSavedModel(Path directory) {
    checkNotNull(directory, "directory");
    EmbeddingSpace space = embeddingSpace();
    session.use(() -> {
      SavedModelExport.write(directory, session.session(), graph, binding, space);
      return null;
    });
  }

  // ---- training ----

  /**
   * Trains on pairs from {@code sampler} as {@code config} says, reporting to the listeners.
   *
   * @return one result per epoch
   * @throws IllegalStateException if this model's loss does not train on pairs
   * @throws IllegalArgumentException if the sampler's examples do not have the encoder's input shape
   * @throws io.siamese.core.train.TrainingDivergedException if a batch loss is NaN or infinite
   */
  public TrainingHistory fit(PairSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireKind(BatchKind.PAIRS);
    int b = checkNotNull(config, "config").batchSize();
    Checks.fitsInArray(2L * b, inputSize(), "batchSize " + b + " pairs");
    var convention = binding instanceof KochHeadBinding k ? k.labelConvention() : ((PairLossBinding) binding).labelConvention();
    return fitWith(TrainingBatches.pairs(sampler, b, convention), config, listeners);
  }

  /**
   * Trains a model built with a {@link BatchLoss} on P x K batches from {@code sampler}: each step
   * embeds the {@code P * K} examples of one batch and the loss mines its pairs or triplets among
   * them. {@code config.batchSize()} must equal the sampler's batch size.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(PkBatchSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireKind(BatchKind.LABELLED);
    checkArgument(
        checkNotNull(config, "config").batchSize() == sampler.batchSize(),
        "batchSize is %s but the P x K sampler makes batches of %s x %s = %s examples",
        config.batchSize(),
        sampler.classesPerBatch(),
        sampler.examplesPerClass(),
        sampler.batchSize());
    Checks.fitsInArray(sampler.batchSize(), inputSize(), "a P x K batch of " + sampler.batchSize() + " examples");
    return fitWith(TrainingBatches.labelled(sampler), config, listeners);
  }

  /**
   * Trains a model built with a {@link TripletLoss} on {@code config.batchSize()} triplets per step
   * from {@code sampler}; each step embeds the anchors, positives and negatives as one batch.
   *
   * @see #fit(PairSampler, TrainingConfig, TrainingListener...)
   */
  public TrainingHistory fit(TripletSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    requireKind(BatchKind.TRIPLETS);
    int b = checkNotNull(config, "config").batchSize();
    Checks.fitsInArray(3L * b, inputSize(), "batchSize " + b + " triplets");
    return fitWith(TrainingBatches.triplets(sampler, b), config, listeners);
  }

  private void requireKind(BatchKind kind) {
    checkState(
        binding.batchKind() == kind,
        "this model trains with the loss %s on %s: use %s",
        binding.loss(),
        binding.batchKind().items,
        binding.batchKind().fit);
  }

  private TrainingHistory fitWith(TrainingBatches batches, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(listeners, "listeners");
    requireInputShape(batches.data.shape(), "the training sampler's dataset");
    config.validation().ifPresent(v -> requireInputShape(v.dataset().shape(), "the validation sampler's dataset"));
    config.oneShotValidation().ifPresent(v -> requireInputShape(v.dataset().shape(), "the validation episode sampler's dataset"));
    trainLock.lock();
    try {
      return session.use(() -> {
        // Seeded from the model and advanced across fit calls, so a run repeats exactly.
        SplittableRandom random = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + fitCalls++);
        return new TrainingLoop(this, batches, config, List.of(listeners), random).run();
      });
    } finally {
      trainLock.unlock();
    }
  }

  /**
   * The learning rate of the next step, from the schedule.
   *
   * @throws IllegalArgumentException if the schedule gives a rate that is not finite and >= 0
   */
  double scheduledRate() {
    LearningRateSchedule schedule = optimizerSpec.schedule();
    long step = trainingSteps;
    double rate = schedule.rate(step);
    if (!(rate >= 0 && Float.isFinite((float) rate))) {
      throw new IllegalArgumentException(
          "the learning-rate schedule " + schedule + " gave " + rate + " for step " + step
              + "; rates must be finite (as float32) and >= 0");
    }
    return rate;
  }

  /** Runs one step of {@code batches}' current batch; NaN when it was stopped, nothing changed. */
  double runStep(TrainingBatches batches, float rate) {
    return graph.runStep(
        session.session(), batches.examples, batches.examplesPerStep(), batches.kind, batches.pairLabels,
        batches.classLabels, rate, encoderSpec);
  }

  /** Counts a step that was applied at {@code rate}. */
  void stepApplied(double rate) {
    trainingSteps++;
    lastRate = rate;
    weightsVersion++;
  }

  /** A copy of every weight of the model now: encoder, heads and optimizer state. */
  public ModelWeights weights() {
    return session.use(() -> new ModelWeights(graph.variables.read(session.session())));
  }

  /**
   * Sets every weight of the model, e.g. to what {@link #weights()} gave earlier.
   *
   * @throws IllegalArgumentException naming the variable if {@code weights} are not this
   *     architecture's (another encoder, loss head or optimizer)
   */
  public void setWeights(ModelWeights weights) {
    setWeights(checkNotNull(weights, "weights"), "the weights given");
  }

  private void setWeights(ModelWeights weights, String source) {
    session.use(() -> {
      graph.variables.write(session.session(), weights.entries(), source);
      weightsVersion++;
      return null;
    });
  }

  // ---- inference ----

  /**
   * The embeddings of a batch of examples.
   *
   * @param examples each of {@code inputShape().size()} finite floats, row-major (channels last);
   *     at least one
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

  /**
   * The embedding of every example of {@code data}, in order.
   *
   * @throws IllegalArgumentException if the dataset's shape is not the encoder's input shape
   */
  public float[][] embed(LabeledDataset data) {
    checkNotNull(data, "data");
    int[] all = new int[data.size()];
    Arrays.setAll(all, i -> i);
    return embed(data, all);
  }

  @Override
  public float[][] embed(LabeledDataset data, int[] indices) {
    checkNotNull(data, "data");
    requireInputShape(data.shape(), "the dataset");
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
    Checks.finite(a, inputSize(), "first example", expected(), "inputs");
    Checks.finite(b, inputSize(), "second example", expected(), "inputs");
    return session.use(() -> {
      float[][] e = session.embed(new float[][] {a, b});
      return comparison().between(e[0], e[1]);
    });
  }

  /**
   * How alike two examples are, higher is more alike. With the Koch head, the head's probability
   * {@code p} in {@code [0, 1]} that they show one class ({@link KochHead#probability}), which
   * equals {@code exp(-distance(a, b))}. Otherwise {@code 1 / (1 + distance(a, b))} in {@code (0,
   * 1]}, 1 for identical embeddings.
   */
  public double similarity(float[] a, float[] b) {
    if (!(binding instanceof KochHeadBinding koch)) {
      return 1.0 / (1.0 + distance(a, b));
    }
    Checks.finite(a, inputSize(), "first example", expected(), "inputs");
    Checks.finite(b, inputSize(), "second example", expected(), "inputs");
    return session.use(() -> {
      float[][] e = session.embed(new float[][] {a, b});
      return koch.head(session.session(), weightsVersion).probability(e[0], e[1]);
    });
  }

  /**
   * Whether two examples show one class: {@code distance(a, b) <= threshold}. Choose the threshold
   * on held-out pairs, e.g. {@link PairMetrics#bestThreshold()} of {@link #evaluatePairs}. With the
   * Koch head, {@code isSame(a, b, t)} is {@code similarity(a, b) >= exp(-t)}: for "p >= 0.5"
   * pass {@code Math.log(2)}.
   */
  public boolean isSame(float[] a, float[] b, double threshold) {
    checkArgument(Double.isFinite(threshold) && threshold >= 0, "threshold must be finite and >= 0, got %s", threshold);
    return distance(a, b) <= threshold;
  }

  /**
   * A classifier over a new {@link InMemoryGallery} of this model's {@link #embeddingSpace()}, to
   * which examples of new classes can be enrolled at any time; it answers the class of the nearest
   * enrolled example, or unknown when its distance exceeds {@code unknownThreshold}.
   */
  public <L> OneShotClassifier<L> oneShotClassifier(double unknownThreshold) {
    return OneShotClassifier.of(this, InMemoryGallery.create(embeddingSpace()), unknownThreshold);
  }

  /** A classifier that embeds with this model and searches {@code gallery} (persistent, say). */
  public <L> OneShotClassifier<L> oneShotClassifier(Gallery<L> gallery, double unknownThreshold) {
    return OneShotClassifier.of(this, gallery, unknownThreshold);
  }

  /** ROC AUC, the best threshold and its accuracy on {@code pairs} pairs drawn from {@code sampler}. */
  public PairMetrics evaluatePairs(PairSampler sampler, int pairs) {
    return session.use(() -> PairEvaluator.evaluate(this, comparison(), sampler, pairs));
  }

  /**
   * N-way K-shot accuracy over {@code count} episodes: each query is given the class of its
   * nearest support example. Use episodes over classes never seen in training.
   */
  public OneShotResult evaluateOneShot(EpisodeSampler episodes, int count) {
    return session.use(() -> OneShotEvaluator.evaluate(this, comparison(), episodes, count));
  }

  // ---- accessors ----

  /** The encoder's architecture. */
  public EncoderSpec encoderSpec() {
    return encoderSpec;
  }

  @Override
  public ExampleShape inputShape() {
    return encoderSpec.inputShape();
  }

  /** Floats per embedding. */
  @Override
  public int embeddingSize() {
    return encoderSpec.embeddingSize();
  }

  /** The pair loss this model trains with, if it trains on pairs with one. */
  public Optional<PairLoss> pairLoss() {
    return binding.loss() instanceof PairLoss p ? Optional.of(p) : Optional.empty();
  }

  /** The batch loss this model trains with, if it trains on labelled (P x K) batches. */
  public Optional<BatchLoss> batchLoss() {
    return binding.loss() instanceof BatchLoss b ? Optional.of(b) : Optional.empty();
  }

  /** The triplet loss this model trains with, if it trains on triplets. */
  public Optional<TripletLoss> tripletLoss() {
    return binding.loss() instanceof TripletLoss t ? Optional.of(t) : Optional.empty();
  }

  /** The Koch et al. pair head loss this model trains with, if it has that head. */
  public Optional<KochPairHeadLoss> kochHeadLoss() {
    return binding.loss() instanceof KochPairHeadLoss k ? Optional.of(k) : Optional.empty();
  }

  /**
   * The Koch head with its weights now, if this model has it. A snapshot: training afterwards does
   * not change it.
   */
  public Optional<KochHead> kochHead() {
    return binding instanceof KochHeadBinding ? Optional.of((KochHead) embeddingDistance()) : Optional.empty();
  }

  /**
   * The distance of every comparison (smaller is more alike): the training loss's, or for a model
   * with the Koch head the {@link KochHead} with its current weights (a snapshot: take it again
   * after training).
   */
  public Distance embeddingDistance() {
    return session.use(this::comparison);
  }

  /** The distance of comparisons now; call with the session open. */
  private Distance comparison() {
    return binding.distance(session.session(), weightsVersion);
  }

  /**
   * The space of this model's embeddings now: their size, distance, and a digest of the
   * architecture and the weights inference uses, which changes with every training step. Galleries
   * record it and refuse embeddings of another space.
   */
  @Override
  public EmbeddingSpace embeddingSpace() {
    return session.use(() -> {
      long version = weightsVersion;
      SpaceSnapshot s = space;
      if (s == null || s.version() != version) {
        String digest = VariableStore.digest(encoderSpec.toString(), graph.variables.read(session.session()), graph.inferenceVariables);
        s = new SpaceSnapshot(version, new EmbeddingSpace(embeddingSize(), comparison(), digest));
        space = s;
      }
      return s.space();
    });
  }

  /** The training loss, as text. */
  public String lossDescription() {
    return binding.loss().toString();
  }

  /** The optimizer and its learning-rate schedule. */
  public OptimizerSpec optimizerSpec() {
    return optimizerSpec;
  }

  /**
   * Training steps applied over this model's life, across {@code fit} calls and saving and
   * loading: the step its {@link LearningRateSchedule} is asked about next.
   */
  public long trainingSteps() {
    return trainingSteps;
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

  private void requireInputShape(ExampleShape shape, String what) {
    checkArgument(
        shape.equals(encoderSpec.inputShape()),
        "%s holds examples of shape %s, but the encoder expects %s",
        what,
        shape,
        encoderSpec.inputShape());
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
    private SessionConfig session = SessionConfig.DEFAULT;
    private boolean threadsSet;
    private io.siamese.core.train.TwinBatching twinBatching = io.siamese.core.train.TwinBatching.STACKED;
    private boolean twinBatchingSet;

    private Builder() {}

    /** How training runs the twins of a pair through the encoder; {@code STACKED} if not set. */
    public Builder twinBatching(io.siamese.core.train.TwinBatching twinBatching) {
      checkState(!twinBatchingSet, "twinBatching was already set to %s", this.twinBatching);
      this.twinBatching = checkNotNull(twinBatching, "twinBatching");
      this.twinBatchingSet = true;
      return this;
    }

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
     * Koch et al.'s learned pair head on top of the encoder, trained with its binary cross-entropy
     * on labelled pairs ({@code fit(PairSampler, ...)}). The model creates the head's weights,
     * {@code alpha} of {@code embeddingSize} floats (starting at {@code -1 / embeddingSize}) and
     * {@code bias} (starting at 0), trains, saves and loads them with the encoder. Comparisons then
     * use the head: see {@link KochHead}.
     */
    public Builder loss(KochPairHeadLoss loss) {
      return setLoss(loss);
    }

    /**
     * A loss over labelled batches that mines its own pairs or triplets (e.g. batch-hard triplet),
     * trained with {@code fit(PkBatchSampler, ...)}.
     */
    public Builder loss(BatchLoss loss) {
      return setLoss(loss);
    }

    /** A loss over (anchor, positive, negative) triplets, trained with {@code fit(TripletSampler, ...)}. */
    public Builder loss(TripletLoss loss) {
      return setLoss(loss);
    }

    private Builder setLoss(Object loss) {
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

    /**
     * TensorFlow's thread pools: {@code intraOp} threads inside one op (a convolution), {@code
     * interOp} ops run at once. 0 lets TensorFlow choose (the default: one per core each).
     *
     * <p>TensorFlow keeps one intra-op pool per process, sized by the first device it creates, and
     * building a model creates one before this model's session: measured with TensorFlow Java 1.1.0,
     * {@code threads(1, 1)} leaves a Conv-4 forward at batch 256 as fast as the default (29.6 against
     * 30.9 ms on 2 cores). For the intra-op setting to take effect, start the JVM with the
     * environment variable {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1}, which gives every session a pool
     * of its own (then 56.4 ms: one thread). {@link #build()} logs a warning when {@code intraOp > 0}
     * and the variable is not set.
     */
    public Builder threads(int intraOp, int interOp) {
      checkState(!threadsSet, "threads were already set");
      this.session = SessionConfig.threads(intraOp, interOp);
      this.threadsSet = true;
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
      if (optimizer == null) {
        optimizer = OptimizerSpec.adam(1e-3);
      }
      return new SiameseModel(this);
    }
  }
}
