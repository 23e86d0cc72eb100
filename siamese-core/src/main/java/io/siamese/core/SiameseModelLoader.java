package io.siamese.core;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Loads a model directory saved by {@link SiameseModel#save}, with settings ({@link
 * SiameseModel#loader(Path)}): the loss to train with (needed only for a loss of your own), the
 * thread pools and the {@link Precision} of the session. {@link SiameseModel#load(Path)} and its
 * siblings are the short forms.
 *
 * <p>The files are treated as untrusted: sizes are checked before reading,
 * the description's checksum before parsing, its numbers against caps while parsing ({@link
 * LayerText}), every variable's name and shape in {@code weights.bin} against what the
 * description implies ({@link ExpectedVariables}) before any graph exists, and no initialiser
 * runs: the variables are filled from the file. So whatever the files say, a load allocates about
 * the size of {@code weights.bin} plus a fixed overhead, and no TensorFlow exception type reaches
 * the caller.
 */
public final class SiameseModelLoader {
  private final Path directory;
  private Object loss;
  private SessionConfig session = SessionConfig.DEFAULT;

  SiameseModelLoader(Path directory) {
    this.directory = checkNotNull(directory, "directory");
  }

  /** The loss to train with from now on: needed for a loss of your own, optional for the library's. */
  public SiameseModelLoader loss(Object loss) {
    this.loss = checkNotNull(loss, "loss");
    return this;
  }

  /** TensorFlow's thread pools, as {@link SiameseModelBuilder#threads} takes them. */
  public SiameseModelLoader threads(int intraOp, int interOp) {
    this.session = session.withThreads(intraOp, interOp);
    return this;
  }

  /** The arithmetic of the session (see {@link Precision}); float32 if not set. The weights stay float32. */
  public SiameseModelLoader precision(Precision precision) {
    this.session = session.withPrecision(checkNotNull(precision, "precision"));
    return this;
  }

  /**
   * A trainable model: the loss given, or the one it was saved with.
   *
   * @throws IllegalArgumentException naming the file if nothing is saved there, a file is truncated,
   *     corrupted, edited, over a documented cap or from an incompatible model, or the model was
   *     trained with a loss of its own and none was given
   * @throws java.io.UncheckedIOException with the cause if the files cannot be read
   */
  public SiameseModel load() {
    return load(directory, loss, session);
  }

  /**
   * A model for embedding, comparing and classifying only (see {@link
   * SiameseModel#loadForInference}).
   *
   * @throws IllegalArgumentException as {@link #load()}, or if the loss's distance is one of its own
   */
  public SiameseModel loadForInference() {
    return loadForInference(directory, session);
  }

  /** A trainable model, with {@code given} as its loss or, if null, the one it was saved with. */
  static SiameseModel load(Path directory, Object given, SessionConfig session) {
    checkNotNull(directory, "directory");
    ModelFiles.Saved saved = ModelFiles.read(directory);
    ModelDescription d = saved.description();
    Object loss = d.chooseLoss(given, directory);
    VariableStore.check(saved.weights(), ExpectedVariables.of(d.encoder, loss, d.optimizer), saved.weightsSource());
    return build(directory, () -> SiameseModel.restored(d, LossBinding.of(loss, d.seed), saved.weights(), false, session));
  }

  /**
   * A model for embedding and comparing only: the encoder (and the Koch head), without the loss,
   * the optimizer's state or the training graph; needs no loss object even for a custom loss,
   * only a distance this library knows.
   */
  static SiameseModel loadForInference(Path directory, SessionConfig session) {
    checkNotNull(directory, "directory");
    ModelFiles.Saved saved = ModelFiles.read(directory);
    ModelDescription d = saved.description();
    LossBinding binding;
    if (d.loss.isPresent()) {
      binding = LossBinding.of(d.loss.get(), d.seed);
    } else {
      binding =
          new DistanceBinding(
              d.distance.orElseThrow(() -> new IllegalArgumentException(
                  directory + " was trained with a custom loss (" + d.lossDescription + ") whose distance is one of its own;"
                      + " load it with load(directory, loss)")),
              d.lossDescription);
    }
    Map<String, long[]> expected = ExpectedVariables.inference(d.encoder, d.loss.orElse(null));
    List<WeightsFile.Entry> inference = saved.weights().stream().filter(e -> expected.containsKey(e.name())).toList();
    VariableStore.check(inference, expected, saved.weightsSource());
    return build(directory, () -> SiameseModel.restored(d, binding, inference, true, session));
  }

  private static SiameseModel build(Path directory, java.util.function.Supplier<SiameseModel> make) {
    try {
      return make.get();
    } catch (TensorFlowException e) {
      throw new IllegalArgumentException("could not load the model at " + directory + ": " + e.getMessage(), e);
    }
  }
}
