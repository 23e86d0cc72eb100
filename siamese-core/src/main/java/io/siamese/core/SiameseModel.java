package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.PairSampler;
import io.siamese.data.PkBatch;
import io.siamese.data.PkBatchSampler;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.PairLabelConvention;
import io.siamese.losses.PairLoss;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Signature;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.framework.optimizers.Optimizer;
import org.tensorflow.op.core.Gradients;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.op.core.PlaceholderWithDefault;
import org.tensorflow.op.core.Variable;
import org.tensorflow.op.core.Split;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.types.TBool;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

/**
 * A Siamese network: one encoder applied to both examples of a pair (the twins share one set of
 * variables), trained with a {@link PairLoss}, a {@link BatchLoss} or Koch et al.'s learned pair
 * head ({@link KochPairHeadLoss}), and used to embed, compare and classify new examples.
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
 * <p><b>Twins in one batch.</b> A training step stacks the left and right examples of its pairs
 * into one batch of {@code 2 * B} examples, runs the encoder once and splits the embeddings: the
 * weights are shared by construction, and one large convolution is faster than two small ones.
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
public final class SiameseModel implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(SiameseModel.class.getName());
  /** Examples per session run when embedding; bounds the memory of one call. */
  private static final int EMBED_CHUNK = 256;
  private static final String CONFIG_FILE = "model.properties";
  private static final String WEIGHTS_FILE = "weights.bin";
  /** Name of the assertion that stops a training step whose loss or gradients are not finite. */
  private static final String FINITE_CHECK = "finite_check";
  /** What the losses' own assertions say when an embedding is not finite (siamese-losses' Distances). */
  private static final String LOSS_FINITE_CHECK = "must be finite, but contain NaN or infinity";

  private final EncoderSpec encoderSpec;
  /** Exactly one of pairLoss, batchLoss and kochLoss is set. */
  private final PairLoss pairLoss;
  private final BatchLoss batchLoss;
  private final KochPairHeadLoss kochLoss;
  /** The loss's distance; null with the Koch head, whose distance changes with its weights. */
  private final Distance distance;
  private final OptimizerSpec optimizerSpec;
  private final long seed;
  private final int inputSize;

  private final Graph graph;
  private final Session session;
  private final Placeholder<TFloat32> input;
  private final Operand<TFloat32> embedding;
  private final Placeholder<TFloat32> pairLabels;
  private final Placeholder<TInt32> classLabels;
  private final Operand<TFloat32> lossValue;
  /** The step size, fed with each training step; defaults to the rate of step 0. */
  private final PlaceholderWithDefault<TFloat32> learningRate;
  private final Op trainStep;
  /** The Koch head's weights, shape [E] and []; null without the head. */
  private final Variable<TFloat32> headAlpha;
  private final Variable<TFloat32> headBias;
  /** The head applied to two batches of embeddings, for the exported "score" signature. */
  private final Placeholder<TFloat32> scoreLeft;
  private final Placeholder<TFloat32> scoreRight;
  private final Operand<TFloat32> scoreLogit;
  private final Operand<TFloat32> scoreProbability;
  /** Every variable of the graph (encoder and optimizer state), sorted by name, with its restore ops. */
  private final List<VariableSlot> variables = new ArrayList<>();

  /** Read: any use of the session. Write: close. */
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private final Lock trainLock = new ReentrantLock();
  /** Number of fit calls so far; guarded by trainLock. */
  private long fitCalls;
  /** Training steps applied over the model's life, the schedule's step; written under trainLock. */
  private volatile long trainingSteps;
  /** The rate of the last step applied, NaN before the first; guarded by trainLock. */
  private double lastRate = Double.NaN;
  /** Advanced whenever training or a restore changes the variables. */
  private volatile long weightsVersion;
  /** The Koch head's weights as of a version, read from the session when that version is stale. */
  private volatile HeadSnapshot headSnapshot;
  private boolean closed;

  private record HeadSnapshot(long version, KochHead head) {}

  private SiameseModel(Builder b) {
    this.encoderSpec = b.encoder;
    this.pairLoss = b.pairLoss;
    this.batchLoss = b.batchLoss;
    this.kochLoss = b.kochLoss;
    this.distance = pairLoss != null ? pairLoss.distance() : batchLoss != null ? batchLoss.distance() : null;
    this.optimizerSpec = b.optimizer;
    this.seed = b.seed;
    this.inputSize = encoderSpec.inputShape().size();
    Graph g = new Graph();
    Session s = null;
    try {
      Ops tf = Ops.create(g);
      EncoderGraph encoder = new EncoderGraph(tf, encoderSpec, seed);
      this.input =
          tf.withName("input")
              .placeholder(TFloat32.class, Placeholder.shape(InputTensors.batchShape(encoderSpec.inputShape(), -1)));
      this.embedding = tf.withName("embedding").identity(encoder.apply(tf, input, false, null));
      List<EncoderGraph.Update> updates = new ArrayList<>();
      this.pairLabels =
          tf.withName("pair_labels")
              .placeholder(TFloat32.class, Placeholder.shape(Shape.of(-1)));
      this.classLabels =
          tf.withName("class_labels").placeholder(TInt32.class, Placeholder.shape(Shape.of(-1)));
      Operand<TFloat32> left = null;
      Operand<TFloat32> right = null;
      Operand<TFloat32> rawLoss = null;
      if (batchLoss != null) {
        // The whole batch at once: the loss finds its own pairs and triplets among the examples.
        Operand<TFloat32> trainEmbedding =
            encoder.hasOwnTrainingPath() ? encoder.apply(tf, input, true, updates) : embedding;
        rawLoss = batchLoss.call(tf, trainEmbedding, classLabels);
      } else if (b.twinBatching == TwinBatching.SEPARATE) {
        Split<TFloat32> inputs = tf.split(tf.constant(0), input, 2L);
        left = encoder.apply(tf, inputs.output().get(0), true, updates);
        right = encoder.apply(tf, inputs.output().get(1), true, updates);
      } else {
        // The training path differs only where a layer does (batch norm, dropout, max-pooling's
        // op); both share variables.
        Operand<TFloat32> trainEmbedding =
            encoder.hasOwnTrainingPath() ? encoder.apply(tf, input, true, updates) : embedding;
        Split<TFloat32> twins = tf.split(tf.constant(0), trainEmbedding, 2L);
        left = twins.output().get(0);
        right = twins.output().get(1);
      }
      List<Variable<TFloat32>> trainable = new ArrayList<>(encoder.trainableVariables());
      if (kochLoss != null) {
        long e = encoderSpec.embeddingSize();
        Ops init = tf.withInitScope();
        // The head starts as the mean absolute difference with a minus sign: a distance, so that
        // the encoder gets useful gradients from the first step, as with the ready-made distances.
        this.headAlpha =
            tf.withName("head_alpha")
                .variable(init.fill(init.constant(new long[] {e}), init.constant(-1f / e)));
        this.headBias = tf.withName("head_bias").variable(init.constant(0f));
        trainable.add(headAlpha);
        trainable.add(headBias);
        rawLoss = kochLoss.call(tf, left, right, pairLabels, headAlpha, headBias);
        Shape pair = Shape.of(-1, e);
        this.scoreLeft = tf.withName("score_left").placeholder(TFloat32.class, Placeholder.shape(pair));
        this.scoreRight = tf.withName("score_right").placeholder(TFloat32.class, Placeholder.shape(pair));
        this.scoreLogit =
            tf.withName("score_logit").identity(kochLoss.logits(tf, scoreLeft, scoreRight, headAlpha, headBias));
        this.scoreProbability = tf.withName("score_probability").math.sigmoid(scoreLogit);
      } else {
        this.headAlpha = null;
        this.headBias = null;
        this.scoreLeft = null;
        this.scoreRight = null;
        this.scoreLogit = null;
        this.scoreProbability = null;
        if (batchLoss == null) {
          rawLoss = pairLoss.call(tf, left, right, pairLabels);
        }
      }
      this.lossValue = tf.withName("loss").identity(rawLoss);
      checkState(
          lossValue.shape().numDimensions() == 0,
          "the loss %s must reduce to a scalar for training, got shape %s",
          lossDescription(),
          lossValue.shape());
      this.learningRate =
          tf.withName("learning_rate")
              .placeholderWithDefault(tf.constant((float) optimizerSpec.learningRate()), Shape.scalar());
      this.trainStep = minimize(tf, optimizerSpec.create(g, learningRate), trainable, updates);
      collectVariables(g, tf);
      if (b.threads != null && b.threads.getIntraOpParallelismThreads() > 0 && !Builder.perSessionIntraOpPools()) {
        LOG.log(
            System.Logger.Level.WARNING,
            "threads({0}, {1}): TensorFlow''s intra-op pool is shared by the whole process and was sized before this"
                + " session, so the intra-op setting has no effect; start the JVM with TF_OVERRIDE_GLOBAL_THREADPOOL=1 for it",
            b.threads.getIntraOpParallelismThreads(),
            b.threads.getInterOpParallelismThreads());
      }
      s = b.threads == null ? new Session(g) : new Session(g, b.threads);
      s.initialize();
      this.graph = g;
      this.session = s;
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
    LOG.log(
        System.Logger.Level.DEBUG,
        () -> "built Siamese model: " + encoderSpec + ", loss " + lossDescription() + ", " + optimizerSpec);
  }

  /**
   * Gradients of the loss for the trainable variables only (batch norm's moving statistics are
   * updated by assignment, not by gradients), applied by the optimizer.
   *
   * @throws IllegalStateException naming the op, if the loss uses an op that has no gradient in
   *     TensorFlow's C API (which TensorFlow Java's gradients rely on)
   */
  private Op minimize(
      Ops tf, Optimizer optimizer, List<Variable<TFloat32>> trainable, List<EncoderGraph.Update> updates) {
    Gradients gradients;
    try {
      gradients = tf.gradients(lossValue, trainable);
    } catch (RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      if (message.contains("No gradient defined for op")) {
        String op = message.replaceAll("(?s).*No gradient defined for op: ?([A-Za-z0-9_]+).*", "$1");
        throw new IllegalStateException(
            "cannot train with "
                + lossDescription()
                + ": it uses the op "
                + op
                + ", which has no gradient registered in TensorFlow's C API; build the loss from other ops",
            e);
      }
      throw e;
    }
    // A step whose loss or gradients are not finite must change nothing: every update waits for
    // this check, and a failed check aborts the whole session run before any variable is written.
    List<Operand<TFloat32>> checked = new ArrayList<>();
    checked.add(lossValue);
    for (int i = 0; i < trainable.size(); i++) {
      checked.add(gradients.<TFloat32>dy(i));
    }
    Operand<TBool> finite = allFinite(tf, checked);
    Op check = tf.withName(FINITE_CHECK).assertThat(finite, List.of(lossValue));
    Ops gated = tf.withControlDependencies(List.of(check));
    List<Optimizer.GradAndVar<? extends org.tensorflow.types.family.TType>> pairs = new ArrayList<>();
    for (int i = 0; i < trainable.size(); i++) {
      Output<TFloat32> grad = gated.identity(gradients.<TFloat32>dy(i)).asOutput();
      pairs.add(new Optimizer.GradAndVar<>(grad, trainable.get(i).asOutput()));
    }
    List<Op> all = new ArrayList<>();
    all.add(optimizer.applyGradients(pairs, "minimize"));
    for (EncoderGraph.Update u : updates) {
      all.add(gated.assign(u.variable(), u.value()));
    }
    return tf.withControlDependencies(all).withName("train").noOp();
  }

  /**
   * A scalar, true when every entry of every tensor in {@code xs} is finite. {@code x * 0} is 0 for
   * a finite entry and NaN for a NaN or an infinity, and a sum that meets a NaN stays NaN: so one
   * multiply-and-sum pass decides it, with no overflow whatever the values. {@code
   * reduceAll(isFinite(x))} per tensor, which this replaces, cost 1.5 ms of a 64-pair Conv-4 step
   * on the critical path (every update waits for the check).
   */
  static Operand<TBool> allFinite(Ops tf, List<Operand<TFloat32>> xs) {
    Operand<TFloat32> zero = tf.constant(0f);
    Operand<TFloat32> total = null;
    for (Operand<TFloat32> x : xs) {
      Operand<TFloat32> sum = tf.reduceSum(tf.math.mul(tf.reshape(x, tf.constant(new int[] {-1})), zero), tf.constant(0));
      total = total == null ? sum : tf.math.add(total, sum);
    }
    return tf.math.isFinite(total);
  }

  /** A variable, and the placeholder and assign op that restore it. */
  private record VariableSlot(String name, Output<TFloat32> value, Placeholder<TFloat32> feed, Op assign) {}

  @SuppressWarnings("unchecked")
  private void collectVariables(Graph g, Ops tf) {
    List<GraphOperation> ops = new ArrayList<>();
    g.operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2")) {
        ops.add(op);
      }
    });
    ops.sort(java.util.Comparator.comparing(GraphOperation::name));
    for (GraphOperation op : ops) {
      Output<?> out = op.output(0);
      checkState(
          out.type() == TFloat32.class,
          "variable %s has type %s; only float32 variables can be saved",
          op.name(),
          out.dataType());
      Output<TFloat32> value = (Output<TFloat32>) out;
      Placeholder<TFloat32> feed =
          tf.withName("restore_" + op.name()).placeholder(TFloat32.class, Placeholder.shape(value.shape()));
      Op assign = tf.withName("assign_" + op.name()).assign(value, feed);
      variables.add(new VariableSlot(op.name(), value, feed, assign));
    }
  }

  /** The values of every variable, in one session run. */
  private List<WeightsFile.Entry> readVariables() {
    Session.Runner runner = session.runner();
    for (VariableSlot v : variables) {
      runner.fetch(v.value());
    }
    List<WeightsFile.Entry> entries = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < variables.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(values, false, false));
        entries.add(new WeightsFile.Entry(variables.get(i).name(), t.shape().asArray(), values));
      }
    }
    return entries;
  }

  /** Sets every variable, in one session run; checks names and shapes first. */
  private void writeVariables(List<WeightsFile.Entry> entries, String source) {
    Map<String, WeightsFile.Entry> byName = new HashMap<>();
    for (WeightsFile.Entry e : entries) {
      byName.put(e.name(), e);
    }
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (VariableSlot v : variables) {
        WeightsFile.Entry e = byName.remove(v.name());
        checkArgument(e != null, "%s has no value for variable %s of this model", source, v.name());
        checkArgument(
            Shape.of(e.shape()).equals(v.value().shape()),
            "%s holds variable %s of shape %s, but this model's is %s",
            source,
            v.name(),
            Shape.of(e.shape()),
            v.value().shape());
        TFloat32 t = TFloat32.tensorOf(Shape.of(e.shape()), DataBuffers.of(e.values(), true, false));
        tensors.add(t);
        runner.feed(v.feed(), t).addTarget(v.assign());
      }
      checkArgument(byName.isEmpty(), "%s holds variables this model does not have: %s", source, byName.keySet());
      runner.run().close();
      weightsVersion++;
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /**
   * Saves the weights (with the optimizer's state, and the Koch head's {@code alpha} and {@code
   * bias} if the model has it) and the configuration that rebuilds this model into {@code
   * directory}, replacing what a previous save put there. The configuration holds the number of
   * training steps so far and the learning-rate schedule if it is a ready-made one; of a schedule
   * of your own it holds the rate of the last step (see {@link LearningRateSchedule}).
   *
   * <p>Crash-safe: the new copy is written and synced beside the old one, and an atomic rename of
   * a one-line pointer file makes it current; a process killed at any moment leaves the previous
   * copy or the new one loadable, never neither. Waits for a running {@code fit} to finish, unless
   * called from its listener.
   *
   * @throws UncheckedIOException if the directory cannot be written
   */
  public void save(Path directory) {
    checkNotNull(directory, "directory");
    trainLock.lock();
    try {
      withSession(
          () -> {
            List<WeightsFile.Entry> weights = readVariables();
            // A never-trained model with a schedule of its own keeps its first rate.
            double rate = Double.isNaN(lastRate) ? optimizerSpec.learningRate() : lastRate;
            String config =
                new ModelDescription(
                        encoderSpec, pairLoss, kochLoss, lossDescription(), optimizerSpec, seed, trainingSteps, rate)
                    .write();
            Map<String, byte[]> files = new LinkedHashMap<>();
            files.put(CONFIG_FILE, config.getBytes(StandardCharsets.UTF_8));
            files.put(WEIGHTS_FILE, WeightsFile.write(weights));
            try {
              new SnapshotDirectory(directory).write(files);
            } catch (IOException e) {
              throw new UncheckedIOException("could not save the model to " + directory + ": " + e.getMessage(), e);
            }
            return null;
          });
    } finally {
      trainLock.unlock();
    }
  }

  /**
   * Loads a model saved by {@link #save}. Its loss must be one this library can rebuild from its
   * description ({@link io.siamese.losses.ContrastiveLoss}, {@link KochPairHeadLoss}); for a custom
   * loss use {@link #load(Path, PairLoss)}. Training goes on at the saved step count and schedule.
   * The caller owns the model and must close it.
   *
   * @throws IllegalArgumentException naming the file if nothing is saved there, or a file is
   *     truncated, corrupted or from an incompatible model
   * @throws UncheckedIOException if the files cannot be read
   */
  public static SiameseModel load(Path directory) {
    return load(directory, (PairLoss) null);
  }

  /**
   * Loads a model saved by {@link #save} that was trained with a {@link BatchLoss}, training it
   * with {@code loss} from now on.
   */
  public static SiameseModel load(Path directory, BatchLoss loss) {
    checkNotNull(loss, "loss");
    return load(directory, null, loss);
  }

  /**
   * Loads a model saved by {@link #save}, training it with {@code loss} from now on; {@code loss}
   * may be null to rebuild the saved one.
   */
  public static SiameseModel load(Path directory, PairLoss loss) {
    return load(directory, loss, null);
  }

  private static SiameseModel load(Path directory, PairLoss loss, BatchLoss batch) {
    checkNotNull(directory, "directory");
    SnapshotDirectory snapshots = new SnapshotDirectory(directory);
    SnapshotDirectory.Snapshot snapshot;
    try {
      snapshot = snapshots.read(CONFIG_FILE, WEIGHTS_FILE);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the model at " + directory + ": " + e.getMessage(), e);
    }
    Map<String, byte[]> files = snapshot.files();
    String configSource = snapshot.folder().resolve(CONFIG_FILE).toString();
    String weightsSource = snapshot.folder().resolve(WEIGHTS_FILE).toString();
    ModelDescription d = ModelDescription.read(new String(files.get(CONFIG_FILE), StandardCharsets.UTF_8), configSource);
    List<WeightsFile.Entry> weights = WeightsFile.read(files.get(WEIGHTS_FILE), weightsSource);
    Builder builder = builder().encoder(d.encoder).optimizer(d.optimizer).seed(d.seed);
    if (d.koch.isPresent()) {
      checkArgument(
          loss == null && batch == null,
          "%s was trained with the Koch pair head (%s), whose weights are part of the model; load it with load(directory)",
          directory,
          d.lossDescription);
      builder.loss(d.koch.get());
    } else if (batch != null) {
      builder.loss(batch);
    } else {
      builder.loss(loss != null ? loss : d.loss.orElseThrow(() -> new IllegalArgumentException(
          directory + " was trained with a custom loss (" + d.lossDescription + "); pass it to load(directory, loss)")));
    }
    SiameseModel model = builder.build();
    model.trainingSteps = d.steps;
    try {
      model.writeVariables(weights, weightsSource);
    } catch (RuntimeException e) {
      model.close();
      throw e;
    }
    return model;
  }

  /**
   * Exports the encoder as a TensorFlow SavedModel into {@code directory}, which must not exist:
   * tag {@code serve}, signature {@code serving_default} with input {@code input} (float32, shape
   * {@code [-1, inputShape...]}, channels last) and output {@code embedding} (float32, {@code [-1,
   * embeddingSize]}). Any TensorFlow runtime can load it. Written to a sibling folder first and
   * renamed into place, so a crash never leaves a half-written export under {@code directory}.
   *
   * <p>A model with the Koch head gets a second signature, {@code score}: inputs {@code left} and
   * {@code right} (float32 embeddings, {@code [-1, embeddingSize]}, as {@code serving_default}
   * gives them), outputs {@code logit} and {@code probability} (float32, {@code [-1]}), computed
   * with the head's weights at the time of the export; see {@link KochHead}.
   */
  public void exportSavedModel(Path directory) {
    checkNotNull(directory, "directory");
    checkArgument(!Files.exists(directory), "%s already exists; export into a new directory", directory);
    withSession(
        () -> {
          Path parent = directory.toAbsolutePath().getParent();
          Path tmp = parent.resolve(directory.getFileName() + ".tmp-" + java.util.UUID.randomUUID());
          try {
            Files.createDirectories(parent);
            List<Signature> signatures = new ArrayList<>();
            signatures.add(
                Signature.builder(Signature.DEFAULT_KEY).input("input", input).output("embedding", embedding).build());
            if (kochLoss != null) {
              signatures.add(
                  Signature.builder("score")
                      .input("left", scoreLeft)
                      .input("right", scoreRight)
                      .output("logit", scoreLogit)
                      .output("probability", scoreProbability)
                      .build());
            }
            SavedModelBundle.exporter(tmp.toString())
                .withSession(session)
                .withSignatures(signatures.toArray(new Signature[0]))
                .export();
            Files.move(tmp, directory, StandardCopyOption.ATOMIC_MOVE);
          } catch (IOException e) {
            throw new UncheckedIOException("could not export the encoder to " + directory + ": " + e.getMessage(), e);
          }
          return null;
        });
  }

  /** A builder; the encoder and the loss must be set. */
  public static Builder builder() {
    return new Builder();
  }

  /** The encoder's architecture. */
  public EncoderSpec encoderSpec() {
    return encoderSpec;
  }

  /** The pair loss this model trains with, if it trains on pairs. */
  public Optional<PairLoss> pairLoss() {
    return Optional.ofNullable(pairLoss);
  }

  /** The batch loss this model trains with, if it trains on labelled (P x K) batches. */
  public Optional<BatchLoss> batchLoss() {
    return Optional.ofNullable(batchLoss);
  }

  /** The Koch et al. pair head loss this model trains with, if it has that head. */
  public Optional<KochPairHeadLoss> kochHeadLoss() {
    return Optional.ofNullable(kochLoss);
  }

  /**
   * The Koch head with its weights now, if this model has it: {@code alpha}, {@code bias}, the
   * probability it gives a pair of embeddings. A snapshot: training afterwards does not change it.
   *
   * @throws IllegalStateException if the model is closed and has the head
   */
  public Optional<KochHead> kochHead() {
    return kochLoss == null ? Optional.empty() : Optional.of(withSession(this::currentHead));
  }

  /**
   * The distance of every comparison (smaller is more alike): the training loss's, or for a model
   * with the Koch head the {@link KochHead} with its current weights, whose distance is {@code
   * -ln p}. That one is a snapshot: take it again after training.
   *
   * @throws IllegalStateException if the model is closed and has the Koch head
   */
  public Distance embeddingDistance() {
    return kochLoss == null ? distance : withSession(this::currentHead);
  }

  /** The distance of comparisons now; call with the session open. */
  private Distance comparison() {
    return kochLoss == null ? distance : currentHead();
  }

  /** The head's weights, read again only when training or a restore changed them. */
  private KochHead currentHead() {
    long version = weightsVersion;
    HeadSnapshot h = headSnapshot;
    if (h != null && h.version() == version) {
      return h.head();
    }
    float[] alpha = new float[embeddingSize()];
    float bias;
    try (Result r = session.runner().fetch(headAlpha).fetch(headBias).run()) {
      ((TFloat32) r.get(0)).copyTo(DataBuffers.of(alpha, false, false));
      bias = ((TFloat32) r.get(1)).getFloat();
    }
    KochHead head = new KochHead(alpha, bias);
    // Stamped with the version read before the fetch: if training moved on meanwhile, the next
    // call sees a newer version and reads again.
    headSnapshot = new HeadSnapshot(version, head);
    return head;
  }

  /** The training loss, as text. */
  public String lossDescription() {
    return pairLoss != null ? pairLoss.toString() : kochLoss != null ? kochLoss.toString() : batchLoss.toString();
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

  /** Floats per embedding. */
  public int embeddingSize() {
    return encoderSpec.embeddingSize();
  }

  /**
   * Trains on pairs from {@code sampler} as {@code config} says, reporting to the listeners.
   *
   * @return one result per epoch
   * @throws IllegalArgumentException if the sampler's examples do not have the encoder's input shape
   * @throws TrainingDivergedException if a batch loss is NaN or infinite
   */
  public TrainingHistory fit(PairSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    checkNotNull(config, "config");
    checkNotNull(listeners, "listeners");
    checkState(batchLoss == null, "this model trains with the batch loss %s: use fit(PkBatchSampler, ...)", batchLoss);
    requireInputShape(sampler.dataset().shape(), "the training sampler's dataset");
    LabeledDataset data = sampler.dataset();
    int b = config.batchSize();
    checkBatchFits(2L * b, "batchSize " + b + " pairs");
    float[] examples = new float[2 * b * inputSize];
    float[] labels = new float[b];
    PairLabelConvention convention = kochLoss != null ? kochLoss.labelConvention() : pairLoss.labelConvention();
    BatchAugmentation augmentation = config.augmentation().orElse(null);
    TrainingStep step =
        (random, rate) -> {
          PairBatch batch = sampler.next(b);
          checkState(batch.size() == b, "sampler returned %s pairs, asked for %s", batch.size(), b);
          data.gather(batch.leftIndices(), examples, 0);
          data.gather(batch.rightIndices(), examples, b * inputSize);
          if (augmentation != null) {
            augmentation.apply(examples, 2 * b, encoderSpec.inputShape(), random);
          }
          for (int i = 0; i < b; i++) {
            labels[i] = convention.encode(batch.isSame(i));
          }
          return runPairStep(examples, 2 * b, labels, rate);
        };
    return fitWith(step, b, config, listeners);
  }

  /**
   * Trains a model built with a {@link BatchLoss} on P x K batches from {@code sampler}, as {@code
   * config} says: each step embeds the {@code P * K} examples of one batch and the loss mines its
   * pairs or triplets among them. {@code config.batchSize()} must equal the sampler's batch size.
   *
   * @return one result per epoch
   * @throws IllegalStateException if this model trains with a pair loss
   * @throws TrainingDivergedException if a batch loss is NaN or infinite
   */
  public TrainingHistory fit(PkBatchSampler sampler, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(sampler, "sampler");
    checkNotNull(config, "config");
    checkState(batchLoss != null, "this model trains with the pair loss %s: use fit(PairSampler, ...)", lossDescription());
    requireInputShape(sampler.dataset().shape(), "the training sampler's dataset");
    checkArgument(
        config.batchSize() == sampler.batchSize(),
        "batchSize is %s but the P x K sampler makes batches of %s x %s = %s examples",
        config.batchSize(),
        sampler.classesPerBatch(),
        sampler.examplesPerClass(),
        sampler.batchSize());
    LabeledDataset data = sampler.dataset();
    int b = sampler.batchSize();
    checkBatchFits(b, "a P x K batch of " + b + " examples");
    float[] examples = new float[b * inputSize];
    BatchAugmentation augmentation = config.augmentation().orElse(null);
    TrainingStep step =
        (random, rate) -> {
          PkBatch batch = sampler.next();
          data.gather(batch.indices(), examples, 0);
          if (augmentation != null) {
            augmentation.apply(examples, b, encoderSpec.inputShape(), random);
          }
          return runBatchStep(examples, b, batch.labels(), rate);
        };
    return fitWith(step, b, config, listeners);
  }

  /** One training step: draw a batch, run it at the learning rate {@code rate}, return its loss. */
  @FunctionalInterface
  private interface TrainingStep {
    double run(java.util.SplittableRandom augmentationRandom, float rate);
  }

  private TrainingHistory fitWith(TrainingStep step, int perStep, TrainingConfig config, TrainingListener... listeners) {
    checkNotNull(listeners, "listeners");
    List<TrainingListener> ls = List.of(listeners);
    config.validation().ifPresent(v -> requireInputShape(v.dataset().shape(), "the validation sampler's dataset"));
    trainLock.lock();
    try {
      return withSession(() -> train(step, perStep, config, ls));
    } finally {
      trainLock.unlock();
    }
  }

  private TrainingHistory train(TrainingStep runner, int perStep, TrainingConfig config, List<TrainingListener> ls) {
    ls.forEach(l -> l.onTrainingStart(config));
    // Seeded from the model and advanced across fit calls, so a run repeats exactly.
    java.util.SplittableRandom augmentationRandom = new java.util.SplittableRandom(seed * 0x9E3779B97F4A7C15L + fitCalls++);
    long start = System.nanoTime();
    long deadline = config.timeLimit().map(d -> start + d.toNanos()).orElse(Long.MAX_VALUE);
    boolean outOfTime = false;
    List<EpochResult> epochs = new ArrayList<>();
    double bestAuc = Double.NEGATIVE_INFINITY;
    int bestEpoch = 0;
    List<WeightsFile.Entry> bestWeights = null;
    boolean stoppedEarly = false;
    for (int epoch = 1; epoch <= config.epochs(); epoch++) {
      double lossSum = 0;
      int steps = 0;
      for (int step = 1; step <= config.stepsPerEpoch(); step++) {
        // At least one step runs, so a fit call always trains.
        if (deadline != Long.MAX_VALUE && (epoch > 1 || step > 1) && System.nanoTime() - deadline > 0) {
          outOfTime = true;
          break;
        }
        steps = step;
        double rate = scheduledRate();
        double stepLoss = runner.run(augmentationRandom, (float) rate);
        if (!Double.isFinite(stepLoss)) {
          throw new TrainingDivergedException(epoch, step, stepLoss);
        }
        trainingSteps++;
        lastRate = rate;
        weightsVersion++;
        lossSum += stepLoss;
        BatchResult result =
            new BatchResult(
                epoch,
                config.epochs(),
                step,
                config.stepsPerEpoch(),
                stepLoss,
                perStep,
                System.nanoTime() - start,
                batchLoss == null,
                (float) rate);
        ls.forEach(l -> l.onBatchEnd(result));
      }
      if (steps == 0) {
        break;
      }
      Optional<PairMetrics> validation = Optional.empty();
      if (config.validation().isPresent()) {
        validation = Optional.of(scorePairs(config.validation().get(), config.validationPairs()));
      }
      EpochResult result =
          new EpochResult(epoch, config.epochs(), lossSum / steps, validation, System.nanoTime() - start);
      epochs.add(result);
      boolean improved = validation.isEmpty() || validation.get().rocAuc() > bestAuc;
      if (improved) {
        bestAuc = validation.map(PairMetrics::rocAuc).orElse(bestAuc);
        bestEpoch = epoch;
        if (config.earlyStoppingPatience() > 0) {
          bestWeights = readVariables();
        }
        if (config.checkpointDirectory().isPresent()) {
          save(config.checkpointDirectory().get());
        }
      }
      ls.forEach(l -> l.onEpochEnd(result));
      if (config.earlyStoppingPatience() > 0 && epoch - bestEpoch >= config.earlyStoppingPatience()) {
        stoppedEarly = epoch < config.epochs();
        break;
      }
      if (outOfTime) {
        stoppedEarly = epoch < config.epochs() || steps < config.stepsPerEpoch();
        break;
      }
    }
    if (bestWeights != null && bestEpoch != epochs.size()) {
      writeVariables(bestWeights, "the weights of epoch " + bestEpoch);
      LOG.log(System.Logger.Level.INFO, "restored the weights of epoch {0}, the best on validation", bestEpoch);
    }
    TrainingHistory history = new TrainingHistory(epochs, bestEpoch, stoppedEarly);
    ls.forEach(l -> l.onTrainingEnd(history));
    return history;
  }

  /**
   * The learning rate of the next step, from the schedule.
   *
   * @throws IllegalArgumentException if the schedule gives a rate that is not finite and >= 0
   */
  private double scheduledRate() {
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

  /** Runs one step; NaN when the finiteness check stopped it, in which case nothing changed. */
  private double runBatchStep(float[] examples, int count, int[] labels, float rate) {
    try (TFloat32 x = tensorOf(examples, count);
        TInt32 y = TInt32.tensorOf(Shape.of(labels.length), DataBuffers.of(labels, true, false));
        TFloat32 lr = TFloat32.scalarOf(rate);
        Result r =
            session.runner()
                .feed(input, x)
                .feed(classLabels, y)
                .feed(learningRate, lr)
                .fetch(lossValue)
                .addTarget(trainStep)
                .run()) {
      return ((TFloat32) r.get(0)).getFloat();
    } catch (org.tensorflow.exceptions.TFInvalidArgumentException e) {
      return stoppedStep(e);
    }
  }

  private static double stoppedStep(org.tensorflow.exceptions.TFInvalidArgumentException e) {
    // The losses check their embeddings too, upstream of the model's check; either way the run
    // stopped before any update, since every update waits for the model's check.
    String message = String.valueOf(e.getMessage());
    if (message.contains(FINITE_CHECK) || message.contains(LOSS_FINITE_CHECK)) {
      return Double.NaN;
    }
    throw e;
  }

  private double runPairStep(float[] examples, int count, float[] labels, float rate) {
    try (TFloat32 x = tensorOf(examples, count);
        TFloat32 y = TFloat32.tensorOf(Shape.of(labels.length), DataBuffers.of(labels, true, false));
        TFloat32 lr = TFloat32.scalarOf(rate);
        Result r =
            session.runner()
                .feed(input, x)
                .feed(pairLabels, y)
                .feed(learningRate, lr)
                .fetch(lossValue)
                .addTarget(trainStep)
                .run()) {
      return ((TFloat32) r.get(0)).getFloat();
    } catch (org.tensorflow.exceptions.TFInvalidArgumentException e) {
      return stoppedStep(e);
    }
  }

  /**
   * The embeddings of a batch of examples.
   *
   * @param examples each of {@code encoderSpec().inputShape().size()} finite floats, row-major
   *     (channels last); at least one
   * @return one embedding of {@link #embeddingSize()} floats per example, owned by the caller
   * @throws IllegalArgumentException naming the example with the wrong length or a non-finite value
   */
  public float[][] embed(float[][] examples) {
    checkNotNull(examples, "examples");
    checkArgument(examples.length > 0, "embed needs at least one example");
    for (int i = 0; i < examples.length; i++) {
      checkExample(examples[i], i);
    }
    return withSession(
        () -> {
          float[][] out = new float[examples.length][];
          for (int from = 0; from < examples.length; from += EMBED_CHUNK) {
            embedRows(examples, from, Math.min(examples.length, from + EMBED_CHUNK), out);
          }
          return out;
        });
  }

  /**
   * Embeds checked rows {@code [from, to)} (at most {@link #EMBED_CHUNK}) in one session run into
   * {@code out[from, to)}. The rows go straight into the input tensor and the embeddings straight
   * out of the result: the intermediate flat copy this skips cost 2-4% of a call (library /
   * hand-written forward, paired in one JVM: 0.96-0.98 with it, 0.98-1.02 without).
   */
  private void embedRows(float[][] rows, int from, int to, float[][] out) {
    int n = to - from;
    int e = embeddingSize();
    try (TFloat32 x =
            TFloat32.tensorOf(
                InputTensors.batchShape(encoderSpec.inputShape(), n),
                t -> {
                  FloatDataBuffer in = t.asRawTensor().data().asFloats();
                  for (int i = 0; i < n; i++) {
                    in.offset((long) i * inputSize).write(rows[from + i]);
                  }
                });
        Result r = session.runner().feed(input, x).fetch(embedding).run()) {
      FloatDataBuffer y = ((TFloat32) r.get(0)).asRawTensor().data().asFloats();
      for (int i = 0; i < n; i++) {
        out[from + i] = new float[e];
        y.offset((long) i * e).read(out[from + i]);
      }
    }
  }

  /** The embedding of one example; see {@link #embed(float[][])}. */
  public float[] embed(float[] example) {
    return embed(new float[][] {example})[0];
  }

  /**
   * The embedding of every example of {@code data}, in order.
   *
   * @throws IllegalArgumentException if the dataset's shape is not the encoder's input shape
   */
  public float[][] embed(LabeledDataset data) {
    checkNotNull(data, "data");
    requireInputShape(data.shape(), "the dataset");
    int[] all = new int[data.size()];
    Arrays.setAll(all, i -> i);
    float[] flat = new float[all.length * inputSize];
    data.gather(all, flat);
    return withSession(() -> embedFlat(flat, all.length));
  }

  /**
   * The distance between the embeddings of two examples, in {@link #embeddingDistance()}: smaller
   * means more alike. With the Koch head, {@code -ln p} for the head's probability {@code p}.
   */
  public double distance(float[] a, float[] b) {
    checkExample(a, "first example");
    checkExample(b, "second example");
    return withSession(
        () -> {
          float[][] e = embed(new float[][] {a, b});
          return comparison().between(e[0], e[1]);
        });
  }

  /**
   * How alike two examples are, higher is more alike. With the Koch head, the head's probability
   * {@code p = sigmoid(sum_j alpha_j |e(a)_j - e(b)_j| + bias)} in {@code [0, 1]} that they show
   * one class ({@link KochHead#probability}), which equals {@code exp(-distance(a, b))}. Otherwise
   * {@code 1 / (1 + distance(a, b))} in {@code (0, 1]}, 1 for identical embeddings.
   */
  public double similarity(float[] a, float[] b) {
    if (kochLoss == null) {
      return 1.0 / (1.0 + distance(a, b));
    }
    checkExample(a, "first example");
    checkExample(b, "second example");
    return withSession(
        () -> {
          float[][] e = embed(new float[][] {a, b});
          return currentHead().probability(e[0], e[1]);
        });
  }

  /**
   * Whether two examples show one class: {@code distance(a, b) <= threshold}. Choose the threshold
   * on held-out pairs, e.g. {@link PairMetrics#bestThreshold()} of {@link #evaluatePairs}, which
   * is on the same scale. With the Koch head the distance is {@code -ln p}, so {@code isSame(a, b,
   * t)} is {@code similarity(a, b) >= exp(-t)}: for "p >= 0.5" pass {@code Math.log(2)}.
   */
  public boolean isSame(float[] a, float[] b, double threshold) {
    checkArgument(Double.isFinite(threshold) && threshold >= 0, "threshold must be finite and >= 0, got %s", threshold);
    return distance(a, b) <= threshold;
  }

  /**
   * A classifier to which examples of new classes can be enrolled at any time, answering the class
   * of the nearest enrolled example, or unknown when its distance exceeds {@code unknownThreshold}.
   * Choose the threshold on held-out pairs, e.g. {@link PairMetrics#thresholdAtFalseAcceptRate}.
   */
  public <L> OneShotClassifier<L> oneShotClassifier(double unknownThreshold) {
    return withSession(() -> new OneShotClassifier<>(this, unknownThreshold));
  }

  /**
   * Scores {@code pairs} pairs drawn from {@code sampler}: ROC AUC, the best threshold and its
   * accuracy.
   */
  public PairMetrics evaluatePairs(PairSampler sampler, int pairs) {
    checkNotNull(sampler, "sampler");
    checkArgument(pairs >= 2, "pair evaluation needs at least 2 pairs, got %s", pairs);
    requireInputShape(sampler.dataset().shape(), "the sampler's dataset");
    checkBatchFits(2L * pairs, pairs + " pairs");
    return withSession(() -> scorePairs(sampler, pairs));
  }

  private PairMetrics scorePairs(PairSampler sampler, int pairs) {
    PairBatch batch = sampler.next(pairs);
    LabeledDataset data = sampler.dataset();
    float[] flat = new float[2 * pairs * inputSize];
    data.gather(batch.leftIndices(), flat, 0);
    data.gather(batch.rightIndices(), flat, pairs * inputSize);
    float[][] e = embedFlat(flat, 2 * pairs);
    double[] distances = new double[pairs];
    Distance d = comparison();
    for (int i = 0; i < pairs; i++) {
      distances[i] = d.between(e[i], e[pairs + i]);
    }
    return PairMetrics.of(distances, batch.sameFlags());
  }

  /**
   * N-way K-shot accuracy over {@code count} episodes: each query is given the class of its
   * nearest support example (with the Koch head: the support example of highest probability).
   * Use episodes over classes never seen in training to measure one-shot generalisation.
   */
  public OneShotResult evaluateOneShot(EpisodeSampler episodes, int count) {
    checkNotNull(episodes, "episodes");
    checkArgument(count >= 2, "one-shot evaluation needs at least 2 episodes, got %s", count);
    requireInputShape(episodes.dataset().shape(), "the episode sampler's dataset");
    return withSession(() -> oneShot(episodes, count));
  }

  private OneShotResult oneShot(EpisodeSampler episodes, int count) {
    LabeledDataset data = episodes.dataset();
    Distance distance = comparison();
    double[] accuracies = new double[count];
    for (int ep = 0; ep < count; ep++) {
      Episode episode = episodes.next();
      int[] support = episode.support();
      int[] supportLabels = episode.supportLabels();
      int[] queries = episode.queries();
      int[] queryLabels = episode.queryLabels();
      float[] flat = new float[(support.length + queries.length) * inputSize];
      data.gather(support, flat, 0);
      data.gather(queries, flat, support.length * inputSize);
      float[][] e = embedFlat(flat, support.length + queries.length);
      int correct = 0;
      for (int q = 0; q < queries.length; q++) {
        float[] query = e[support.length + q];
        int best = -1;
        double bestDistance = Double.POSITIVE_INFINITY;
        for (int s = 0; s < support.length; s++) {
          double d = distance.between(query, e[s]);
          if (d < bestDistance) {
            bestDistance = d;
            best = s;
          }
        }
        if (best >= 0 && supportLabels[best] == queryLabels[q]) {
          correct++;
        }
      }
      accuracies[ep] = correct / (double) queries.length;
    }
    return OneShotResult.fromEpisodes(episodes.ways(), episodes.shots(), accuracies);
  }

  /** Embeds {@code count} examples stored row-major in {@code flat}, in chunks. */
  private float[][] embedFlat(float[] flat, int count) {
    int e = embeddingSize();
    float[][] out = new float[count][e];
    float[] chunkOut = new float[Math.min(count, EMBED_CHUNK) * e];
    for (int from = 0; from < count; from += EMBED_CHUNK) {
      int n = Math.min(EMBED_CHUNK, count - from);
      float[] chunk = from == 0 && n == count ? flat : Arrays.copyOfRange(flat, from * inputSize, (from + n) * inputSize);
      try (TFloat32 x = tensorOf(chunk, n);
          Result r = session.runner().feed(input, x).fetch(embedding).run()) {
        TFloat32 y = (TFloat32) r.get(0);
        y.copyTo(DataBuffers.of(chunkOut, false, false).narrow((long) n * e));
      }
      for (int i = 0; i < n; i++) {
        System.arraycopy(chunkOut, i * e, out[from + i], 0, e);
      }
    }
    return out;
  }

  private TFloat32 tensorOf(float[] flat, int count) {
    return InputTensors.of(encoderSpec.inputShape(), flat, count);
  }

  /** Fails naming {@code what} if {@code examples} inputs would not fit in one Java array. */
  private void checkBatchFits(long examples, String what) {
    checkArgument(
        examples * inputSize <= Integer.MAX_VALUE - 8,
        "%s of %s floats each do not fit in one Java array (at most %s floats); use smaller batches",
        what,
        inputSize,
        Integer.MAX_VALUE - 8);
  }

  /** {@link #checkExample(float[], String)} for row {@code index}, naming it only on failure. */
  private void checkExample(float[] example, int index) {
    if (example == null || example.length != inputSize || !isAllFinite(example)) {
      checkExample(example, "example " + index);
    }
  }

  private static boolean isAllFinite(float[] xs) {
    for (float x : xs) {
      if (!Float.isFinite(x)) {
        return false;
      }
    }
    return true;
  }

  private void checkExample(float[] example, String what) {
    checkNotNull(example, "%s is null", what);
    checkArgument(
        example.length == inputSize,
        "%s has %s floats; the encoder expects %s = %s",
        what,
        example.length,
        encoderSpec.inputShape(),
        inputSize);
    for (int j = 0; j < example.length; j++) {
      if (!Float.isFinite(example[j])) {
        throw new IllegalArgumentException(what + " holds " + example[j] + " at position " + j + "; inputs must be finite");
      }
    }
  }

  private void requireInputShape(ExampleShape shape, String what) {
    checkArgument(
        shape.equals(encoderSpec.inputShape()),
        "%s holds examples of shape %s, but the encoder expects %s",
        what,
        shape,
        encoderSpec.inputShape());
  }

  private <T> T withSession(java.util.function.Supplier<T> work) {
    lifecycle.readLock().lock();
    try {
      checkState(!closed, "this SiameseModel is closed");
      return work.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** The types of the ops in this model's graph, for tests of how it is built. */
  Set<String> opTypes() {
    return withSession(
        () -> {
          Set<String> types = new TreeSet<>();
          graph.operations().forEachRemaining(op -> types.add(op.type()));
          return types;
        });
  }

  /** Whether {@link #close()} was called. */
  public boolean isClosed() {
    lifecycle.readLock().lock();
    try {
      return closed;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Releases the graph and session; waits for calls in progress. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      try {
        session.close();
      } finally {
        graph.close();
      }
    } finally {
      lifecycle.writeLock().unlock();
    }
  }

  /** Collects the model's settings; {@link #build()} checks them and builds the graph. */
  public static final class Builder {
    private EncoderSpec encoder;
    private PairLoss pairLoss;
    private BatchLoss batchLoss;
    private KochPairHeadLoss kochLoss;
    private OptimizerSpec optimizer;
    private Long seedSet;
    private long seed;
    private ConfigProto threads;
    private TwinBatching twinBatching = TwinBatching.STACKED;
    private boolean twinBatchingSet;

    private Builder() {}

    /** How training runs the twins through the encoder; {@link TwinBatching#STACKED} if not set. */
    public Builder twinBatching(TwinBatching twinBatching) {
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

    /** A loss over labelled pairs, trained with {@link #fit(PairSampler, TrainingConfig, TrainingListener...)}. One loss is required. */
    public Builder loss(PairLoss loss) {
      checkNotNull(loss, "loss");
      checkLossUnset();
      this.pairLoss = loss;
      return this;
    }

    /**
     * Koch et al.'s learned pair head on top of the encoder, trained with its binary cross-entropy
     * on labelled pairs ({@link #fit(PairSampler, TrainingConfig, TrainingListener...)}). The
     * model creates the head's weights, {@code alpha} of {@code embeddingSize} floats (starting at
     * {@code -1 / embeddingSize}) and {@code bias} (starting at 0), trains them with the encoder,
     * and saves and loads them with it. Comparisons then use the head: see {@link KochHead}.
     */
    public Builder loss(KochPairHeadLoss loss) {
      checkNotNull(loss, "loss");
      checkLossUnset();
      this.kochLoss = loss;
      return this;
    }

    private void checkLossUnset() {
      Object set = pairLoss != null ? pairLoss : batchLoss != null ? batchLoss : kochLoss;
      checkState(set == null, "loss was already set to %s", set);
    }

    /**
     * A loss over labelled batches that mines its own pairs or triplets (e.g. batch-hard triplet),
     * trained with {@link #fit(PkBatchSampler, TrainingConfig, TrainingListener...)}.
     */
    public Builder loss(BatchLoss loss) {
      checkNotNull(loss, "loss");
      checkLossUnset();
      this.batchLoss = loss;
      return this;
    }

    /**
     * The optimizer and its learning rate or {@link LearningRateSchedule}; Adam with learning rate
     * 1e-3 if not set.
     */
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
      checkState(threads == null, "threads were already set");
      checkArgument(intraOp >= 0, "intraOp threads must be >= 0, got %s", intraOp);
      checkArgument(interOp >= 0, "interOp threads must be >= 0, got %s", interOp);
      this.threads =
          ConfigProto.newBuilder()
              .setIntraOpParallelismThreads(intraOp)
              .setInterOpParallelismThreads(interOp)
              .build();
      return this;
    }

    /** Whether TensorFlow gives each session its own intra-op pool (see {@link #threads}). */
    static boolean perSessionIntraOpPools() {
      String v = System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL");
      return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
    }

    /**
     * Builds the graph and opens a session. The caller owns the model and must close it.
     *
     * @throws IllegalStateException if the encoder or the loss is missing
     */
    public SiameseModel build() {
      checkState(encoder != null, "the encoder must be set");
      checkState(pairLoss != null || batchLoss != null || kochLoss != null, "the loss must be set");
      if (optimizer == null) {
        optimizer = OptimizerSpec.adam(1e-3);
      }
      return new SiameseModel(this);
    }
  }
}
