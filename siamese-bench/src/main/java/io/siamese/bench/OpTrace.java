package io.siamese.bench;

import io.siamese.core.Precision;
import io.siamese.core.SiameseModel;
import io.siamese.core.encoder.EncoderSpec;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairBatch;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;
import org.tensorflow.proto.StepStats;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.types.TFloat32;

/**
 * A per-op trace of a Conv-4 contrastive training step (64 pairs by default): the library's step
 * and the hand-written twin steps ({@link RawSiameseConv4}, each {@link RawPooling}), each run
 * with {@code RunOptions} {@code FULL_TRACE} after a warm-up. Prints, per arm, the op types the
 * session actually ran (after grappler and oneDNN's rewrites, from the partition graphs) with
 * their op time per step, the sum of op times and the span of the step.
 *
 * <pre>
 * java -cp siamese-bench/target/benchmarks.jar io.siamese.bench.OpTrace [pairs] [warmup] [traced] [all|library|TF_JAVA_API|MAX_POOL_OP] [threads] [FP32|MIXED]
 * </pre>
 *
 * <p>The library's session is not public API: the probe reaches it by reflection and runs the
 * step by the graph's op names ({@code input}, {@code pair_labels}, {@code learning_rate}, {@code
 * loss}, {@code train}), on the same stacked batch {@code fit} would feed. A diagnostic only.
 */
public final class OpTrace {
  private OpTrace() {}

  /** One traced step: runs with the options, hands the metadata over. */
  private interface TracedStep {
    void run(RunOptions options, Consumer<RunMetadata> metadata);
  }

  public static void main(String[] args) throws Exception {
    int pairs = args.length > 0 ? Integer.parseInt(args[0]) : 64;
    int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 40;
    int traced = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    String only = args.length > 3 ? args[3] : "all";
    int threads = args.length > 4 ? Integer.parseInt(args[4]) : 0;
    String precision = args.length > 5 ? args[5] : "FP32";
    LabeledDataset glyphs = SyntheticGlyphs.builder().classes(100).examplesPerClass(20).seed(1).build().generate();
    int side = 28;
    int d = side * side;
    BalancedPairSampler sampler = BalancedPairSampler.of(glyphs, 2);
    float[] left = new float[pairs * d];
    float[] right = new float[pairs * d];
    float[] both = new float[2 * pairs * d];
    float[] labels = new float[pairs];
    Runnable draw =
        () -> {
          PairBatch p = sampler.next(pairs);
          glyphs.gather(p.leftIndices(), left);
          glyphs.gather(p.rightIndices(), right);
          System.arraycopy(left, 0, both, 0, left.length);
          System.arraycopy(right, 0, both, left.length, right.length);
          for (int i = 0; i < pairs; i++) {
            labels[i] = p.isSame(i) ? 1f : 0f;
          }
        };
    if (only.equals("all") || only.equals("library")) {
      try (SiameseModel model =
          SiameseModel.builder()
              .encoder(EncoderSpec.conv4(glyphs.shape(), 64))
              .loss(ContrastiveLoss.similarIsOne())
              .seed(1)
              .threads(threads, threads)
              .precision(Precision.valueOf(precision))
              .build()) {
        Session s = sessionOf(model);
        trace(
            "library STACKED",
            warmup,
            traced,
            (options, metadata) -> {
              draw.run();
              try (TFloat32 x = TFloat32.tensorOf(Shape.of(2L * pairs, side, side, 1), DataBuffers.of(both, true, false));
                  TFloat32 y = TFloat32.tensorOf(Shape.of(pairs), DataBuffers.of(labels, true, false));
                  TFloat32 lr = TFloat32.scalarOf(1e-3f)) {
                Session.Runner r =
                    s.runner().feed("input", x).feed("pair_labels", y).feed("learning_rate", lr).fetch("loss").addTarget("train");
                if (options != null) {
                  r.setOptions(options);
                }
                try (Result res = metadata != null ? r.runAndFetchMetadata() : r.run()) {
                  if (metadata != null) {
                    res.getMetadata().ifPresent(metadata);
                  }
                }
              }
            });
      }
    }
    for (RawPooling pooling : RawPooling.values()) {
      if (!(only.equals("all") || only.equals(pooling.name()))) {
        continue;
      }
      try (RawSiameseConv4 raw = new RawSiameseConv4(side, 64, TfSupport.config(threads, threads, precision), pooling)) {
        trace(
            "raw " + pooling,
            warmup,
            traced,
            (options, metadata) -> {
              draw.run();
              raw.step(left, right, labels, pairs, options, metadata);
            });
      }
    }
  }

  /** The library model's TensorFlow session, by reflection (a diagnostic; not API). */
  static Session sessionOf(SiameseModel model) throws ReflectiveOperationException {
    Field f = SiameseModel.class.getDeclaredField("session");
    f.setAccessible(true);
    Object graphSession = f.get(model);
    Method m = graphSession.getClass().getDeclaredMethod("session");
    m.setAccessible(true);
    return (Session) m.invoke(graphSession);
  }

  private static void trace(String name, int warmup, int traced, TracedStep step) {
    for (int i = 0; i < warmup; i++) {
      step.run(null, null);
    }
    long t0 = System.nanoTime();
    for (int i = 0; i < warmup; i++) {
      step.run(null, null);
    }
    double untracedMs = (System.nanoTime() - t0) / 1e6 / warmup;
    RunOptions options =
        RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).setOutputPartitionGraphs(true).build();
    List<RunMetadata> runs = new ArrayList<>();
    for (int i = 0; i < traced; i++) {
      step.run(options, runs::add);
    }
    Map<String, String> opOf = new HashMap<>();
    Map<String, Integer> opCount = new TreeMap<>();
    for (GraphDef g : runs.get(runs.size() - 1).getPartitionGraphsList()) {
      for (NodeDef n : g.getNodeList()) {
        opOf.put(n.getName(), n.getOp());
        opCount.merge(n.getOp(), 1, Integer::sum);
      }
    }
    Map<String, double[]> byOp = new HashMap<>(); // op -> {total us, calls}
    Map<String, double[]> byNode = new HashMap<>();
    double sum = 0;
    double span = 0;
    for (RunMetadata md : runs) {
      StepStats st = md.getStepStats();
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (DeviceStepStats dev : st.getDevStatsList()) {
        for (NodeExecStats n : dev.getNodeStatsList()) {
          String op = opOf.getOrDefault(n.getNodeName(), label(n));
          double us = n.getOpEndRelMicros() - n.getOpStartRelMicros();
          if (n.getAllEndRelMicros() > 0 && us <= 0) {
            us = n.getAllEndRelMicros();
          }
          byOp.computeIfAbsent(op, k -> new double[2]);
          byOp.get(op)[0] += us;
          byOp.get(op)[1] += 1;
          byNode.computeIfAbsent(op + " " + n.getNodeName(), x -> new double[2])[0] += us;
          sum += us;
          first = Math.min(first, n.getAllStartMicros());
          last = Math.max(last, n.getAllStartMicros() + n.getAllEndRelMicros());
        }
      }
      span += last - first;
    }
    int k = runs.size();
    System.out.printf(Locale.ROOT, "== %s: untraced %.2f ms/step; traced: op time %.2f ms/step, span %.2f ms/step%n",
        name, untracedMs, sum / k / 1000, span / k / 1000);
    byOp.entrySet().stream()
        .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> System.out.printf(Locale.ROOT, "  %-44s %8.3f ms  %5.1f calls%n",
            e.getKey(), e.getValue()[0] / k / 1000, e.getValue()[1] / k));
    System.out.println("  ops in the executed graph: " + opCount);
    if (Boolean.getBoolean("trace.nodes")) {
      byNode.entrySet().stream()
          .sorted((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]))
          .limit(30)
          .forEach(e -> System.out.printf(Locale.ROOT, "    %-80s %8.3f ms%n", e.getKey(), e.getValue()[0] / k / 1000));
    }
  }

  private static String label(NodeExecStats n) {
    String t = n.getTimelineLabel();
    int eq = t.indexOf(" = ");
    int paren = t.indexOf('(', Math.max(eq, 0));
    return eq >= 0 && paren > eq ? t.substring(eq + 3, paren) : "?" + n.getNodeName();
  }
}
