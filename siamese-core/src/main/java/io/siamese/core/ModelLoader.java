package io.siamese.core;

import static com.google.common.base.Preconditions.checkNotNull;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.tensorflow.exceptions.TensorFlowException;

/**
 * Loads model directories, treating their files as untrusted: sizes are checked before reading,
 * the description's checksum before parsing, its numbers against caps while parsing ({@link
 * LayerText}), every variable's name and shape in {@code weights.bin} against what the
 * description implies ({@link ExpectedVariables}) before any graph exists, and no initialiser
 * runs: the variables are filled from the file. So whatever the files say, a load allocates about
 * the size of {@code weights.bin} plus a fixed overhead, and no TensorFlow exception type reaches
 * the caller.
 */
final class ModelLoader {
  private ModelLoader() {}

  /** A trainable model, with {@code given} as its loss or, if null, the one it was saved with. */
  static SiameseModel load(Path directory, Object given) {
    checkNotNull(directory, "directory");
    ModelFiles.Saved saved = ModelFiles.read(directory);
    ModelDescription d = saved.description();
    Object loss = d.chooseLoss(given, directory);
    VariableStore.check(saved.weights(), ExpectedVariables.of(d.encoder, loss, d.optimizer), saved.weightsSource());
    return build(directory, () -> SiameseModel.restored(d, LossBinding.of(loss, d.seed), saved.weights(), false));
  }

  /**
   * A model for embedding and comparing only: the encoder (and the Koch head), without the loss,
   * the optimizer's state or the training graph; needs no loss object even for a custom loss,
   * only a distance this library knows.
   */
  static SiameseModel loadForInference(Path directory) {
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
    return build(directory, () -> SiameseModel.restored(d, binding, inference, true));
  }

  private static SiameseModel build(Path directory, java.util.function.Supplier<SiameseModel> make) {
    try {
      return make.get();
    } catch (TensorFlowException e) {
      throw new IllegalArgumentException("could not load the model at " + directory + ": " + e.getMessage(), e);
    }
  }
}
