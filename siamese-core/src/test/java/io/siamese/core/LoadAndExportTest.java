package io.siamese.core;

import static io.siamese.core.TestMessages.assertMessage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.evaluation.OperatingPoint;
import io.siamese.core.evaluation.PairMetrics;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ArcFaceLoss;
import io.siamese.losses.BatchAllTripletLoss;
import io.siamese.losses.BatchHardTripletLoss;
import io.siamese.losses.BatchLoss;
import io.siamese.losses.ContrastiveLoss;
import io.siamese.losses.Distance;
import io.siamese.losses.Distances;
import io.siamese.losses.KochPairHeadLoss;
import io.siamese.losses.MultiSimilarityLoss;
import io.siamese.losses.NTXentLoss;
import io.siamese.losses.ProxyAnchorLoss;
import io.siamese.losses.SemiHardTripletLoss;
import io.siamese.losses.TripletLoss;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.SavedModelBundle;
import org.tensorflow.Session;
import org.tensorflow.Signature;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.family.TNumber;

/**
 * Issue 20: every built-in loss reloads with {@code load(dir)}; a custom one loads for inference
 * without its loss; operating points are kept; the export is the inference graph only, stamped;
 * a SavedModel that would write a file is refused before it runs; and the plain-Java variable
 * plan matches the graphs for every layer, loss and optimizer.
 */
class LoadAndExportTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final LabeledDataset GLYPHS =
      SyntheticGlyphs.builder().classes(6).examplesPerClass(4).imageSize(28).seed(4).build().generate();

  @TempDir Path tmp;

  private static EncoderSpec everyLayer() {
    return EncoderSpec.builder(SHAPE)
        .conv2d(4, 3).batchNorm().relu().maxPool(2)
        .residualBlock(6, 2).avgPool(2).dropout(0.1).leakyRelu()
        .conv2d(4, 1).globalAvgPool().dense(8).elu().l2Normalize()
        .build();
  }

  /** A loss of the caller's own: contrastive's formula under another class, with a distance of its own. */
  private static final class MyLoss implements io.siamese.losses.PairLoss {
    private final ContrastiveLoss inner = ContrastiveLoss.similarIsOne();

    @Override
    public io.siamese.losses.PairLabelConvention labelConvention() {
      return inner.labelConvention();
    }

    @Override
    public Distance distance() {
      return Distances.COSINE;
    }

    @Override
    public <T extends TNumber> Operand<T> call(Ops tf, Operand<T> left, Operand<T> right, Operand<T> labels) {
      return inner.call(tf, left, right, labels);
    }

    @Override
    public String toString() {
      return "MyLoss";
    }
  }

  @Test
  void theVariablePlanMatchesTheGraphsForEveryLayerLossAndOptimizer() {
    List<Object> losses = List.of(ContrastiveLoss.similarIsOne(), KochPairHeadLoss.similarIsOne(), BatchHardTripletLoss.create(),
        TripletLoss.create(), ProxyAnchorLoss.builder(6).build());
    List<OptimizerSpec> optimizers =
        List.of(OptimizerSpec.adam(1e-3), OptimizerSpec.sgd(0.1), OptimizerSpec.sgdWithMomentum(0.1, 0.9), OptimizerSpec.rmsProp(1e-3));
    for (EncoderSpec spec : List.of(everyLayer(), EncoderSpec.resnet12(SHAPE, 4, 6, 8, 10))) {
      for (Object loss : losses) {
        // Every loss with Adam, every optimizer with the first loss: each part of the plan is covered.
        for (OptimizerSpec optimizer : loss == losses.get(0) ? optimizers : optimizers.subList(0, 1)) {
          try (Graph g = new Graph()) {
            ModelGraph graph = new ModelGraph(g, spec, LossBinding.of(loss, 1), optimizer, 1, io.siamese.core.train.TwinBatching.STACKED);
            assertEquals(asText(graph.variables.shapes()), asText(ExpectedVariables.of(spec, loss, optimizer)), loss + " " + optimizer);
          }
          try (Graph g = new Graph()) {
            InferenceGraph graph = new InferenceGraph(g, spec, LossBinding.of(loss, 1), 1);
            assertEquals(asText(graph.variables.shapes()), asText(ExpectedVariables.inference(spec, loss)), loss + " inference");
          }
        }
      }
    }
  }

  private static Map<String, String> asText(Map<String, ?> shapes) {
    Map<String, String> out = new TreeMap<>();
    shapes.forEach((k, v) -> out.put(k, v instanceof long[] a ? java.util.Arrays.toString(a) : java.util.Arrays.toString(((org.tensorflow.ndarray.Shape) v).asArray())));
    return out;
  }

  @Test
  void everyBuiltInLossReloadsWithoutBeingPassed() {
    List<BatchLoss> batchLosses = List.of(BatchHardTripletLoss.softMargin(), BatchAllTripletLoss.create(), SemiHardTripletLoss.create(),
        NTXentLoss.create(), MultiSimilarityLoss.create());
    List<Object> all = new java.util.ArrayList<>(batchLosses);
    all.add(TripletLoss.faceNet());
    all.add(ArcFaceLoss.builder(6).build());
    all.add(KochPairHeadLoss.similarIsOne());
    for (Object loss : all) {
      Path dir = tmp.resolve("loss-" + loss.getClass().getSimpleName());
      float[] expected;
      try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).setLoss(loss).seed(2).build()) {
        expected = m.embed(GLYPHS.features(1));
        m.save(dir);
      }
      try (SiameseModel loaded = SiameseModel.load(dir)) {
        assertEquals(loss, loaded.loss());
        assertArrayEquals(expected, loaded.embed(GLYPHS.features(1)), 0f, loss.toString());
      }
    }
  }

  @Test
  void aCustomLossIsNamedAndItsModelLoadsForInferenceWithoutIt() throws IOException {
    Path dir = tmp.resolve("custom");
    float[] expected;
    EmbeddingSpace space;
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(new MyLoss()).build()) {
      m.fit(BalancedPairSampler.of(GLYPHS, 1), io.siamese.core.train.TrainingConfig.builder().epochs(1).stepsPerEpoch(2).batchSize(4).build());
      expected = m.embed(GLYPHS.features(2));
      space = m.embeddingSpace();
      PairMetrics metrics = m.evaluatePairs(BalancedPairSampler.of(GLYPHS, 3), 40);
      m.setOperatingPoint(metrics.bestAccuracyPoint("40 training pairs"));
      m.setOperatingPoint(OperatingPoint.manual("strict", 0.05, "chosen by hand"));
      m.save(dir);
    }
    assertMessage(IllegalArgumentException.class, () -> SiameseModel.load(dir),
        "custom loss (" + new MyLoss() + ", class " + MyLoss.class.getName() + "); pass an instance to load(directory, loss)");
    try (SiameseModel m = SiameseModel.loadForInference(dir)) {
      assertArrayEquals(expected, m.embed(GLYPHS.features(2)), 0f);
      assertEquals(space, m.embeddingSpace());
      assertEquals(Distances.COSINE, m.embeddingDistance());
      assertEquals(0.05, m.operatingPoint("strict").orElseThrow().threshold());
      assertEquals(OperatingPoint.Criterion.BEST_ACCURACY, m.operatingPoint("best-accuracy").orElseThrow().criterion());
      assertMessage(IllegalStateException.class, () -> m.save(tmp.resolve("again")), "loaded for inference and cannot be saved");
      assertMessage(IllegalStateException.class,
          () -> m.fit(BalancedPairSampler.of(GLYPHS, 1), io.siamese.core.train.TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(2).build()),
          "cannot be trained");
      Path export = tmp.resolve("custom-export");
      m.exportSavedModel(export);
      try (SavedModelEmbedder e = SavedModelEmbedder.open(export)) {
        assertEquals(space, e.embeddingSpace());
        assertEquals(m.operatingPoints(), e.operatingPoints());
        assertArrayEquals(expected, e.embed(GLYPHS.features(2)), 1e-6f);
      }
    }
    try (SiameseModel m = SiameseModel.load(dir, new MyLoss())) {
      assertEquals(2, m.operatingPoints().size());
      assertArrayEquals(expected, m.embed(GLYPHS.features(2)), 0f);
    }
    // Loaded with settings: one thread per pool and mixed precision, for inference, no loss needed.
    try (SiameseModel m = SiameseModel.loader(dir).threads(1, 1).precision(Precision.MIXED).loadForInference()) {
      float[] mixed = m.embed(GLYPHS.features(2));
      for (int k = 0; k < expected.length; k++) {
        assertEquals(expected[k], mixed[k], 0.05 * Math.abs(expected[k]) + 1e-3, "bfloat16 keeps about 3 digits");
      }
    }
    try (SiameseModel m = SiameseModel.loader(dir).loss(new MyLoss()).load()) {
      assertArrayEquals(expected, m.embed(GLYPHS.features(2)), 0f);
    }
  }

  @Test
  void theExportIsTheInferenceGraphOnlyStampedWithItsVersion() throws IOException {
    Path export = tmp.resolve("export");
    try (SiameseModel m = SiameseModel.builder().encoder(EncoderSpec.conv4(SHAPE, 4)).loss(KochPairHeadLoss.similarIsOne()).build()) {
      m.exportSavedModel(export);
      Set<String> ops = new TreeSet<>();
      SavedModel saved = SavedModel.parseFrom(Files.readAllBytes(export.resolve("saved_model.pb")));
      MetaGraphDef meta = saved.getMetaGraphs(0);
      for (NodeDef n : meta.getGraphDef().getNodeList()) {
        ops.add(n.getOp());
      }
      assertFalse(ops.contains("ApplyAdam") || ops.stream().anyMatch(o -> o.contains("Grad")), ops.toString());
      assertEquals(org.tensorflow.TensorFlow.version(), meta.getMetaInfoDef().getTensorflowVersion());
      assertTrue(meta.getSignatureDefMap().containsKey("score"));
      try (SavedModelEmbedder e = SavedModelEmbedder.open(export)) {
        assertEquals(m.embeddingSpace(), e.embeddingSpace());
        assertEquals(m.kochHead().orElseThrow(), e.embeddingSpace().distance());
      }
      // The same space from the files alone, with no TensorFlow (a Spark driver, a gallery service).
      assertEquals(m.embeddingSpace(), SavedModelEmbedder.embeddingSpace(export));
    }
  }

  @Test
  void aSavedModelThatWouldWriteAFileIsRefusedBeforeItRuns() throws IOException {
    Path export = tmp.resolve("hostile");
    Path target = tmp.resolve("written-by-the-model.txt");
    try (Graph g = new Graph(); Session s = new Session(g)) {
      Ops tf = Ops.create(g);
      Placeholder<TFloat32> input = tf.withName("input").placeholder(TFloat32.class, Placeholder.shape(org.tensorflow.ndarray.Shape.of(-1, 4)));
      var write = tf.io.writeFile(tf.constant(target.toString()), tf.constant("owned"));
      Operand<TFloat32> embedding = tf.withControlDependencies(List.of(write)).withName("embedding").identity(input);
      SavedModelBundle.exporter(export.toString())
          .withSession(s)
          .withSignatures(Signature.builder(Signature.DEFAULT_KEY).input("input", input).output("embedding", embedding).build())
          .export();
    }
    assertMessage(IllegalArgumentException.class, () -> SavedModelEmbedder.open(export), "runs ops that an encoder has no use for: [WriteFile]");
    assertFalse(Files.exists(target));
    // The opt-out runs it, and the graph does what it says: that is why it is an opt-out.
    try (SavedModelEmbedder trusted = SavedModelEmbedder.builder(export).trustAllOps().build()) {
      trusted.embed(new float[][] {{1, 2, 3, 4}});
    }
    assertTrue(Files.exists(target));
  }

  @Test
  void exportsOfEveryLayerPassTheGuard() {
    Path export = tmp.resolve("every-layer");
    EncoderSpec spec = EncoderSpec.builder(SHAPE).resnet12Block(4).add(everyLayer().layers().get(0)).flatten().dense(4).build();
    assertEquals("resnet12Block(4)", spec.layers().get(0).toString());
    try (SiameseModel m = SiameseModel.builder().encoder(everyLayer()).loss(ContrastiveLoss.similarIsOne()).build();
        SiameseModel r = SiameseModel.builder().encoder(EncoderSpec.resnet12(SHAPE, 4, 6, 8, 10)).loss(ContrastiveLoss.similarIsOne()).build()) {
      Path resnet = tmp.resolve("resnet12");
      r.exportSavedModel(resnet);
      try (SavedModelEmbedder e = SavedModelEmbedder.open(resnet)) {
        assertArrayEquals(r.embed(GLYPHS.features(0)), e.embed(GLYPHS.features(0)), 1e-5f);
      }
      m.exportSavedModel(export);
      try (SavedModelEmbedder e = SavedModelEmbedder.open(export)) {
        assertArrayEquals(m.embed(GLYPHS.features(0)), e.embed(GLYPHS.features(0)), 1e-6f);
      }
    }
  }
}
