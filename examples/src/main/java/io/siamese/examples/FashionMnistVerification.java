package io.siamese.examples;

import io.siamese.core.SiameseModel;
import io.siamese.core.SiameseModelBuilder;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.BatchAugmentation;
import io.siamese.core.train.ConsoleProgressListener;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.Augmenter;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ClassBatchSampler;
import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.IdxLoader;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PkBatchSampler;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Verification of clothing classes never seen in training, on Fashion-MNIST: trains on six classes
 * (T-shirt/top, trouser, pullover, dress, coat, sandal: the 60,000 training images of those
 * classes) and evaluates on the other four (shirt, sneaker, bag, ankle boot: the 4,000 test images
 * of those classes): pair ROC AUC, equal error rate, the threshold at a 1% false accept rate, and
 * 4-way one-shot accuracy.
 *
 * <p>Data: {@code /usr/share/datasets/fashion-mnist/} ({@code apt-get install dataset-fashion-mnist})
 * or the folder given with {@code --data}. Options: {@code --minutes M} (default 3), {@code --steps
 * N} a cap on training steps, {@code --episodes N} (default 400), {@code --output DIR} (default
 * {@code siamese-output/fashion-mnist}), {@code --seed N}; {@code --loss} one of {@link
 * Losses#NAMES} (default {@code proxy-anchor}, whose proxies, like every loss with class weights,
 * train on batches drawn over the six classes; {@code batch-hard} on batches of all six classes x 21
 * images; {@code contrastive} on pairs), {@code
 * --margin M} and {@code --scale S} as in {@link Losses}; {@code --encoder conv4|resnet12}, {@code
 * --filters N}, {@code --widths A,B,C,D}, {@code --embedding E} and {@code --head-bn true} as in
 * {@link OmniglotOneShot}; {@code --augment none|flip|affine|flip+affine} (default flip+affine) distorts
 * the training images: a left-right flip of half of them, small affine distortions (Koch et al.'s
 * settings), or both.
 */
public final class FashionMnistVerification {
  static final List<String> CLASS_NAMES =
      List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");
  private static final int FIRST_UNSEEN = 6;
  private static final List<String> AUGMENTATIONS = List.of("none", "flip", "affine", "flip+affine");

  private FashionMnistVerification() {}

  public static void main(String[] args) throws IOException {
    Path data = Path.of("/usr/share/datasets/fashion-mnist");
    double minutes = 3;
    int episodes = 400;
    Path output = Path.of("siamese-output", "fashion-mnist");
    long seed = 1;
    int steps = 0;
    // Measured (docs/examples.md): Proxy-Anchor with flips and affine distortions is the best of the
    // losses and augmentations tried at equal steps.
    String loss = "proxy-anchor";
    String margin = null;
    double scale = Double.NaN;
    String encoderName = "conv4";
    int filters = 64;
    int[] widths = {64, 96, 128, 256};
    int embedding = -1;
    boolean headBatchNorm = false;
    String augment = "flip+affine";
    for (int i = 0; i < args.length; i += 2) {
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      String v = args[i + 1];
      switch (args[i]) {
        case "--data" -> data = Path.of(v);
        case "--minutes" -> minutes = Double.parseDouble(v);
        case "--episodes" -> episodes = Integer.parseInt(v);
        case "--output" -> output = Path.of(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--loss" -> loss = Losses.checkName(v);
        case "--margin" -> margin = v;
        case "--scale" -> scale = Double.parseDouble(v);
        case "--encoder" -> encoderName = v;
        case "--filters" -> filters = Integer.parseInt(v);
        case "--widths" -> widths = Arrays.stream(v.split(",")).mapToInt(x -> Integer.parseInt(x.trim())).toArray();
        case "--embedding" -> embedding = Integer.parseInt(v);
        case "--head-bn" -> headBatchNorm = Boolean.parseBoolean(v);
        case "--augment" -> augment = v;
        default -> throw new IllegalArgumentException("unknown option " + args[i] + "; known: --data DIR, --minutes M, --steps N, "
            + "--loss " + String.join("|", Losses.NAMES) + ", --margin M, --scale S, --encoder conv4|resnet12, --filters N, "
            + "--widths A,B,C,D, --embedding E, --head-bn true|false, --augment " + String.join("|", AUGMENTATIONS)
 + ", --episodes N, --output DIR, --seed N");
      }
    }
    if (!encoderName.equals("conv4") && !encoderName.equals("resnet12")) {
      throw new IllegalArgumentException("--encoder must be conv4 or resnet12, got " + encoderName);
    }
    if (!AUGMENTATIONS.contains(augment)) {
      throw new IllegalArgumentException("--augment must be one of " + AUGMENTATIONS + ", got " + augment);
    }
    if (margin == null && loss.equals("batch-hard")) {
      margin = "1"; // measured against contrastive with margin 1 (docs/examples.md)
    }
    Losses.checkSettings(loss, margin, scale);
    if (embedding == -1) {
      embedding = Losses.learnsClassWeights(loss) ? 128 : 0;
    }
    PrintStream out = System.out;
    Path trainImages = data.resolve("train-images-idx3-ubyte.gz");
    if (!Files.isRegularFile(trainImages)) {
      out.println("Fashion-MNIST is not in " + data + ". On Debian or Ubuntu: sudo apt-get install dataset-fashion-mnist "
          + "(it installs /usr/share/datasets/fashion-mnist/), or pass --data DIR holding the four IDX files.");
      return;
    }
    long t0 = System.nanoTime();
    LabeledDataset trainAll = IdxLoader.load(trainImages, data.resolve("train-labels-idx1-ubyte.gz"));
    LabeledDataset testAll = IdxLoader.load(data.resolve("t10k-images-idx3-ubyte.gz"), data.resolve("t10k-labels-idx1-ubyte.gz"));
    out.printf(Locale.ROOT, "Loaded %d + %d images in %.1f s%n", trainAll.size(), testAll.size(), (System.nanoTime() - t0) / 1e9);
    LabeledDataset train = classes(trainAll, true);
    LabeledDataset unseen = classes(testAll, false);
    out.printf(Locale.ROOT, "Training on %s (%d images); evaluating on unseen %s (%d images)%n",
        CLASS_NAMES.subList(0, FIRST_UNSEEN), train.size(), CLASS_NAMES.subList(FIRST_UNSEEN, 10), unseen.size());

    Files.createDirectories(output);
    SiameseModelBuilder builder = SiameseModel.builder()
        .encoder(OmniglotTraining.encoder(encoderName, filters, widths, embedding, headBatchNorm, train.shape()))
        .optimizer(OptimizerSpec.adam(1e-3))
        .seed(seed);
    Losses.apply(builder, loss, margin, scale, train.classCount());
    try (SiameseModel model = builder.build()) {
      out.println("Loss: " + model.lossDescription());
      // Validation on held-out training-class images: the unseen classes stay untouched until the end.
      LabeledDataset validation = classes(testAll, true);
      TrainingConfig.Builder config = TrainingConfig.builder()
          .epochs(steps > 0 ? (steps + 199) / 200 : 1000)
          .stepsPerEpoch(200)
          .validation(BalancedPairSampler.of(validation, seed + 1), 2000)
          .earlyStopping(5)
          .timeLimit(Duration.ofSeconds(Math.round(minutes * 60)));
      if (!augment.equals("none")) {
        config.augmentation(augmentation(augment));
      }
      ConsoleProgressListener progress = new ConsoleProgressListener(out);
      TrainingHistory history;
      if (Losses.learnsClassWeights(loss)) {
        history = model.fit(ClassBatchSampler.builder(train).batchSize(126).seed(seed).build(), config.batchSize(126).build(), progress);
      } else if (Losses.minesBatches(loss)) {
        // All six training classes in every batch, 21 images each: 126 encoder passes, as many as 63 pairs take.
        history = model.fit(PkBatchSampler.builder(train).classesPerBatch(FIRST_UNSEEN).examplesPerClass(21).seed(seed).build(),
            config.batchSize(126).build(), progress);
      } else {
        history = model.fit(BalancedPairSampler.of(train, seed), config.batchSize(64).build(), progress);
      }

      PairMetrics pairs = model.evaluatePairs(BalancedPairSampler.of(unseen, seed + 2), 4000);
      double far1 = pairs.thresholdAtFalseAcceptRate(0.01);
      out.printf(Locale.ROOT, "%nUnseen classes, 4,000 pairs: ROC AUC %.4f, equal error rate %.2f%% (threshold %.4f)%n",
          pairs.rocAuc(), 100 * pairs.equalErrorRate(), pairs.equalErrorThreshold());
      out.printf(Locale.ROOT, "At a 1%% false accept rate: threshold %.4f accepts %.2f%% of same-class pairs%n",
          far1, 100 * pairs.at(far1).recall());
      OneShotResult oneShot = model.evaluateOneShot(
          EpisodeSampler.builder(unseen).ways(4).shots(1).queriesPerClass(1).seed(seed + 3).build(), episodes);
      out.println(oneShot);

      try {
        Charts.trainingCurve(history, "held-out images of the training classes", output.resolve("training-curve.png"));
        Charts.rocCurve(pairs, far1, "1% false accepts", output.resolve("roc-curve.png"));
        Episode episode = EpisodeSampler.builder(unseen).ways(4).shots(1).queriesPerClass(1).seed(seed).build().next();
        Charts.episode(model, episode, 2, unseen, output.resolve("one-shot-episode.png"));
        int[] shown = IntStream.range(0, unseen.size()).filter(i -> i % 8 == 0).toArray();
        LabeledDataset subset = unseen.subset(shown);
        Charts.embeddingProjection(model.embed(subset), subset.labels(), CLASS_NAMES::get,
            "Embeddings of the 4 unseen classes (PCA)",
            output.resolve("embeddings-pca.png"));
        out.println("Pictures: " + output.toAbsolutePath() + " " + Charts.names());
      } catch (IOException | RuntimeException | Error e) {
        out.println("Could not draw the pictures: " + e);
      }
    }
    out.printf(Locale.ROOT, "Done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** Left-right flips of half the images, Koch et al.'s affine distortions, or both. */
  static BatchAugmentation augmentation(String name) {
    BatchAugmentation affine = Augmenter.koch2015()::apply;
    BatchAugmentation flip = FashionMnistVerification::flipHalf;
    return switch (name) {
      case "flip" -> flip;
      case "affine" -> affine;
      default -> (batch, count, shape, random) -> {
        flip.apply(batch, count, shape, random);
        affine.apply(batch, count, shape, random);
      };
    };
  }

  /** Mirrors each image left to right with probability 1/2 (clothes and shoes face either way). */
  static void flipHalf(float[] batch, int count, ExampleShape shape, SplittableRandom random) {
    int h = shape.height();
    int w = shape.width();
    int c = shape.channels();
    float[] pixel = new float[c];
    for (int i = 0; i < count; i++) {
      if (!random.nextBoolean()) {
        continue;
      }
      int base = i * shape.size();
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w / 2; x++) {
          int left = base + (y * w + x) * c;
          int right = base + (y * w + (w - 1 - x)) * c;
          System.arraycopy(batch, left, pixel, 0, c);
          System.arraycopy(batch, right, batch, left, c);
          System.arraycopy(pixel, 0, batch, right, c);
        }
      }
    }
  }

  private static LabeledDataset classes(LabeledDataset data, boolean seen) {
    int[] keep = IntStream.range(0, data.size()).filter(i -> (data.label(i) < FIRST_UNSEEN) == seen).toArray();
    return data.subset(keep);
  }
}
