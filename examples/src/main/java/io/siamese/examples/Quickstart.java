package io.siamese.examples;

import io.siamese.core.Precision;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.DatasetSplit;
import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * The quickstart: trains a Siamese network on synthetic handwritten glyphs for about a minute on
 * two cores, then measures how well it recognises glyph classes it has never seen, from one
 * example each.
 *
 * <p>Run from the repository root: {@code mvn -q -DskipTests -pl examples -am package exec:java}.
 * Options: {@code --epochs N} (default 6), {@code --steps N} steps per epoch (default 100), {@code
 * --seed N} (default 42), {@code --output DIR} for the pictures (default {@code
 * siamese-output/quickstart}), {@code --precision mixed} to compute in bfloat16 where the CPU has it
 * (default {@code fp32}; see {@code Precision}).
 */
public final class Quickstart {
  private Quickstart() {}

  public static void main(String[] args) {
    Options options = Options.parse(args);
    PrintStream out = System.out;
    long start = System.nanoTime();

    // 1. Data: 160 synthetic glyph classes of 20 drawings each; 40 classes are held out entirely.
    LabeledDataset glyphs =
        SyntheticGlyphs.builder()
            .classes(160)
            .examplesPerClass(20)
            .imageSize(28)
            .seed(options.seed)
            .build()
            .generate();
    DatasetSplit split = Splits.byClass(glyphs, 40, options.seed);
    out.printf(
        Locale.ROOT,
        "Synthetic glyphs: %d training classes (%d images), %d unseen test classes (%d images), %s each%n",
        split.train().classCount(),
        split.train().size(),
        split.test().classCount(),
        split.test().size(),
        glyphs.shape());

    // 2. Model: the Conv-4 encoder, contrastive loss with "similar = 1" labels, Adam.
    EncoderSpec encoder = EncoderSpec.conv4(glyphs.shape(), 64);
    try (SiameseModel model =
        SiameseModel.builder()
            .encoder(encoder)
            .loss(ContrastiveLoss.similarIsOne(1.0))
            .optimizer(OptimizerSpec.adam(1e-3))
            .seed(options.seed)
            .precision(options.precision)
            .build()) {
      out.println(encoder);

      // 3. Train on balanced pairs of the training classes; validate on the unseen classes.
      TrainingConfig config =
          TrainingConfig.builder()
              .epochs(options.epochs)
              .stepsPerEpoch(options.steps)
              .batchSize(64)
              .validation(BalancedPairSampler.of(split.test(), options.seed + 1), 500)
              .build();
      TrainingHistory history =
          model.fit(BalancedPairSampler.of(split.train(), options.seed), config, new ConsoleProgressListener(out));

      // 4. Verification on unseen classes: are two drawings of one glyph?
      PairMetrics pairs = model.evaluatePairs(BalancedPairSampler.of(split.test(), options.seed + 2), 2000);
      out.printf(
          Locale.ROOT,
          "%nUnseen-class pairs: ROC AUC %.4f, accuracy %.2f%% at distance threshold %.4f%n",
          pairs.rocAuc(),
          100 * pairs.bestAccuracy(),
          pairs.bestThreshold());

      // 5. One-shot classification on unseen classes: one example per class, nearest wins.
      for (int ways : new int[] {5, 20}) {
        EpisodeSampler episodes =
            EpisodeSampler.builder(split.test())
                .ways(ways)
                .shots(1)
                .queriesPerClass(1)
                .seed(options.seed + ways)
                .build();
        OneShotResult result = model.evaluateOneShot(episodes, 400);
        out.println(result);
      }

      // 6. Pictures.
      try {
        Files.createDirectories(options.output);
        Charts.trainingCurve(history, "unseen classes", options.output.resolve("training-curve.png"));
        Charts.rocCurve(pairs, pairs.bestThreshold(), "best accuracy", options.output.resolve("roc-curve.png"));
        Episode episode =
            EpisodeSampler.builder(split.test()).ways(20).shots(1).queriesPerClass(1).seed(options.seed).build().next();
        Charts.episode(model, episode, 13, split.test(), options.output.resolve("one-shot-episode.png"));
        LabeledDataset shown = split.test().subset(firstClasses(split.test(), 10));
        Charts.embeddingProjection(
            model.embed(shown), shown.labels(), "Embeddings of 10 unseen classes (PCA)", options.output.resolve("embeddings-pca.png"));
        out.println("Pictures: " + options.output.toAbsolutePath() + " " + Charts.names());
      } catch (IOException | RuntimeException | Error e) {
        // Pictures are a bonus: a machine without fonts or a writable folder still gets the numbers.
        out.println("Could not draw the pictures: " + e);
      }
    }
    out.printf(Locale.ROOT, "Done in %.0f s%n", (System.nanoTime() - start) / 1e9);
  }

  private static int[] firstClasses(LabeledDataset data, int count) {
    int[] classes = data.classes();
    return java.util.Arrays.stream(classes, 0, Math.min(count, classes.length))
        .flatMap(c -> java.util.Arrays.stream(data.indicesOfClass(c)))
        .toArray();
  }

  private record Options(int epochs, int steps, long seed, Path output, Precision precision) {
    static Options parse(String[] args) {
      int epochs = 6;
      int steps = 100;
      long seed = 42;
      Path output = Path.of("siamese-output", "quickstart");
      Precision precision = Precision.FP32;
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--epochs" -> epochs = Integer.parseInt(require(args[i], value));
          case "--steps" -> steps = Integer.parseInt(require(args[i], value));
          case "--seed" -> seed = Long.parseLong(require(args[i], value));
          case "--output" -> output = Path.of(require(args[i], value));
          case "--precision" -> precision = Precision.valueOf(require(args[i], value).toUpperCase(java.util.Locale.ROOT));
          default -> throw new IllegalArgumentException(
              "unknown option " + args[i] + "; known: --epochs N, --steps N, --seed N, --output DIR, --precision fp32|mixed");
        }
        i++;
      }
      return new Options(epochs, steps, seed, output, precision);
    }

    private static String require(String option, String value) {
      if (value == null) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return value;
    }
  }
}
