package io.siamese.bench;

import static org.tensorflow.internal.c_api.global.tensorflow.TF_CloseSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteDeviceList;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeleteSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListCount;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListMemoryBytes;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListName;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_DeviceListType;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewGraph;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSession;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_NewSessionOptions;
import static org.tensorflow.internal.c_api.global.tensorflow.TF_SessionListDevices;

import io.siamese.core.SiameseModel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.TensorFlow;
import org.tensorflow.internal.c_api.TF_DeviceList;
import org.tensorflow.internal.c_api.TF_Graph;
import org.tensorflow.internal.c_api.TF_Session;
import org.tensorflow.internal.c_api.TF_SessionOptions;
import org.tensorflow.internal.c_api.TF_Status;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * TensorFlow settings shared by the library and the raw baselines of one benchmark, so that both
 * run under the same session configuration, and the device report printed once per fork.
 */
final class TfSupport {
  private static final AtomicBoolean REPORTED = new AtomicBoolean();

  private TfSupport() {}

  /**
   * The session configuration of {@code SiameseModelBuilder.threads(intraOp, interOp)}, for the
   * raw baselines' {@code new Session(graph, config)}. 0 lets TensorFlow choose (one thread per
   * core in each pool), which is also what a session without a configuration gets.
   *
   * <p>TensorFlow sizes its intra-op pool once per process, from the first device it creates; a
   * {@code SiameseModel} creates one before its session, so the library's intra-op setting takes
   * effect only under {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1} (which JMH's forks inherit from the
   * environment). Without it, {@code intraOp} changes the raw baselines (their session is the
   * fork's first) but not the library.
   */
  static ConfigProto threads(int intraOp, int interOp) {
    if (intraOp < 0 || interOp < 0) {
      throw new IllegalArgumentException(
          "intraOp and interOp must be >= 0 (0 = TensorFlow's default), got " + intraOp + ", " + interOp);
    }
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOp)
        .setInterOpParallelismThreads(interOp)
        .build();
  }

  /**
   * {@link #threads} with the library's {@code Precision} named by {@code precision}: for {@code
   * MIXED} the session-level rewrites {@code SiameseModel.Builder.precision(Precision.MIXED)}
   * turns on (TensorFlow's GPU {@code auto_mixed_precision}, and oneDNN's bfloat16 {@code
   * auto_mixed_precision_onednn_bfloat16}), so that a raw baseline computes as the library does.
   * The raw side does not check the CPU: on a processor without native bfloat16 its rewrite runs
   * emulated, where the library would warn and stay float32.
   */
  static ConfigProto config(int intraOp, int interOp, String precision) {
    ConfigProto threads = threads(intraOp, interOp);
    switch (precision) {
      case "FP32":
        return threads;
      case "MIXED":
        return threads.toBuilder()
            .setGraphOptions(
                GraphOptions.newBuilder()
                    .setRewriteOptions(
                        RewriterConfig.newBuilder()
                            .setAutoMixedPrecision(RewriterConfig.Toggle.ON)
                            .setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON)))
            .build();
      default:
        throw new IllegalArgumentException("precision must be FP32 or MIXED, got " + precision);
    }
  }

  /**
   * A session on {@code graph} with its variables initialised. If that fails, closes what it
   * opened and the graph too, since a baseline whose constructor throws is never closed.
   */
  static Session openSession(Graph graph, ConfigProto config) {
    Session s = null;
    try {
      s = new Session(graph, config);
      s.initialize();
      return s;
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      graph.close();
      throw e;
    }
  }

  /**
   * Prints to stderr, once per JVM, TensorFlow's version and the devices a session sees. When a
   * GPU is listed, TensorFlow places every op that has a GPU kernel on the first GPU and the
   * numbers measure the GPU; otherwise everything runs on the CPU, whatever the build.
   */
  static void reportDevicesOnce() {
    if (!REPORTED.compareAndSet(false, true)) {
      return;
    }
    List<String> devices;
    try {
      devices = devices();
    } catch (RuntimeException | LinkageError e) {
      System.err.println("[siamese-bench] could not list TensorFlow's devices: " + e);
      return;
    }
    boolean gpu = devices.stream().anyMatch(d -> d.contains("(GPU"));
    StringBuilder s =
        new StringBuilder("[siamese-bench] TensorFlow ").append(TensorFlow.version()).append(", devices:");
    for (String d : devices) {
      s.append("\n[siamese-bench]   ").append(d);
    }
    s.append("\n[siamese-bench] ")
        .append(
            gpu
                ? "a GPU is visible: ops with a GPU kernel run on the first GPU"
                : "no GPU is visible: every op runs on the CPU");
    System.err.println(s);
  }

  /**
   * The devices of a throw-away session, as {@code name (type, memory)}. TensorFlow Java 1.1.0 has
   * no public device listing, so this calls the C API's {@code TF_SessionListDevices} through the
   * bindings that TensorFlow Java itself uses; every handle is released before returning.
   */
  static List<String> devices() {
    TensorFlow.version(); // loads the native library
    List<String> out = new ArrayList<>();
    TF_Status status = TF_Status.newStatus();
    TF_Graph graph = TF_NewGraph();
    TF_SessionOptions options = TF_NewSessionOptions();
    try {
      TF_Session session = TF_NewSession(graph, options, status);
      status.throwExceptionIfNotOK();
      try {
        TF_DeviceList list = TF_SessionListDevices(session, status);
        status.throwExceptionIfNotOK();
        try {
          int n = TF_DeviceListCount(list);
          for (int i = 0; i < n; i++) {
            String name = TF_DeviceListName(list, i, status).getString();
            String type = TF_DeviceListType(list, i, status).getString();
            long bytes = TF_DeviceListMemoryBytes(list, i, status);
            status.throwExceptionIfNotOK();
            out.add(String.format("%s (%s, %d MiB)", name, type, bytes >> 20));
          }
        } finally {
          TF_DeleteDeviceList(list);
        }
      } finally {
        TF_CloseSession(session, status);
        TF_DeleteSession(session, status);
      }
    } finally {
      TF_DeleteSessionOptions(options);
      TF_DeleteGraph(graph);
      status.delete();
    }
    return out;
  }
}
