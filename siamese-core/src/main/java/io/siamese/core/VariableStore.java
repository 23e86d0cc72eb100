package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkState;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tensorflow.Graph;
import org.tensorflow.GraphOperation;
import org.tensorflow.Output;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.DataBuffers;
import org.tensorflow.op.Op;
import org.tensorflow.op.Ops;
import org.tensorflow.op.core.Placeholder;
import org.tensorflow.types.TFloat32;

/**
 * Every variable of a model's graph (encoder, heads, optimizer state), sorted by name, with the
 * placeholder and assign op that restore each: reading and writing them all in one session run,
 * and the digest of the ones inference uses. Built once, after the graph is complete.
 */
final class VariableStore {
  /** A variable, and the placeholder and assign op that restore it. */
  private record Slot(String name, Output<TFloat32> value, Placeholder<TFloat32> feed, Op assign) {}

  private final List<Slot> slots = new ArrayList<>();

  @SuppressWarnings("unchecked")
  VariableStore(Graph g, Ops tf) {
    List<GraphOperation> ops = new ArrayList<>();
    g.operations().forEachRemaining(op -> {
      if (op.type().equals("VariableV2")) {
        ops.add(op);
      }
    });
    ops.sort(Comparator.comparing(GraphOperation::name));
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
      slots.add(new Slot(op.name(), value, feed, assign));
    }
  }

  /** The name and shape of every variable, sorted by name. */
  Map<String, Shape> shapes() {
    Map<String, Shape> out = new java.util.LinkedHashMap<>();
    for (Slot s : slots) {
      out.put(s.name(), s.value().shape());
    }
    return out;
  }

  /** The values of every variable, in one session run. */
  List<WeightsFile.Entry> read(Session session) {
    Session.Runner runner = session.runner();
    for (Slot v : slots) {
      runner.fetch(v.value());
    }
    List<WeightsFile.Entry> entries = new ArrayList<>();
    try (Result r = runner.run()) {
      for (int i = 0; i < slots.size(); i++) {
        TFloat32 t = (TFloat32) r.get(i);
        float[] values = new float[(int) t.shape().size()];
        t.copyTo(DataBuffers.of(values, false, false));
        entries.add(new WeightsFile.Entry(slots.get(i).name(), t.shape().asArray(), values));
      }
    }
    return entries;
  }

  /**
   * Checks that {@code entries} hold exactly this graph's variables with their shapes, naming the
   * first difference; nothing is allocated in TensorFlow.
   *
   * @param source names where the values come from in the message
   */
  void check(List<WeightsFile.Entry> entries, String source) {
    Map<String, long[]> expected = new java.util.LinkedHashMap<>();
    for (Slot v : slots) {
      expected.put(v.name(), v.value().shape().asArray());
    }
    check(entries, expected, source);
  }

  /**
   * Checks that {@code entries} hold exactly the variables {@code expected} names, with its
   * shapes, naming the first difference; works on plain Java values, before any graph exists.
   */
  static void check(List<WeightsFile.Entry> entries, Map<String, long[]> expected, String source) {
    Map<String, WeightsFile.Entry> byName = new HashMap<>();
    for (WeightsFile.Entry e : entries) {
      byName.put(e.name(), e);
    }
    for (Map.Entry<String, long[]> v : expected.entrySet()) {
      WeightsFile.Entry e = byName.remove(v.getKey());
      checkArgument(e != null, "%s has no value for variable %s of this model", source, v.getKey());
      checkArgument(
          java.util.Arrays.equals(e.shape(), v.getValue()),
          "%s holds variable %s of shape %s, but this model's is %s",
          source,
          v.getKey(),
          Shape.of(e.shape()),
          Shape.of(v.getValue()));
    }
    checkArgument(byName.isEmpty(), "%s holds variables this model does not have: %s", source, byName.keySet());
  }

  /** Sets the variables named in {@code entries} (some of them), in one session run. */
  void writeSome(Session session, List<WeightsFile.Entry> entries) {
    Map<String, Slot> byName = new HashMap<>();
    for (Slot s : slots) {
      byName.put(s.name(), s);
    }
    List<TFloat32> tensors = new ArrayList<>();
    try {
      Session.Runner runner = session.runner();
      for (WeightsFile.Entry e : entries) {
        Slot v = byName.get(e.name());
        checkState(v != null && Shape.of(e.shape()).equals(v.value().shape()), "no variable %s of shape %s", e.name(), Shape.of(e.shape()));
        TFloat32 t = TFloat32.tensorOf(Shape.of(e.shape()), DataBuffers.of(e.values(), true, false));
        tensors.add(t);
        runner.feed(v.feed(), t).addTarget(v.assign());
      }
      runner.run().close();
    } finally {
      tensors.forEach(TFloat32::close);
    }
  }

  /** Sets every variable, in one session run; {@link #check}s first. */
  void write(Session session, List<WeightsFile.Entry> entries, String source) {
    check(entries, source);
    writeSome(session, entries);
  }

  /**
   * SHA-256, lowercase hex, of {@code description} and of the names, shapes and values of the
   * variables named in {@code names} (those inference reads), in name order: the same weights give
   * the same digest in any process.
   */
  static String digest(String description, List<WeightsFile.Entry> entries, Set<String> names) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(description.getBytes(StandardCharsets.UTF_8));
      for (WeightsFile.Entry e : entries) {
        if (!names.contains(e.name())) {
          continue;
        }
        md.update(e.name().getBytes(StandardCharsets.UTF_8));
        ByteBuffer b = ByteBuffer.allocate(8 * e.shape().length + 4 * e.values().length).order(ByteOrder.LITTLE_ENDIAN);
        for (long d : e.shape()) {
          b.putLong(d);
        }
        b.asFloatBuffer().put(e.values());
        md.update(b.array());
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }
}
