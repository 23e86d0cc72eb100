package io.siamese.core;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Not a test: the child JVM of {@link ReliabilityCrashSafeSaveTest}. Trains one model a step at a
 * time and saves it after every step into the same directory, forever, until the parent kills it.
 *
 * <p>Usage: {@code ReliabilitySaveChild DIR SEED}. Prints {@code READY} once the model is built,
 * then for every version {@code v}: {@code SAVING v FINGERPRINT} before {@code save} starts and
 * {@code SAVED v FINGERPRINT} after it returns. {@code System.out} flushes on every line, so what
 * the parent reads after a SIGKILL is exactly what happened before it.
 */
public final class ReliabilitySaveChild {
  static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);

  private ReliabilitySaveChild() {}

  /** The model both JVMs build: large enough (about 340 KB of weights and Adam state) that a save takes a while. */
  static SiameseModel newModel(long seed) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.conv4(SHAPE, 32))
        .loss(ContrastiveLoss.similarIsOne())
        .optimizer(OptimizerSpec.adam(1e-2))
        .seed(seed)
        .build();
  }

  /**
   * The embedding of one fixed input, as the hex bits of its floats: two versions of the model
   * have the same fingerprint only if they embed that input bit-identically.
   */
  static String fingerprint(SiameseModel model) {
    SplittableRandom random = new SplittableRandom(42);
    float[] probe = new float[SHAPE.size()];
    for (int i = 0; i < probe.length; i++) {
      probe[i] = (float) random.nextDouble();
    }
    StringBuilder s = new StringBuilder();
    for (float v : model.embed(probe)) {
      s.append(s.length() == 0 ? "" : ",").append(Integer.toHexString(Float.floatToRawIntBits(v)));
    }
    return s.toString();
  }

  public static void main(String[] args) {
    Path dir = Path.of(args[0]);
    long seed = Long.parseLong(args[1]);
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();
    TrainingConfig oneStep = TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(4).build();
    try (SiameseModel model = newModel(seed)) {
      PairSampler sampler = BalancedPairSampler.of(glyphs, seed);
      System.out.println("READY");
      for (long v = 1; ; v++) {
        model.fit(sampler, oneStep);
        String fingerprint = fingerprint(model);
        System.out.println("SAVING " + v + " " + fingerprint);
        model.save(dir);
        System.out.println("SAVED " + v + " " + fingerprint);
      }
    }
  }
}
