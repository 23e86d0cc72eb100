package io.siamese.examples;

import io.siamese.core.Embedder;
import io.siamese.core.SiameseModel;
import io.siamese.core.embedding.AugmentedEmbedder;
import io.siamese.core.embedding.EnsembleEmbedder;
import io.siamese.core.evaluation.OneShotEvaluator;
import io.siamese.core.evaluation.OneShotResult;
import io.siamese.core.evaluation.PairEvaluator;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.TrainingHistory;
import io.siamese.data.Augmenter;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.Episode;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.LabeledDatasetBuilder;
import io.siamese.data.OmniglotLoader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * One-shot classification on Omniglot (Lake et al. 2015), the field's benchmark: trains on some
 * background alphabets, then classifies drawings of alphabets never seen in training from one
 * example per character, within an alphabet (the standard 20-way protocol), and reports open-set
 * identification: galleries of 20 characters whose threshold, calibrated on the validation
 * alphabet for a target false-alarm rate, is kept with the model.
 *
 * <p>Data: the Omniglot background zips in {@code ../shared/data/omniglot/} by default, or any zips
 * or folders in the {@code alphabet/character/*.png} layout given with {@code --data}. Held out:
 * Balinese and Early_Aramaic for testing (24 and 22 characters, so 20-way episodes fit inside each)
 * and Tagalog for validation; the model trains on the others, or with {@code --all-alphabets true}
 * on every alphabet but Tagalog (for the model an application keeps; no test figures then).
 *
 * <p>Options: {@code --data PATH}... {@code --minutes M} training time (default 15), {@code --steps
 * N} a cap on training steps (rounded up to whole epochs of 200), {@code --augment false} to train
 * without Koch et al.'s affine augmentation, {@code --rotations false} to train on the characters as
 * drawn only, {@code --mirrors true} to add each training character's mirror image as a class of
 * its own; {@code --loss} one of {@link Losses#NAMES} (default {@code batch-hard}, on P x K batches
 * of 4 drawings per character; {@code contrastive} on pairs; the losses with class weights on
 * batches over all training classes), {@code --margin M} ({@code soft}, the default, for
 * batch-hard), {@code --scale S} (see {@link Losses}); {@code --encoder conv4|resnet12|koch} (use
 * koch with {@code --size 105}), {@code --filters N} Conv-4's width (default 128), {@code --widths
 * A,B,C,D} ResNet-12's (default 64,96,128,256), {@code --embedding E} a linear layer of E units
 * after the encoder (default 128 for the losses with class weights, none otherwise), {@code
 * --head-bn true} batch norm after it, {@code --dropout R} dropout at rate R after each Conv-4
 * block's pooling but the last (default 0), {@code --batch N} examples per step (default 128); {@code
 * --schedule cosine} to anneal the learning rate to zero over {@code --steps}; {@code --tta K} to
 * evaluate with the mean embedding of K views (the drawing and K-1 augmented copies) as well;
 * {@code --size S} (default 28), {@code --episodes N} (default 400), {@code --open-set-trials N}
 * (default 400; 0 skips the open-set report), {@code --output DIR} (default {@code
 * siamese-output/omniglot}), {@code --seed N}; {@code --model DIR} evaluates a saved model instead of
 * training one; {@code --ensemble DIR,DIR} also evaluates it side by side with other saved models of
 * the same distance ({@code EnsembleEmbedder.of}); {@code --precision mixed} trains in bfloat16 where
 * the CPU has it ({@code Precision.MIXED}; default {@code fp32}).
 */
public final class OmniglotOneShot {
  private static final List<String> TEST = List.of("Balinese", "Early_Aramaic");
  private static final List<String> VALIDATION = List.of("Tagalog");
  private static final int STEPS_PER_EPOCH = 200;

  private OmniglotOneShot() {}

  public static void main(String[] args) throws IOException {
    OmniglotOptions o = OmniglotOptions.parse(args);
    PrintStream out = System.out;
    if (o.data().isEmpty()) {
      out.println("No Omniglot data: put images_background_small1.zip and images_background_small2.zip in "
          + "../shared/data/omniglot/, or name zips or folders in the alphabet/character/*.png layout with --data.");
      return;
    }
    long t0 = System.nanoTime();
    LabeledDataset all = OmniglotLoader.builder().imageSize(o.size()).build().load(o.data());
    out.printf(Locale.ROOT, "Loaded %d drawings of %d characters in %d alphabets from %s in %.1f s%n",
        all.size(), all.classCount(), all.groupCount(), o.data(), (System.nanoTime() - t0) / 1e9);

    LabeledDataset train = byAlphabet(all, name -> (o.allAlphabets() || !TEST.contains(name)) && !VALIDATION.contains(name));
    LabeledDataset validation = byAlphabet(all, VALIDATION::contains);
    LabeledDataset test = o.allAlphabets() ? null : byAlphabet(all, TEST::contains);
    out.printf(Locale.ROOT, "Train: %s (%d characters); validation: %s; test: %s%n", alphabets(train), train.classCount(),
        alphabets(validation), test == null ? "none (--all-alphabets)" : alphabets(test) + " (" + test.classCount() + " characters)");
    if (o.mirrors()) {
      train = withMirroredClasses(train);
    }
    if (o.rotations()) {
      train = withRotatedClasses(train);
    }
    if (o.rotations() || o.mirrors()) {
      out.printf(Locale.ROOT, "Training on each character%s%s as a class of its own: %d classes%n",
          o.mirrors() ? " and its mirror image" : "", o.rotations() ? " at 0, 90, 180 and 270 degrees" : "", train.classCount());
    }

    Files.createDirectories(o.output());
    try (SiameseModel model = o.model() != null ? SiameseModel.load(o.model()) : OmniglotTraining.build(o, all.shape(), train.classCount())) {
      out.println(model.encoderSpec());
      out.println("Loss: " + model.lossDescription());
      TrainingHistory history = null;
      if (o.model() == null) {
        long trainStart = System.nanoTime();
        history = OmniglotTraining.fit(model, o, train, validation, STEPS_PER_EPOCH, out);
        out.printf(Locale.ROOT, "Trained %d epochs (%d steps) in %.0f s; kept the weights of epoch %d (best validation ROC AUC)%n",
            history.epochs().size(), model.trainingSteps(), (System.nanoTime() - trainStart) / 1e9, history.bestEpoch());
      }
      Embedder tta = o.tta() > 0
          ? AugmentedEmbedder.builder(model, Augmenter.koch2015()::apply, "koch2015").views(o.tta()).seed(o.seed()).build()
          : null;
      PairMetrics pairs = null;
      double far1 = Double.NaN;
      if (test != null) {
        pairs = model.evaluatePairs(BalancedPairSampler.of(test, o.seed() + 2), 4000);
        far1 = pairs.thresholdAtFalseAcceptRate(0.01);
        report(out, "Test alphabets, pairs", pairs, far1);
        if (tta != null) {
          PairMetrics p = PairEvaluator.evaluate(tta, model.embeddingDistance(), BalancedPairSampler.of(test, o.seed() + 2), 4000);
          report(out, "  with " + tta, p, p.thresholdAtFalseAcceptRate(0.01));
        }
        for (int ways : new int[] {5, 20}) {
          OneShotResult r = model.evaluateOneShot(episodes(test, ways, o.seed()), o.episodes());
          OneShotResult pixels = PixelBaseline.oneShot(episodes(test, ways, o.seed()), o.episodes());
          out.printf(Locale.ROOT, "Within-alphabet %s; raw-pixel nearest neighbour: %.2f%% +/- %.2f%%%n",
              r, 100 * pixels.accuracy(), 100 * pixels.confidence95());
          if (tta != null) {
            out.println("  with " + tta + ": " + OneShotEvaluator.evaluate(tta, model.embeddingDistance(), episodes(test, ways, o.seed()), o.episodes()));
          }
        }
        if (!o.ensemble().isEmpty()) {
          reportEnsemble(model, o, test, out);
        }
      }
      if (o.openSetTrials() > 0) {
        // On the model's own embeddings, the ones its export gives an application, whose thresholds it keeps.
        OpenSetReport.run(model, model.embeddingDistance(), validation, test, o.openSetTrials(), o.seed() + 3, out)
            .forEach(model::setOperatingPoint);
      }

      Path saved = o.output().resolve("model");
      model.save(saved);
      Path export = o.output().resolve("savedmodel");
      deleteRecursively(export);
      model.exportSavedModel(export);
      out.println("Saved the model to " + saved + " and exported the encoder as a SavedModel to " + export
          + (model.operatingPoints().isEmpty() ? "" : ", with the operating points " + model.operatingPoints()));
      out.println("Embed any Omniglot PNGs with it (one TSV line per file):");
      out.println("  mvn -q -pl siamese-core exec:java -Dexec.skip=false -Dexec.mainClass=io.siamese.core.cli.EmbedCommand \\");
      out.println("    -Dexec.args=\"--model " + export.toAbsolutePath() + " --out embeddings.tsv FILE.png ...\"");
      drawPictures(model, history, pairs, far1, test != null ? test : validation, o, out);
    }
    out.printf(Locale.ROOT, "Done in %.0f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** One-shot accuracy of this model and the saved models of {@code --ensemble}, side by side ({@link EnsembleEmbedder#of}). */
  private static void reportEnsemble(SiameseModel model, OmniglotOptions o, LabeledDataset test, PrintStream out) {
    List<SiameseModel> others = new ArrayList<>();
    try {
      for (Path p : o.ensemble()) {
        others.add(SiameseModel.loadForInference(p));
      }
      List<Embedder> members = new ArrayList<>(List.of(model));
      members.addAll(others);
      Embedder ensemble = EnsembleEmbedder.of(members, false);
      Embedder withTta = o.tta() > 0
          ? AugmentedEmbedder.builder(ensemble, Augmenter.koch2015()::apply, "koch2015").views(o.tta()).seed(o.seed()).build()
          : null;
      for (int ways : new int[] {5, 20}) {
        out.println("  " + ensemble + ": " + OneShotEvaluator.evaluate(ensemble, model.embeddingDistance(), episodes(test, ways, o.seed()), o.episodes()));
        if (withTta != null) {
          out.println("  " + withTta + " of it: "
              + OneShotEvaluator.evaluate(withTta, model.embeddingDistance(), episodes(test, ways, o.seed()), o.episodes()));
        }
      }
    } finally {
      others.forEach(SiameseModel::close);
    }
  }

  private static EpisodeSampler episodes(LabeledDataset test, int ways, long seed) {
    return EpisodeSampler.builder(test).ways(ways).shots(1).queriesPerClass(1).withinGroup(true).seed(seed + ways).build();
  }

  private static void report(PrintStream out, String what, PairMetrics pairs, double far1) {
    out.printf(Locale.ROOT, "%s: ROC AUC %.4f, equal error rate %.2f%%, accuracy %.2f%% at threshold %.4f; "
        + "at 1%% false accepts (threshold %.4f) %.2f%% of same-character pairs are accepted%n",
        what, pairs.rocAuc(), 100 * pairs.equalErrorRate(), 100 * pairs.bestAccuracy(), pairs.bestThreshold(), far1,
        100 * pairs.at(far1).recall());
  }

  private static void drawPictures(SiameseModel model, TrainingHistory history, PairMetrics pairs, double far1,
      LabeledDataset shownData, OmniglotOptions o, PrintStream out) {
    try {
      if (history != null) {
        Charts.trainingCurve(history, String.join(", ", VALIDATION) + ", an unseen alphabet", o.output().resolve("training-curve.png"));
      }
      if (pairs != null) {
        Charts.rocCurve(pairs, far1, "1% false accepts", o.output().resolve("roc-curve.png"));
      }
      int ways = Math.min(20, shownData.classesOfGroup(shownData.groupIds()[0]).length);
      Episode episode = EpisodeSampler.builder(shownData).ways(ways).shots(1).queriesPerClass(1).withinGroup(true)
          .seed(o.seed()).build().next();
      Charts.episode(model, episode, Math.min(13, ways - 1), shownData, o.output().resolve("one-shot-episode.png"));
      int[] shownClasses = Arrays.copyOf(shownData.classesOfGroup(shownData.groupIds()[0]), 10);
      int[] shown = Arrays.stream(shownClasses).flatMap(c -> Arrays.stream(shownData.indicesOfClass(c))).toArray();
      LabeledDataset subset = shownData.subset(shown);
      Charts.embeddingProjection(model.embed(subset), subset.labels(),
          // "Balinese/character07" in the legend as "character07": the title names the alphabet.
          l -> shownData.className(l).substring(shownData.className(l).lastIndexOf('/') + 1),
          "Embeddings of 10 unseen " + shownData.groupName(shownData.groupIds()[0]) + " characters (PCA)",
          o.output().resolve("embeddings-pca.png"));
      out.println("Pictures: " + o.output().toAbsolutePath() + " " + Charts.names());
    } catch (IOException | RuntimeException | Error e) {
      out.println("Could not draw the pictures: " + e);
    }
  }

  /**
   * Each training character rotated by 0, 90, 180 and 270 degrees as four distinct classes: the
   * usual way (Santoro et al. 2016, Vinyals et al. 2016) to give an Omniglot encoder more classes
   * than the background alphabets hold.
   */
  static LabeledDataset withRotatedClasses(LabeledDataset data) {
    int n = data.shape().height();
    if (n != data.shape().width()) {
      throw new IllegalArgumentException("rotated classes need square images, got " + data.shape());
    }
    int size = data.featureSize();
    float[] features = new float[4 * data.size() * size];
    int[] labels = new int[4 * data.size()];
    int[] groups = new int[4 * data.size()];
    int maxLabel = Arrays.stream(data.classes()).max().orElse(0) + 1;
    for (int r = 0; r < 4; r++) {
      for (int i = 0; i < data.size(); i++) {
        float[] image = data.features(i);
        for (int turn = 0; turn < r; turn++) {
          image = rotate90(image, n);
        }
        int k = r * data.size() + i;
        System.arraycopy(image, 0, features, k * size, size);
        labels[k] = r * maxLabel + data.label(i);
        groups[k] = data.group(i);
      }
    }
    return LabeledDataset.builder(features, labels, data.shape()).groups(groups).build();
  }

  /** Clockwise quarter turn of an n x n image: destination (y, x) takes source (n - 1 - x, y). */
  static float[] rotate90(float[] src, int n) {
    float[] dst = new float[n * n];
    for (int y = 0; y < n; y++) {
      for (int x = 0; x < n; x++) {
        dst[y * n + x] = src[(n - 1 - x) * n + y];
      }
    }
    return dst;
  }

  /**
   * Each training character's mirror image (left to right) as a class of its own: a mirrored
   * character is a plausible character of another alphabet, and twice the classes to tell apart.
   */
  static LabeledDataset withMirroredClasses(LabeledDataset data) {
    int h = data.shape().height();
    int w = data.shape().width();
    int c = data.shape().channels();
    int size = data.featureSize();
    float[] features = new float[2 * data.size() * size];
    int[] labels = new int[2 * data.size()];
    int[] groups = new int[2 * data.size()];
    int maxLabel = Arrays.stream(data.classes()).max().orElse(0) + 1;
    for (int i = 0; i < data.size(); i++) {
      float[] image = data.features(i);
      System.arraycopy(image, 0, features, i * size, size);
      int k = data.size() + i;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          System.arraycopy(image, (y * w + x) * c, features, k * size + (y * w + (w - 1 - x)) * c, c);
        }
      }
      labels[i] = data.label(i);
      labels[k] = maxLabel + data.label(i);
      groups[i] = data.hasGroups() ? data.group(i) : 0;
      groups[k] = groups[i];
    }
    LabeledDatasetBuilder b = LabeledDataset.builder(features, labels, data.shape());
    return data.hasGroups() ? b.groups(groups).build() : b.build();
  }

  private static LabeledDataset byAlphabet(LabeledDataset all, java.util.function.Predicate<String> keep) {
    int[] indices = IntStream.range(0, all.size()).filter(i -> keep.test(all.groupName(all.group(i)))).toArray();
    if (indices.length == 0) {
      throw new IllegalArgumentException("none of the loaded alphabets " + alphabets(all) + " is in this part of the split; "
          + "the example holds out " + TEST + " for testing and " + VALIDATION + " for validation");
    }
    return all.subset(indices);
  }

  static List<String> alphabets(LabeledDataset d) {
    return Arrays.stream(d.groupIds()).mapToObj(d::groupName).toList();
  }

  private static void deleteRecursively(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    try (var walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(q);
      }
    }
  }
}
