package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;

/**
 * The TensorFlow session settings a model or embedder is built with: the thread pools. Opens the
 * session, and warns where TensorFlow ignores a setting.
 */
final class SessionConfig {
  private static final System.Logger LOG = System.getLogger(SessionConfig.class.getName());

  private final int intraOp;
  private final int interOp;

  private SessionConfig(int intraOp, int interOp) {
    this.intraOp = intraOp;
    this.interOp = interOp;
  }

  /** TensorFlow's defaults (one thread per core in each pool). */
  static final SessionConfig DEFAULT = new SessionConfig(0, 0);

  /**
   * @throws IllegalArgumentException if a count is negative
   */
  static SessionConfig threads(int intraOp, int interOp) {
    checkArgument(intraOp >= 0, "intraOp threads must be >= 0, got %s", intraOp);
    checkArgument(interOp >= 0, "interOp threads must be >= 0, got %s", interOp);
    return new SessionConfig(intraOp, interOp);
  }

  /** The settings as TensorFlow's protocol buffer; empty for the defaults. */
  ConfigProto proto() {
    return ConfigProto.newBuilder()
        .setIntraOpParallelismThreads(intraOp)
        .setInterOpParallelismThreads(interOp)
        .build();
  }

  boolean isDefault() {
    return intraOp == 0 && interOp == 0;
  }

  /** A session on {@code graph} with these settings; logs a warning for an intra-op count TensorFlow ignores. */
  Session open(Graph graph) {
    warnIfIgnored();
    return isDefault() ? new Session(graph) : new Session(graph, proto());
  }

  /**
   * TensorFlow keeps one intra-op pool per process, sized by the first device it creates, unless
   * {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1} gives every session its own: then say so.
   */
  void warnIfIgnored() {
    if (intraOp > 0 && !perSessionIntraOpPools()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "threads({0}, {1}): TensorFlow''s intra-op pool is shared by the whole process and was sized before this"
              + " session, so the intra-op setting has no effect; start the JVM with TF_OVERRIDE_GLOBAL_THREADPOOL=1 for it",
          intraOp,
          interOp);
    }
  }

  /** Whether TensorFlow gives each session its own intra-op pool. */
  static boolean perSessionIntraOpPools() {
    String v = System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL");
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }
}
