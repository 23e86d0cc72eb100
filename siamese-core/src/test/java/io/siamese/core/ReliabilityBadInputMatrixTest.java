package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.cli.EmbedCommand;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.gallery.OneShotClassifier;
import io.siamese.core.train.LearningRateSchedule;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.core.train.TrainingDivergedException;
import io.siamese.data.Augmenter;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.CsvLoader;
import io.siamese.data.EpisodeSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.IdxLoader;
import io.siamese.data.Images;
import io.siamese.data.LabeledDataset;
import io.siamese.data.OmniglotLoader;
import io.siamese.data.PkBatchSampler;
import io.siamese.data.Splits;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.data.TripletSampler;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distances;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.PairLabelConvention;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every public entry point against bad input, as one table: null, empty, wrong shape or length,
 * wrong number of channels, NaN and infinity, a single class, fewer classes than a sampler needs,
 * zero and negative sizes and margins, use after close, saving where nothing can be written, and
 * truncated or corrupted files. Each case names the exception type and a fragment of the message
 * that names the problem.
 *
 * <p>{@code docs/errors.md} lists the same rows in the same order for users; {@link
 * #theUserTableInDocsListsEveryCaseInOrder()} keeps the two in sync. After changing a case, print
 * the rows with their actual messages and paste them into the document:
 *
 * <pre>
 * mvn -q -pl siamese-core -am test -Dtest=ReliabilityBadInputMatrixTest -Dsurefire.failIfNoSpecifiedTests=false -Dsiamese.errors.print=true
 * </pre>
 *
 * <p>Bugs that the matrix found are separate tests, disabled with a {@code BUG:} reason until the
 * main code is fixed.
 */
class ReliabilityBadInputMatrixTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  /** What the temporary folder is shown as in {@code docs/errors.md}. */
  private static final String DOC_DIR = "/data";

  @TempDir static Path tmp;

  private static LabeledDataset glyphs;
  private static SiameseModel model;
  private static SiameseModel closedModel;
  private static Path export;
  private static SavedModelEmbedder closedEmbedder;
  private static Path aFile;

  /** One row of the table: where, what is wrong, what is thrown, what the message says. */
  record Case(String entryPoint, String badInput, Class<? extends Throwable> type, String fragment, Executable call) {
    @Override
    public String toString() {
      return entryPoint + " <- " + badInput;
    }
  }

  @BeforeAll
  static void fixtures() throws IOException {
    glyphs = SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();
    model = newModel(1);
    closedModel = newModel(2);
    closedModel.close();
    export = tmp.resolve("export");
    model.exportSavedModel(export);
    closedEmbedder = SavedModelEmbedder.open(export);
    closedEmbedder.close();
    aFile = Files.writeString(tmp.resolve("a-file"), "not a folder");
  }

  @AfterAll
  static void closeModel() {
    model.close();
  }

  private static SiameseModel newModel(long seed) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.conv4(SHAPE, 8))
        .loss(ContrastiveLoss.similarIsOne())
        .seed(seed)
        .build();
  }

  static Stream<Case> matrix() {
    return cases().stream();
  }

  @ParameterizedTest(name = "{index}: {0}")
  @MethodSource("matrix")
  void badInputGetsItsExceptionAndAMessageThatNamesTheProblem(Case c) {
    assertMessage(c.type(), c.call(), c.fragment());
  }

  /** The table; {@code docs/errors.md} lists the same rows in the same order. */
  static List<Case> cases() {
    List<Case> t = new ArrayList<>();
    // --- SiameseModel: building
    t.add(new Case("SiameseModelBuilder.encoder", "null", NullPointerException.class, "encoder",
        () -> SiameseModel.builder().encoder(null)));
    t.add(new Case("SiameseModelBuilder.build", "no encoder set", IllegalStateException.class, "the encoder must be set",
        () -> SiameseModel.builder().loss(ContrastiveLoss.similarIsOne()).build()));
    t.add(new Case("SiameseModelBuilder.threads", "negative thread count", IllegalArgumentException.class,
        "intraOp threads must be >= 0, got -1", () -> SiameseModel.builder().threads(-1, 1)));
    // --- SiameseModel: embedding and scoring
    t.add(new Case("SiameseModel.embed(float[][])", "null", NullPointerException.class, "examples",
        () -> model.embed((float[][]) null)));
    t.add(new Case("SiameseModel.embed(float[][])", "empty array", IllegalArgumentException.class,
        "embed needs at least one example", () -> model.embed(new float[0][])));
    t.add(new Case("SiameseModel.embed(float[][])", "a null row", NullPointerException.class, "example 1 is null",
        () -> model.embed(new float[][] {glyphs.features(0), null})));
    t.add(new Case("SiameseModel.embed(float[])", "wrong length (783 floats for 28x28x1)", IllegalArgumentException.class,
        "example 0 has 783 floats; the encoder expects 28x28x1 = 784", () -> model.embed(new float[783])));
    t.add(new Case("SiameseModel.embed(float[])", "wrong number of channels (28x28x3 image for a 28x28x1 encoder)",
        IllegalArgumentException.class, "2352 floats; the encoder expects 28x28x1", () -> model.embed(new float[28 * 28 * 3])));
    t.add(new Case("SiameseModel.embed(float[])", "NaN", IllegalArgumentException.class, "holds NaN at position 5",
        () -> model.embed(with(glyphs.features(0), 5, Float.NaN))));
    t.add(new Case("SiameseModel.embed(LabeledDataset)", "dataset of another shape (28x28x3)", IllegalArgumentException.class,
        "the dataset holds examples of shape 28x28x3, but the encoder expects 28x28x1",
        () -> model.embed(LabeledDataset.of(new float[2 * 28 * 28 * 3], new int[] {0, 1}, ExampleShape.image(28, 28, 3)))));
    t.add(new Case("SiameseModel.distance", "infinity in the second example", IllegalArgumentException.class,
        "second example holds Infinity at position 9",
        () -> model.distance(glyphs.features(0), with(glyphs.features(1), 9, Float.POSITIVE_INFINITY))));
    t.add(new Case("SiameseModel.distance", "null first example", NullPointerException.class, "first example is null",
        () -> model.distance(null, glyphs.features(0))));
    t.add(new Case("SiameseModel.similarity", "wrong length", IllegalArgumentException.class, "second example has 3 floats",
        () -> model.similarity(glyphs.features(0), new float[3])));
    t.add(new Case("SiameseModel.isSame", "NaN threshold", IllegalArgumentException.class,
        "threshold must be finite and >= 0, got NaN", () -> model.isSame(glyphs.features(0), glyphs.features(1), Double.NaN)));
    t.add(new Case("SiameseModel.isSame", "negative threshold", IllegalArgumentException.class,
        "threshold must be finite and >= 0, got -1.0", () -> model.isSame(glyphs.features(0), glyphs.features(1), -1)));
    // --- SiameseModel: training and evaluation
    t.add(new Case("SiameseModel.fit", "null sampler", NullPointerException.class, "sampler",
        () -> model.fit((io.siamese.data.PairSampler) null, config(1))));
    t.add(new Case("SiameseModel.fit", "null config", NullPointerException.class, "config",
        () -> model.fit(BalancedPairSampler.of(glyphs, 1), null)));
    t.add(new Case("SiameseModel.fit", "sampler over 20x20 images for a 28x28 encoder", IllegalArgumentException.class,
        "the training sampler's dataset holds examples of shape 20x20x1, but the encoder expects 28x28x1",
        () -> model.fit(BalancedPairSampler.of(glyphsOfSize(20), 1), config(1))));
    t.add(new Case("SiameseModel.fit", "data that drives the loss to NaN", TrainingDivergedException.class,
        "training diverged: the loss of epoch 1, step 1", () -> {
          try (SiameseModel m = newModel(3)) {
            m.fit(BalancedPairSampler.of(extreme(), 1), config(4));
          }
        }));
    t.add(new Case("SiameseModel.evaluatePairs", "1 pair", IllegalArgumentException.class,
        "pair evaluation needs at least 2 pairs, got 1", () -> model.evaluatePairs(BalancedPairSampler.of(glyphs, 1), 1)));
    t.add(new Case("SiameseModel.evaluateOneShot", "null episode sampler", NullPointerException.class, "episodes",
        () -> model.evaluateOneShot(null, 10)));
    t.add(new Case("SiameseModel.evaluateOneShot", "0 episodes", IllegalArgumentException.class,
        "one-shot evaluation needs at least 2 episodes, got 0", () -> model.evaluateOneShot(episodes(glyphs, 2), 0)));
    t.add(new Case("SiameseModel.oneShotClassifier", "zero threshold", IllegalArgumentException.class,
        "unknown threshold must be > 0", () -> model.oneShotClassifier(0)));
    // --- SiameseModel: use after close
    t.add(new Case("SiameseModel.embed", "model closed", IllegalStateException.class, "this SiameseModel is closed",
        () -> closedModel.embed(glyphs.features(0))));
    t.add(new Case("SiameseModel.fit", "model closed", IllegalStateException.class, "this SiameseModel is closed",
        () -> closedModel.fit(BalancedPairSampler.of(glyphs, 1), config(1))));
    t.add(new Case("SiameseModel.evaluateOneShot", "model closed", IllegalStateException.class, "this SiameseModel is closed",
        () -> closedModel.evaluateOneShot(episodes(glyphs, 2), 2)));
    t.add(new Case("SiameseModel.save", "model closed", IllegalStateException.class, "this SiameseModel is closed",
        () -> closedModel.save(tmp.resolve("closed-save"))));
    t.add(new Case("SiameseModel.exportSavedModel", "model closed", IllegalStateException.class, "this SiameseModel is closed",
        () -> closedModel.exportSavedModel(tmp.resolve("closed-export"))));
    t.add(new Case("SiameseModel.oneShotClassifier", "model closed", IllegalStateException.class, "this SiameseModel is closed",
        () -> closedModel.oneShotClassifier(1.0)));
    // --- SiameseModel: persistence
    t.add(new Case("SiameseModel.save", "null directory", NullPointerException.class, "directory", () -> model.save(null)));
    t.add(new Case("SiameseModel.save", "a path under a regular file (cannot be written)", UncheckedIOException.class,
        "could not save the model to " + aFile().resolve("model"), () -> model.save(aFile().resolve("model"))));
    t.add(new Case("SiameseModel.exportSavedModel", "a directory that exists", IllegalArgumentException.class,
        "already exists; export into a new directory", () -> model.exportSavedModel(export)));
    t.add(new Case("SiameseModel.exportSavedModel", "a path under a regular file (cannot be written)", UncheckedIOException.class,
        "could not export the encoder to " + aFile().resolve("export"), () -> model.exportSavedModel(aFile().resolve("export"))));
    t.add(new Case("SiameseModel.load", "a directory with no saved model", IllegalArgumentException.class, "no saved model at",
        () -> SiameseModel.load(tmp.resolve("nothing-here"))));
    t.add(new Case("SiameseModel.load", "a regular file instead of a directory", UncheckedIOException.class,
        "could not read the model at " + aFile(), () -> SiameseModel.load(aFile())));
    t.add(new Case("SiameseModel.load", "truncated weights.bin", IllegalArgumentException.class,
        "weights.bin is corrupted or truncated", () -> SiameseModel.load(savedThenDamaged("truncated", s -> truncate(s.resolve("weights.bin"), 0.5)))));
    t.add(new Case("SiameseModel.load", "weights.bin with one bit flipped", IllegalArgumentException.class,
        "weights.bin is corrupted or truncated", () -> SiameseModel.load(savedThenDamaged("flipped", s -> flipBit(s.resolve("weights.bin"))))));
    t.add(new Case("SiameseModel.load", "weights.bin replaced by another file", IllegalArgumentException.class,
        "weights.bin is not a siamese-java weights file",
        () -> SiameseModel.load(savedThenDamaged("replaced", s -> Files.writeString(s.resolve("weights.bin"), "<html>404</html>")))));
    t.add(new Case("SiameseModel.load", "model.properties missing", IllegalArgumentException.class,
        "model.properties is missing", () -> SiameseModel.load(savedThenDamaged("incomplete", s -> Files.delete(s.resolve("model.properties"))))));
    t.add(new Case("SiameseModel.load", "CURRENT pointing outside the directory", IllegalArgumentException.class,
        "CURRENT is corrupted: it names '../../etc'",
        () -> SiameseModel.load(savedThenDamaged("pointer", s -> Files.writeString(s.resolveSibling("CURRENT"), "../../etc")))));
    // --- OneShotClassifier
    t.add(new Case("OneShotClassifier.classify", "nothing enrolled", IllegalStateException.class,
        "no example is enrolled; call enrol first", () -> model.oneShotClassifier(1.0).classify(glyphs.features(0))));
    t.add(new Case("OneShotClassifier.enrol", "null label", NullPointerException.class, "label",
        () -> model.<String>oneShotClassifier(1.0).enrol(null, glyphs.features(0))));
    t.add(new Case("OneShotClassifier.enrol", "NaN in the example", IllegalArgumentException.class, "holds NaN at position 0",
        () -> model.<String>oneShotClassifier(1.0).enrol("a", with(glyphs.features(0), 0, Float.NaN))));
    t.add(new Case("OneShotClassifier.classify", "model closed after the classifier was made", IllegalStateException.class,
        "this SiameseModel is closed", () -> {
          SiameseModel m = newModel(5);
          OneShotClassifier<String> c = m.oneShotClassifier(1.0);
          c.enrol("a", glyphs.features(0));
          m.close();
          c.classify(glyphs.features(1));
        }));
    // --- SavedModelEmbedder
    t.add(new Case("SavedModelEmbedder.open", "null", NullPointerException.class, "directory", () -> SavedModelEmbedder.open(null)));
    t.add(new Case("SavedModelEmbedder.open", "a SiameseModel.save directory (not an export)", IllegalArgumentException.class,
        "holds no SavedModel (no saved_model.pb)", () -> SavedModelEmbedder.open(saved("not-an-export"))));
    t.add(new Case("SavedModelEmbedder.open", "truncated saved_model.pb", IllegalArgumentException.class,
        "saved_model.pb is not a SavedModel", () -> SavedModelEmbedder.open(exportThenDamaged("pb", e -> truncate(e.resolve("saved_model.pb"), 0.5)))));
    t.add(new Case("SavedModelEmbedder.open", "truncated variables", IllegalArgumentException.class,
        "could not load the SavedModel in", () -> SavedModelEmbedder.open(exportThenDamaged("vars", e -> {
          try (Stream<Path> files = Files.list(e.resolve("variables"))) {
            for (Path f : files.toList()) {
              truncate(f, 0.5);
            }
          }
        }))));
    t.add(new Case("SavedModelEmbedder.embed", "wrong length", IllegalArgumentException.class,
        "example 0 has 5 floats; the encoder expects 28x28x1 = 784", () -> openEmbedderAndEmbed(new float[5])));
    t.add(new Case("SavedModelEmbedder.embed", "-Infinity", IllegalArgumentException.class, "example 0 holds -Infinity",
        () -> openEmbedderAndEmbed(with(glyphs.features(0), 3, Float.NEGATIVE_INFINITY))));
    t.add(new Case("SavedModelEmbedder.embed", "embedder closed", IllegalStateException.class,
        "this SavedModelEmbedder is closed", () -> closedEmbedder.embed(new float[][] {glyphs.features(0)})));
    // --- EmbedCommand
    t.add(new Case("EmbedCommand (embed)", "corrupt PNG", IllegalArgumentException.class, "cmd.png is truncated",
        () -> embedCommand("--model", export.toString(), "--out", tmp.resolve("out.tsv").toString(), corruptPng("cmd").toString())));
    t.add(new Case("EmbedCommand (embed)", "--batch 0", IllegalArgumentException.class, "--batch must be >= 1, got 0",
        () -> embedCommand("--model", export.toString(), "--out", tmp.resolve("out.tsv").toString(), "--batch", "0", "x.png")));
    t.add(new Case("EmbedCommand (embed)", "--model naming a SiameseModel.save directory", IllegalArgumentException.class,
        "holds no SavedModel", () -> embedCommand("--model", saved("cmd-model").toString(), "--out", tmp.resolve("o.tsv").toString(),
            goodPng("cmd-good").toString())));
    // --- Losses and distances
    t.add(new Case("ContrastiveLoss.similarIsOne(margin)", "zero margin", IllegalArgumentException.class,
        "margin must be finite and > 0, got 0.0", () -> ContrastiveLoss.similarIsOne(0)));
    t.add(new Case("ContrastiveLoss.similarIsOne(margin)", "negative margin", IllegalArgumentException.class,
        "margin must be finite and > 0, got -1.0", () -> ContrastiveLoss.similarIsOne(-1)));
    t.add(new Case("ContrastiveLoss.similarIsOne(margin)", "NaN margin", IllegalArgumentException.class,
        "margin must be finite and > 0, got NaN", () -> ContrastiveLoss.similarIsOne(Double.NaN)));
    t.add(new Case("ContrastiveLoss.builder", "null label convention", NullPointerException.class,
        "the label convention must be chosen", () -> ContrastiveLoss.builder(null)));
    t.add(new Case("ContrastiveLoss.Builder.margin", "margin set twice", IllegalStateException.class, "margin was already set to 2.0",
        () -> ContrastiveLoss.builder(PairLabelConvention.SIMILAR_IS_ONE).margin(2).margin(3)));
    t.add(new Case("Distances.byName", "unknown name", IllegalArgumentException.class, "unknown distance 'manhatten'",
        () -> Distances.byName("manhatten")));
    t.add(new Case("Distance.between", "vectors of different lengths", IllegalArgumentException.class,
        "vectors differ in length: 3 vs 4", () -> Distances.EUCLIDEAN.between(new float[3], new float[4])));
    // --- Encoder, training and optimizer settings
    t.add(new Case("EncoderSpec.conv4", "zero filters", IllegalArgumentException.class, "conv2d filters must be > 0, got 0",
        () -> EncoderSpec.conv4(SHAPE, 0)));
    t.add(new Case("EncoderSpec.conv4", "input too small for four poolings (4x4)", IllegalArgumentException.class,
        "the window is larger than the input", () -> EncoderSpec.conv4(ExampleShape.image(4, 4, 1), 8)));
    t.add(new Case("EncoderSpec.Builder.dense", "after a convolution, without flatten()", IllegalArgumentException.class,
        "cannot follow a layer of shape 28x28x1: it needs a flat vector, add flatten() first", () -> EncoderSpec.builder(SHAPE).dense(4)));
    t.add(new Case("EncoderSpec.Builder.build", "no layers", IllegalStateException.class, "an encoder needs at least one layer",
        () -> EncoderSpec.builder(SHAPE).build()));
    t.add(new Case("EncoderSpec.Builder.dropout", "rate 1.5", IllegalArgumentException.class,
        "dropout rate must be in [0, 1), got 1.5", () -> EncoderSpec.builder(SHAPE).dropout(1.5)));
    t.add(new Case("TrainingConfig.Builder.batchSize", "zero", IllegalArgumentException.class, "batchSize must be >= 1 pair, got 0",
        () -> TrainingConfig.builder().batchSize(0)));
    t.add(new Case("TrainingConfig.Builder.epochs", "negative", IllegalArgumentException.class, "epochs must be >= 1, got -1",
        () -> TrainingConfig.builder().epochs(-1)));
    t.add(new Case("TrainingConfig.Builder.build", "epochs not set", IllegalStateException.class, "epochs must be set",
        () -> TrainingConfig.builder().stepsPerEpoch(1).batchSize(1).build()));
    t.add(new Case("TrainingConfig.Builder.validation", "1 pair", IllegalArgumentException.class,
        "validation needs at least 2 pairs, got 1", () -> TrainingConfig.builder().validation(BalancedPairSampler.of(glyphs, 1), 1)));
    t.add(new Case("OptimizerSpec.adam", "NaN learning rate", IllegalArgumentException.class,
        "learning rate must be finite and > 0, got NaN", () -> OptimizerSpec.adam(Double.NaN)));
    t.add(new Case("OptimizerSpec.sgd", "negative learning rate", IllegalArgumentException.class,
        "learning rate must be finite and > 0, got -1.0", () -> OptimizerSpec.sgd(-1)));
    t.add(new Case("OptimizerSpec.sgdWithMomentum", "momentum 1", IllegalArgumentException.class, "momentum must be in [0, 1), got 1.0",
        () -> OptimizerSpec.sgdWithMomentum(0.1, 1.0)));
    // --- PairMetrics
    t.add(new Case("PairMetrics.of", "NaN distance", IllegalArgumentException.class, "distance of pair 1 is NaN",
        () -> PairMetrics.of(new double[] {0.1, Double.NaN}, new boolean[] {true, false})));
    t.add(new Case("PairMetrics.of", "only same-class pairs", IllegalArgumentException.class,
        "pair metrics need both same and different pairs, got 2 same of 2",
        () -> PairMetrics.of(new double[] {0.1, 0.2}, new boolean[] {true, true})));
    t.add(new Case("PairMetrics.of", "empty", IllegalArgumentException.class, "pair metrics need at least one pair",
        () -> PairMetrics.of(new double[0], new boolean[0])));
    t.add(new Case("PairMetrics.of", "arrays of different lengths", IllegalArgumentException.class,
        "distances and same differ in length: 2 vs 3", () -> PairMetrics.of(new double[2], new boolean[3])));
    t.add(new Case("PairMetrics.thresholdAtFalseAcceptRate", "rate 2", IllegalArgumentException.class,
        "target false accept rate must be in [0, 1], got 2.0",
        () -> PairMetrics.of(new double[] {0.1, 0.2}, new boolean[] {true, false}).thresholdAtFalseAcceptRate(2)));
    // --- LabeledDataset and ExampleShape
    t.add(new Case("LabeledDataset.of", "null features", NullPointerException.class, "features",
        () -> LabeledDataset.of(null, new int[1], SHAPE)));
    t.add(new Case("LabeledDataset.of", "no examples", IllegalArgumentException.class, "a dataset needs at least one example, got 0 labels",
        () -> LabeledDataset.of(new float[0], new int[0], SHAPE)));
    t.add(new Case("LabeledDataset.of", "features of the wrong length", IllegalArgumentException.class,
        "features must hold labels.length * shape.size() = 1 * 784 = 784 floats, got 10", () -> LabeledDataset.of(new float[10], new int[1], SHAPE)));
    t.add(new Case("LabeledDataset.of", "NaN feature", IllegalArgumentException.class, "feature 9 of example 1 is NaN",
        () -> LabeledDataset.of(with(new float[2 * 784], 784 + 9, Float.NaN), new int[2], SHAPE)));
    t.add(new Case("LabeledDataset.of", "infinite feature", IllegalArgumentException.class, "feature 3 of example 0 is Infinity",
        () -> LabeledDataset.of(with(new float[784], 3, Float.POSITIVE_INFINITY), new int[1], SHAPE)));
    t.add(new Case("LabeledDataset.of", "negative label", IllegalArgumentException.class, "label of example 0 must be >= 0, got -2",
        () -> LabeledDataset.of(new float[784], new int[] {-2}, SHAPE)));
    t.add(new Case("LabeledDataset.features", "index -1", IndexOutOfBoundsException.class, "example index (-1) must not be negative",
        () -> glyphs.features(-1)));
    t.add(new Case("LabeledDataset.gather", "destination too short", IllegalArgumentException.class,
        "destination holds 10 floats, but 2 examples of 784 floats from offset 0 need 1568", () -> glyphs.gather(new int[] {0, 1}, new float[10])));
    t.add(new Case("ExampleShape.image", "zero height", IllegalArgumentException.class, "height must be > 0, got 0",
        () -> ExampleShape.image(0, 28, 1)));
    t.add(new Case("ExampleShape.image", "zero channels", IllegalArgumentException.class, "channels must be > 0, got 0",
        () -> ExampleShape.image(28, 28, 0)));
    t.add(new Case("ExampleShape.vector", "negative length", IllegalArgumentException.class, "vector length must be > 0, got -1",
        () -> ExampleShape.vector(-1)));
    // --- Samplers and splits
    t.add(new Case("BalancedPairSampler.of", "a single class", IllegalArgumentException.class,
        "a balanced pair sampler needs at least 2 classes, got 1", () -> BalancedPairSampler.of(oneClass(), 1)));
    t.add(new Case("BalancedPairSampler.of", "every class has one example", IllegalArgumentException.class,
        "needs a class with at least 2 examples to form positive pairs, but each of the 3 classes has 1",
        () -> BalancedPairSampler.of(LabeledDataset.of(new float[3 * 784], new int[] {0, 1, 2}, SHAPE), 1)));
    t.add(new Case("BalancedPairSampler.next", "zero pairs", IllegalArgumentException.class, "pairs must be > 0, got 0",
        () -> BalancedPairSampler.of(glyphs, 1).next(0)));
    t.add(new Case("BalancedPairSampler.Builder.positiveFraction", "1.0", IllegalArgumentException.class,
        "positiveFraction must be in (0, 1), got 1.0", () -> BalancedPairSampler.builder(glyphs).positiveFraction(1).build()));
    t.add(new Case("EpisodeSampler.Builder.build", "5-way episodes from 3 classes", IllegalArgumentException.class,
        "need 5 classes with at least 2 examples each, but only 3 of the 3 classes have that many", () -> episodes(glyphsOfClasses(3), 5)));
    t.add(new Case("EpisodeSampler.Builder.build", "1-way", IllegalArgumentException.class, "ways must be >= 2, got 1",
        () -> episodes(glyphs, 1)));
    t.add(new Case("EpisodeSampler.Builder.build", "zero shots", IllegalArgumentException.class, "shots must be >= 1, got 0",
        () -> EpisodeSampler.builder(glyphs).ways(2).shots(0).build()));
    t.add(new Case("PkBatchSampler.Builder.build", "P = 5 classes from 3", IllegalArgumentException.class,
        "P x K batches with P = 5 need 5 classes with at least 2 examples, but only 3 of the 3 classes have that many",
        () -> PkBatchSampler.builder(glyphsOfClasses(3)).classesPerBatch(5).examplesPerClass(2).build()));
    t.add(new Case("TripletSampler.of", "a single class", IllegalArgumentException.class,
        "a triplet sampler needs at least 2 classes, got 1", () -> TripletSampler.of(oneClass(), 1)));
    t.add(new Case("Splits.byClass", "a single class", IllegalArgumentException.class,
        "a class-disjoint split needs at least 2 classes, got 1", () -> Splits.byClass(oneClass(), 1, 1)));
    t.add(new Case("Splits.byClass", "zero test classes", IllegalArgumentException.class, "testClasses must be in [1, 5]",
        () -> Splits.byClass(glyphs, 0, 1)));
    // --- Loaders, images, augmentation
    t.add(new Case("OmniglotLoader.load", "corrupt PNG", IOException.class, "cannot decode image " + tmp.resolve("omniglot-png"),
        () -> OmniglotLoader.builder().build().load(omniglotWithCorruptPng("omniglot-png"))));
    t.add(new Case("OmniglotLoader.load", "truncated zip", IOException.class, "cannot read zip file " + tmp.resolve("truncated.zip"),
        () -> OmniglotLoader.builder().build().load(truncatedZip("truncated.zip"))));
    t.add(new Case("OmniglotLoader.load", "a path that does not exist", IOException.class, "is neither a zip file nor a directory",
        () -> OmniglotLoader.builder().build().load(tmp.resolve("no-such.zip"))));
    t.add(new Case("OmniglotLoader.load", "no sources", IllegalArgumentException.class, "at least one source (zip or directory) is needed",
        () -> OmniglotLoader.builder().build().load()));
    t.add(new Case("OmniglotLoader.Builder.targetSize", "zero height", IllegalArgumentException.class, "target size must be > 0, got 0x5",
        () -> OmniglotLoader.builder().targetSize(0, 5).build()));
    t.add(new Case("IdxLoader.load", "truncated images file", IOException.class,
        "is truncated: dimensions [2, 3, 3] need 18 bytes of data, it holds 13",
        () -> IdxLoader.load(idxImages("truncated-images.idx", false, 5), idxLabels("labels.idx", 2))));
    t.add(new Case("IdxLoader.load", "truncated gzip images file", IOException.class, "is truncated: it ends before its data",
        () -> IdxLoader.load(idxImages("truncated-images.idx.gz", true, 12), idxLabels("labels2.idx", 2))));
    t.add(new Case("IdxLoader.load", "not an IDX file", IOException.class, "is not an IDX file: magic number",
        () -> IdxLoader.load(Files.writeString(tmp.resolve("hello.idx"), "hello, world"), idxLabels("labels3.idx", 2))));
    t.add(new Case("IdxLoader.load", "2 images but 3 labels", IOException.class, "holds 2 images but labels file",
        () -> IdxLoader.load(idxImages("images.idx", false, 0), idxLabels("labels4.idx", 3))));
    t.add(new Case("CsvLoader.load", "a field that is not a number", IOException.class, "line 3 column 2 \"abc\" is not a number",
        () -> csv("bad-number.csv", "label,x,y\n1,0.5,0.2\n2,abc,0.1\n")));
    t.add(new Case("CsvLoader.load", "NaN field", IOException.class, "line 2 column 2 \"NaN\" is not finite",
        () -> csv("nan.csv", "label,x,y\n1,NaN,0.2\n2,1,0.1\n")));
    t.add(new Case("CsvLoader.load", "a row with too few fields", IOException.class, "line 3 has 2 fields, but the first line has 3",
        () -> csv("ragged.csv", "label,x,y\n1,1,0.2\n2,1\n")));
    t.add(new Case("CsvLoader.load", "empty file", IOException.class, "no data rows after the header line", () -> csv("empty.csv", "")));
    t.add(new Case("Images.normalize", "zero standard deviation", IllegalArgumentException.class, "std must be > 0 and finite, got 0.0",
        () -> Images.normalize(new float[3], 0, 0)));
    t.add(new Case("Images.resizeArea", "zero target height", IllegalArgumentException.class, "dst size must be > 0, got 0x3",
        () -> Images.resizeArea(new float[4], 2, 2, 0, 3)));
    t.add(new Case("Augmenter.Builder.build", "negative rotation", IllegalArgumentException.class,
        "rotation must be in [0, 180] degrees, got -1.0", () -> Augmenter.builder().rotation(-1).build()));
    t.add(new Case("Augmenter.apply", "vector examples (not images)", IllegalArgumentException.class,
        "augmentation needs an image shape, got [4]",
        () -> Augmenter.koch2015().apply(new float[4], 1, ExampleShape.vector(4), new SplittableRandom(1))));
    t.add(new Case("Augmenter.apply", "negative count", IllegalArgumentException.class, "count must be >= 0, got -1",
        () -> Augmenter.koch2015().apply(new float[784], -1, SHAPE, new SplittableRandom(1))));
    // --- learning-rate schedules
    t.add(new Case("LearningRateSchedule.constant", "zero rate", IllegalArgumentException.class,
        "learning rate must be finite and > 0, got 0.0", () -> LearningRateSchedule.constant(0)));
    t.add(new Case("LearningRateSchedule.stepDecay", "factor 0", IllegalArgumentException.class,
        "step-decay factor must be in (0, 1], got 0.0", () -> LearningRateSchedule.stepDecay(0.1, 0, 100)));
    t.add(new Case("LearningRateSchedule.exponentialDecay", "zero decay steps", IllegalArgumentException.class,
        "exponential decaySteps must be >= 1, got 0", () -> LearningRateSchedule.exponentialDecay(0.1, 0.96, 0)));
    t.add(new Case("LearningRateSchedule.cosineDecay", "minimum above the initial rate", IllegalArgumentException.class,
        "cosine-decay minRate must be in [0, initial = 0.001], got 0.01", () -> LearningRateSchedule.cosineDecay(1e-3, 1000, 0.01)));
    t.add(new Case("LearningRateSchedule.warmup", "zero warm-up steps", IllegalArgumentException.class,
        "warm-up steps must be >= 1, got 0", () -> LearningRateSchedule.warmup(0, LearningRateSchedule.constant(1e-3))));
    t.add(new Case("LearningRateSchedule.warmup", "null schedule", NullPointerException.class,
        "the schedule after the warm-up", () -> LearningRateSchedule.warmup(10, null)));
    t.add(new Case("SiameseModel.fit", "a schedule of your own that gives NaN", IllegalArgumentException.class,
        "gave NaN for step 0; rates must be finite (as float32) and >= 0",
        () -> {
          try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 8)).loss(ContrastiveLoss.similarIsOne())
              .optimizer(OptimizerSpec.sgd(namedSchedule("mySchedule", Double.NaN))).build()) {
            m.fit(BalancedPairSampler.of(glyphs, 1), config(2));
          }
        }));
    // --- the Koch pair head
    t.add(new Case("SiameseModelBuilder.loss", "a second loss (the Koch head after a contrastive loss)", IllegalStateException.class,
        "loss was already set to ContrastiveLoss",
        () -> SiameseModel.builder().loss(ContrastiveLoss.similarIsOne()).loss(KochPairHeadLoss.similarIsOne())));
    t.add(new Case("SiameseModel.load", "a Koch-head model with another loss", IllegalArgumentException.class,
        "/koch was trained with the Koch pair head (KochPairHeadLoss(SIMILAR_IS_ONE, MEAN)), whose weights are part of the model; load it with load(directory)",
        () -> SiameseModel.load(savedKoch("koch"), ContrastiveLoss.similarIsOne())));
    t.add(new Case("KochHead", "NaN weight", IllegalArgumentException.class, "alpha[1] is NaN; the head's weights must be finite",
        () -> new KochHead(new float[] {1, Float.NaN}, 0)));
    t.add(new Case("KochHead.probability", "embedding of the wrong length", IllegalArgumentException.class,
        "b has 3 floats, but the head weighs 2", () -> new KochHead(new float[] {-1, -1}, 0).probability(new float[2], new float[3])));
    // --- issue 20: untrusted model files and images, and the smaller items
    t.add(new Case("SiameseModel.load", "model.properties edited after the save", IllegalArgumentException.class,
        "model.properties does not match its checksum",
        () -> SiameseModel.load(savedThenDamaged("edited", s -> Files.writeString(s.resolve("model.properties"),
            Files.readString(s.resolve("model.properties")).replace("seed=1", "seed=2"))))));
    t.add(new Case("SiameseModel.load", "a layer of 2000000000 filters, checksum recomputed", IllegalArgumentException.class,
        "conv2d filters is 2000000000; it must be in [1, 16384]",
        () -> SiameseModel.load(savedThenDamaged("huge-layer", s -> resign(s, Files.readString(s.resolve("model.properties"))
            .replace("layer.0=conv2d 8 ", "layer.0=conv2d 2000000000 "))))));
    t.add(new Case("SiameseModel.load", "a wider layer than weights.bin holds, checksum recomputed", IllegalArgumentException.class,
        "holds variable encoder_layer0_bias of shape [8], but this model's is [16]",
        () -> SiameseModel.load(savedThenDamaged("wide-layer", s -> resign(s, Files.readString(s.resolve("model.properties"))
            .replace("layer.0=conv2d 8 ", "layer.0=conv2d 16 "))))));
    t.add(new Case("SiameseModel.save", "a model loaded for inference", IllegalStateException.class,
        "this model was loaded for inference and cannot be saved",
        () -> {
          try (SiameseModel m = SiameseModel.loadForInference(saved("for-inference"))) {
            m.save(tmp.resolve("again"));
          }
        }));
    t.add(new Case("SiameseModel.setPreprocessing", "a reader of another shape", IllegalArgumentException.class,
        "the reader makes 32x32x3 inputs, the encoder takes 28x28x1",
        () -> model.setPreprocessing(io.siamese.data.ImageReader.of(ExampleShape.image(32, 32, 3)))));
    t.add(new Case("OperatingPoint", "a name with a space", IllegalArgumentException.class,
        "operating point name 'best accuracy' must be 1-64 letters, digits, '.', '_' or '-'",
        () -> io.siamese.core.evaluation.OperatingPoint.manual("best accuracy", 0.5, "")));
    t.add(new Case("SavedModelEmbedder.open", "a SavedModel whose signature writes a file", IllegalArgumentException.class,
        "runs ops that an encoder has no use for: [WriteFile]", () -> SavedModelEmbedder.open(writingSavedModel("writes"))));
    t.add(new Case("EmbedCommand (embed)", "--out naming a directory", IllegalArgumentException.class, "is a directory; name a file",
        () -> embedCommand("--model", export.toString(), "--out", tmp.toString(), goodPng("cmd-dir").toString())));
    t.add(new Case("EmbedCommand (embed)", "a PNG that declares 20000 x 20000 pixels", IllegalArgumentException.class,
        "declares 20000x20000 = 400000000 pixels, more than the cap of 40000000",
        () -> embedCommand("--model", export.toString(), "--out", tmp.resolve("o.tsv").toString(), hugePng("huge").toString())));
    t.add(new Case("OneShotClassifier.enrol", "no examples", IllegalArgumentException.class, "enrol needs at least one example of a, got none",
        () -> model.<String>oneShotClassifier(1.0).enrol("a", new float[0][])));
    t.add(new Case("InMemoryGallery.open", "a gallery saved with another model", IllegalArgumentException.class,
        "was made in another space: it was made by another model", () -> {
          Path dir = tmp.resolve("gallery-of-another");
          try (SiameseModel other = newModel(9)) {
            io.siamese.core.gallery.InMemoryGallery<String> g =
                io.siamese.core.gallery.InMemoryGallery.open(dir, other.embeddingSpace(), io.siamese.core.gallery.LabelCodec.strings());
            g.enrol("a", other.embed(glyphs.features(0)));
            g.commit();
          }
          io.siamese.core.gallery.InMemoryGallery.open(dir, model.embeddingSpace(), io.siamese.core.gallery.LabelCodec.strings());
        }));
    t.add(new Case("OneShotClassifier.classify", "the distance-ratio rule with one enrolled class", IllegalStateException.class,
        "only one class (a) is enrolled; enrol another class, or use UnknownRule.distance", () -> {
          try (io.siamese.core.gallery.InMemoryGallery<String> g = io.siamese.core.gallery.InMemoryGallery.create(model.embeddingSpace())) {
            io.siamese.core.gallery.OneShotClassifier<String> c =
                io.siamese.core.gallery.OneShotClassifier.of(model, g, io.siamese.core.gallery.UnknownRule.distanceRatio(0.8));
            c.enrol("a", glyphs.features(0));
            c.classify(glyphs.features(1));
          }
        }));
    t.add(new Case("UnknownRule.distanceRatio", "a ratio above 1", IllegalArgumentException.class,
        "a distance-ratio threshold must be in [0, 1], got 1.5", () -> io.siamese.core.gallery.UnknownRule.distanceRatio(1.5)));
    t.add(new Case("TrainingConfig.Builder.nonFiniteStepsTolerated", "negative", IllegalArgumentException.class,
        "non-finite steps tolerated must be >= 0, got -1", () -> TrainingConfig.builder().nonFiniteStepsTolerated(-1)));
    return t;
  }

  /** Writes {@code text} as model.properties of snapshot {@code s} with a matching checksum, as a hostile editor would. */
  private static void resign(Path s, String text) throws IOException {
    Files.writeString(s.resolve("model.properties"), text);
    Files.writeString(s.resolve("model.properties.sha256"), ModelFiles.sha256(text.getBytes(StandardCharsets.UTF_8)) + "\n");
  }

  /** A SavedModel whose serving signature writes a file when run. */
  private static Path writingSavedModel(String name) throws IOException {
    Path dir = tmp.resolve(name);
    try (org.tensorflow.Graph g = new org.tensorflow.Graph(); org.tensorflow.Session s = new org.tensorflow.Session(g)) {
      org.tensorflow.op.Ops tf = org.tensorflow.op.Ops.create(g);
      var input = tf.withName("input").placeholder(org.tensorflow.types.TFloat32.class,
          org.tensorflow.op.core.Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 784)));
      var write = tf.io.writeFile(tf.constant(tmp.resolve(name + ".txt").toString()), tf.constant("x"));
      var embedding = tf.withControlDependencies(List.of(write)).withName("embedding").identity(input);
      org.tensorflow.SavedModelBundle.exporter(dir.toString()).withSession(s)
          .withSignatures(org.tensorflow.Signature.builder("serving_default").input("input", input).output("embedding", embedding).build())
          .export();
    }
    return dir;
  }

  /** A small PNG whose header declares 20000 x 20000 pixels (with a valid header CRC). */
  private static Path hugePng(String name) throws IOException {
    byte[] png = Files.readAllBytes(goodPng(name + "-source"));
    java.nio.ByteBuffer.wrap(png).putInt(16, 20000).putInt(20, 20000);
    java.util.zip.CRC32 crc = new java.util.zip.CRC32();
    crc.update(png, 12, 17);
    java.nio.ByteBuffer.wrap(png).putInt(29, (int) crc.getValue());
    return Files.write(tmp.resolve(name + ".png"), png);
  }

  /** A schedule of the caller's own, named in messages, that gives {@code rate} for every step. */
  private static LearningRateSchedule namedSchedule(String name, double rate) {
    return new LearningRateSchedule() {
      @Override
      public double rate(long step) {
        return rate;
      }

      @Override
      public String toString() {
        return name;
      }
    };
  }

  /** Saves a small untrained model with the Koch head into a new directory. */
  private static Path savedKoch(String name) {
    Path dir = tmp.resolve(name);
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 8)).loss(KochPairHeadLoss.similarIsOne()).build()) {
      m.save(dir);
    }
    return dir;
  }

  // ---------------------------------------------------------------- bugs the matrix found

  @Test
  void aBatchTooLargeForOneArrayIsRejectedNamingItsSize() {
    // 2 * 1,400,000 pairs * 784 floats = 2.2e9 > 2^31 - 1.
    assertMessage(IllegalArgumentException.class,
        () -> model.fit(BalancedPairSampler.of(glyphs, 1), TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(1_400_000).build()),
        "1400000");
    assertMessage(IllegalArgumentException.class, () -> model.evaluatePairs(BalancedPairSampler.of(glyphs, 1), 1_400_000), "1400000");
  }

  @Test
  void aLossThatTurnsNonFiniteStopsTrainingAndKeepsTheLastGoodWeights() {
    try (SiameseModel m = newModel(6)) {
      m.fit(BalancedPairSampler.of(glyphs, 1), config(4));
      float[][] good = m.embed(glyphs);
      assertThrows(TrainingDivergedException.class, () -> m.fit(BalancedPairSampler.of(extreme(), 1), config(4)));
      float[][] after = m.embed(glyphs);
      for (int i = 0; i < good.length; i++) {
        assertArrayEquals(good[i], after[i], 0f, "embedding of example " + i + " after the diverged step");
      }
    }
  }

  @Test
  void aDamagedSavedFileIsNamedByItsRealPath() throws IOException {
    Path dir = saved("named");
    Path weights = dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()).resolve("weights.bin");
    truncate(weights, 0.5);
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir), weights + " is corrupted or truncated");
  }

  @Test
  void aNonNumericBatchOptionIsNamed() {
    assertMessage(IllegalArgumentException.class,
        () -> embedCommand("--model", export.toString(), "--out", tmp.resolve("o.tsv").toString(), "--batch", "abc", "x.png"),
        "--batch must be an integer");
  }

  @Test
  void distanceBetweenRejectsNonFiniteVectors() {
    assertMessage(IllegalArgumentException.class,
        () -> Distances.EUCLIDEAN.between(new float[] {Float.NaN, 0}, new float[] {1, 0}), "NaN at position 0");
    assertMessage(IllegalArgumentException.class,
        () -> Distances.COSINE.between(new float[] {1, 0}, new float[] {Float.POSITIVE_INFINITY, 0}), "Infinity at position 0");
  }

  // ---------------------------------------------------------------- the user table

  @Test
  void theUserTableInDocsListsEveryCaseInOrder() throws IOException {
    Path doc = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("../docs/errors.md").normalize();
    Assumptions.assumeTrue(Files.exists(doc), "no " + doc + " beside this module");
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(doc, StandardCharsets.UTF_8)) {
      if (line.matches("\\| *\\d+ *\\|.*")) {
        String[] cells = line.split("(?<!\\\\)\\|", -1);
        rows.add(Arrays.stream(cells).map(String::trim).toArray(String[]::new));
      }
    }
    List<Case> cases = cases();
    assertEquals(cases.size(), rows.size(), "rows in " + doc + " vs cases in this test");
    for (int i = 0; i < cases.size(); i++) {
      Case c = cases.get(i);
      String[] row = rows.get(i);
      String where = doc.getFileName() + " row " + (i + 1);
      assertEquals(String.valueOf(i + 1), row[1], where);
      assertEquals("`" + c.entryPoint() + "`", row[2], where);
      assertEquals(c.badInput(), row[3].replace("\\|", "|"), where);
      assertEquals("`" + c.type().getSimpleName() + "`", row[4], where);
      String message = row[5].replace("\\|", "|");
      assertTrue(message.contains(docPaths(c.fragment())), where + ": message example should contain '" + docPaths(c.fragment()) + "', is " + message);
    }
  }

  /** Prints the rows of {@code docs/errors.md} with the messages the cases get now. */
  @Test
  void printTheUserTable() {
    Assumptions.assumeTrue(Boolean.getBoolean("siamese.errors.print"), "set -Dsiamese.errors.print=true to print the table");
    StringBuilder out = new StringBuilder("| # | entry point | bad input | exception | message (example) |\n|---|---|---|---|---|\n");
    int i = 1;
    for (Case c : cases()) {
      Throwable t = assertThrows(c.type(), c.call(), c.toString());
      String message = docPaths(t.getMessage()).replace("\n", " ").replaceAll("\\s+", " ").replace("|", "\\|");
      out.append(String.format("| %d | `%s` | %s | `%s` | %s |%n", i++, c.entryPoint(), c.badInput(), c.type().getSimpleName(), message));
    }
    System.out.print(out);
  }

  /** Shows the temporary folder as {@link #DOC_DIR} and a snapshot's time and id as dots. */
  private static String docPaths(String s) {
    return s.replace(tmp.toString(), DOC_DIR).replaceAll("snapshot-\\d+-[0-9a-f]{8}", "snapshot-...");
  }

  // ---------------------------------------------------------------- fixtures

  private static Path aFile() {
    return tmp.resolve("a-file");
  }

  private static TrainingConfig config(int batch) {
    return TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(batch).build();
  }

  private static float[] with(float[] x, int position, float value) {
    x[position] = value;
    return x;
  }

  private static LabeledDataset glyphsOfSize(int size) {
    return SyntheticGlyphs.builder().classes(3).examplesPerClass(2).imageSize(size).seed(1).build().generate();
  }

  private static LabeledDataset glyphsOfClasses(int classes) {
    return SyntheticGlyphs.builder().classes(classes).examplesPerClass(2).imageSize(28).seed(1).build().generate();
  }

  private static LabeledDataset oneClass() {
    return LabeledDataset.of(new float[3 * 784], new int[] {4, 4, 4}, SHAPE);
  }

  /** Finite inputs so large that the squared distance of their embeddings overflows float32. */
  private static LabeledDataset extreme() {
    float[] huge = new float[glyphs.size() * SHAPE.size()];
    SplittableRandom random = new SplittableRandom(1);
    for (int i = 0; i < huge.length; i++) {
      huge[i] = (float) (1e30 * random.nextDouble());
    }
    return LabeledDataset.of(huge, glyphs.labels(), SHAPE);
  }

  private static EpisodeSampler episodes(LabeledDataset data, int ways) {
    return EpisodeSampler.builder(data).ways(ways).shots(1).queriesPerClass(1).seed(1).build();
  }

  interface FileDamage {
    void apply(Path p) throws IOException;
  }

  private static Path saved(String name) {
    Path dir = tmp.resolve(name);
    model.save(dir);
    return dir;
  }

  /** Saves the shared model into a new directory, then damages its current snapshot. */
  private static Path savedThenDamaged(String name, FileDamage damage) throws IOException {
    Path dir = saved(name);
    damage.apply(dir.resolve(Files.readString(dir.resolve("CURRENT")).trim()));
    return dir;
  }

  /** Copies the shared export into a new directory, then damages it. */
  private static Path exportThenDamaged(String name, FileDamage damage) throws IOException {
    Path copy = tmp.resolve(name);
    try (Stream<Path> files = Files.walk(export)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path target = copy.resolve(export.relativize(f).toString());
        Files.createDirectories(target.getParent());
        Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
    damage.apply(copy);
    return copy;
  }

  private static void openEmbedderAndEmbed(float[] example) {
    try (SavedModelEmbedder e = SavedModelEmbedder.open(export)) {
      e.embed(new float[][] {example});
    }
  }

  private static void truncate(Path file, double keep) throws IOException {
    byte[] b = Files.readAllBytes(file);
    Files.write(file, Arrays.copyOf(b, (int) (b.length * keep)));
  }

  private static void flipBit(Path file) throws IOException {
    byte[] b = Files.readAllBytes(file);
    b[b.length / 2] ^= 0x10;
    Files.write(file, b);
  }

  private static void embedCommand(String... args) {
    EmbedCommand.run(args, new PrintStream(OutputStream.nullOutputStream(), true, StandardCharsets.UTF_8));
  }

  /** A PNG signature followed by a broken header. */
  private static Path corruptPng(String name) throws IOException {
    Path p = tmp.resolve(name + ".png");
    Files.write(p, new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10, 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2});
    return p;
  }

  private static byte[] pngBytes() throws IOException {
    BufferedImage img = new BufferedImage(28, 28, BufferedImage.TYPE_BYTE_GRAY);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, 28, 28);
    g.setColor(Color.BLACK);
    g.drawLine(3, 3, 24, 20);
    g.dispose();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageIO.write(img, "png", out);
    return out.toByteArray();
  }

  private static Path goodPng(String name) throws IOException {
    return Files.write(tmp.resolve(name + ".png"), pngBytes());
  }

  /** An Omniglot folder, alphabet/character/*.png, with one good and one corrupt PNG. */
  private static Path omniglotWithCorruptPng(String name) throws IOException {
    Path character = Files.createDirectories(tmp.resolve(name).resolve("Alphabet").resolve("character01"));
    Files.write(character.resolve("0101_01.png"), pngBytes());
    Files.write(character.resolve("0101_02.png"), Arrays.copyOf(pngBytes(), 40));
    return tmp.resolve(name);
  }

  /** A zip in Omniglot's layout, cut before its central directory. */
  private static Path truncatedZip(String name) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      for (int i = 0; i < 3; i++) {
        zip.putNextEntry(new ZipEntry("images_background/Alphabet/character01/0101_0" + i + ".png"));
        zip.write(pngBytes());
        zip.closeEntry();
      }
    }
    byte[] b = bytes.toByteArray();
    return Files.write(tmp.resolve(name), Arrays.copyOf(b, b.length - 40));
  }

  /** An IDX file of 2 images of 3x3 unsigned bytes, optionally gzipped, with its last bytes cut. */
  private static Path idxImages(String name, boolean gzip, int cut) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(raw);
    d.writeInt(0x0803);
    d.writeInt(2);
    d.writeInt(3);
    d.writeInt(3);
    d.write(new byte[18]);
    byte[] b = raw.toByteArray();
    if (gzip) {
      ByteArrayOutputStream zipped = new ByteArrayOutputStream();
      try (GZIPOutputStream z = new GZIPOutputStream(zipped)) {
        z.write(b);
      }
      b = zipped.toByteArray();
    }
    return Files.write(tmp.resolve(name), Arrays.copyOf(b, b.length - cut));
  }

  private static Path idxLabels(String name, int count) throws IOException {
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(raw);
    d.writeInt(0x0801);
    d.writeInt(count);
    d.write(new byte[count]);
    return Files.write(tmp.resolve(name), raw.toByteArray());
  }

  private static void csv(String name, String contents) throws IOException {
    Path p = Files.writeString(tmp.resolve(name), contents);
    CsvLoader.builder().labelColumn("label").header(true).build().load(p);
  }
}
