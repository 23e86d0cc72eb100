package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.encoder.ResNet12BlockLayer;
import io.siamese.core.encoder.ResidualBlockLayer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.tensorflow.Graph;
import org.tensorflow.Session;
import org.tensorflow.proto.ConfigProto;
import org.tensorflow.proto.GraphOptions;
import org.tensorflow.proto.RewriterConfig;

/**
 * The TensorFlow session settings a model or embedder is built with: the thread pools and the
 * {@link Precision}. Opens the session, and warns where TensorFlow ignores a setting or the
 * hardware cannot honour it.
 */
final class SessionConfig {
  private static final System.Logger LOG = System.getLogger(SessionConfig.class.getName());

  private final int intraOp;
  private final int interOp;
  private final Precision precision;

  private SessionConfig(int intraOp, int interOp, Precision precision) {
    this.intraOp = intraOp;
    this.interOp = interOp;
    this.precision = precision;
  }

  /** TensorFlow's defaults (one thread per core in each pool), float32. */
  static final SessionConfig DEFAULT = new SessionConfig(0, 0, Precision.FP32);

  /**
   * @throws IllegalArgumentException if a count is negative
   */
  static SessionConfig threads(int intraOp, int interOp) {
    checkArgument(intraOp >= 0, "intraOp threads must be >= 0, got %s", intraOp);
    checkArgument(interOp >= 0, "interOp threads must be >= 0, got %s", interOp);
    return new SessionConfig(intraOp, interOp, Precision.FP32);
  }

  /** These settings with the thread pools sized as {@link #threads} takes them. */
  SessionConfig withThreads(int intraOp, int interOp) {
    return threads(intraOp, interOp).withPrecision(precision);
  }

  /** These settings computing in {@code precision}. */
  SessionConfig withPrecision(Precision precision) {
    return new SessionConfig(intraOp, interOp, checkNotNull(precision, "precision"));
  }

  Precision precision() {
    return precision;
  }

  /**
   * The settings as TensorFlow's protocol buffer. For {@link Precision#MIXED}: the GPU rewrite
   * always (TensorFlow skips it when no GPU is visible), oneDNN's bfloat16 rewrite where the CPU
   * computes bfloat16 natively.
   */
  ConfigProto proto() {
    return proto(CpuFeatures.DETECTED);
  }

  /** {@link #proto()} on a processor with {@code cpu}'s features. */
  ConfigProto proto(CpuFeatures cpu) {
    ConfigProto.Builder b =
        ConfigProto.newBuilder().setIntraOpParallelismThreads(intraOp).setInterOpParallelismThreads(interOp);
    if (interOp > 0) {
      // Otherwise the session shares the process's inter-op pool, sized by the first session.
      b.setUsePerSessionThreads(true);
    }
    if (precision == Precision.MIXED) {
      RewriterConfig.Builder rewrites = RewriterConfig.newBuilder().setAutoMixedPrecision(RewriterConfig.Toggle.ON);
      if (cpu.bfloat16()) {
        rewrites.setAutoMixedPrecisionOnednnBfloat16(RewriterConfig.Toggle.ON);
      }
      b.setGraphOptions(GraphOptions.newBuilder().setRewriteOptions(rewrites));
    }
    return b.build();
  }

  boolean isDefault() {
    return intraOp == 0 && interOp == 0 && precision == Precision.FP32;
  }

  /**
   * A session on {@code graph} with these settings; logs a warning for an intra-op count
   * TensorFlow ignores, or a precision the CPU cannot compute natively.
   */
  Session open(Graph graph) {
    beforeOpening();
    return isDefault() ? new Session(graph) : new Session(graph, proto());
  }

  /**
   * What must happen before a session with these settings is opened, by {@link #open} or by a
   * SavedModel loader given {@link #proto()}: the warnings, and keeping TensorFlow's process-wide
   * pools at their default sizes (see {@link DefaultPools}).
   */
  void beforeOpening() {
    warnIfIgnored();
    if (intraOp > 0 && !perSessionIntraOpPools()) {
      DefaultPools.ensure();
    }
  }

  /**
   * TensorFlow sizes its process-wide intra-op pool (and, for sessions without {@code
   * use_per_session_threads}, its inter-op pool) from the first session the process opens. A
   * model built with {@code threads(1, ...)} as the process's first session would leave every
   * later session, the user's default ones included, on one intra-op thread. So before the first
   * such session the library opens, once per JVM, one empty session with TensorFlow's defaults:
   * the pools get their default sizes, as if a default session had come first. (TensorFlow Java's
   * framework initializers used to do this by accident, with a throw-away session per weight;
   * the library no longer calls them.)
   */
  private static final class DefaultPools {
    private static boolean opened;

    static synchronized void ensure() {
      if (!opened) {
        try (Graph g = new Graph();
            Session s = new Session(g)) {
          opened = true;
        }
      }
    }
  }

  /**
   * TensorFlow keeps one intra-op pool per process, sized by the first device it creates, unless
   * {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1} gives every session its own: then say so. And {@link
   * Precision#MIXED} on a CPU without native bfloat16 says that it stays float32.
   */
  void warnIfIgnored() {
    warnIfIgnored(CpuFeatures.DETECTED);
  }

  /** {@link #warnIfIgnored()} on a processor with {@code cpu}'s features. */
  void warnIfIgnored(CpuFeatures cpu) {
    if (intraOp > 0 && !perSessionIntraOpPools()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "threads({0}, {1}): TensorFlow''s intra-op pool is shared by the whole process and keeps TensorFlow''s default"
              + " size, so the intra-op setting has no effect; start the JVM with TF_OVERRIDE_GLOBAL_THREADPOOL=1 for it",
          intraOp,
          interOp);
    }
    if (precision == Precision.MIXED && !cpu.bfloat16()) {
      LOG.log(
          System.Logger.Level.WARNING,
          "precision MIXED: {0}, so ops on the CPU stay float32 (emulated bfloat16 would be slower); ops placed on a"
              + " GPU still get TensorFlow''s float16 auto mixed precision",
          cpu.describe());
    }
  }

  /**
   * These settings for a model with {@code encoder}: {@link Precision#MIXED} falls back to float32,
   * with a warning, for encoders with residual blocks ({@link ResNet12BlockLayer}, {@link
   * ResidualBlockLayer}) on a CPU that would compute them in bfloat16. TensorFlow Java 1.1.0's
   * oneDNN bfloat16 kernels compute those blocks wrongly: a ResNet-12's embeddings came out 44% of
   * their length away from float32's (Conv-4's: 0.6%), the same in training, where about 1 step in
   * 20 was also not finite (docs/benchmarks.md, "Mixed precision and residual blocks").
   */
  SessionConfig forEncoder(EncoderSpec encoder) {
    return forEncoder(encoder, CpuFeatures.DETECTED);
  }

  /** {@link #forEncoder(EncoderSpec)} on a processor with {@code cpu}'s features. */
  SessionConfig forEncoder(EncoderSpec encoder, CpuFeatures cpu) {
    return forResidualBlocks(hasResidualBlocks(encoder), cpu);
  }

  /**
   * As {@link #forEncoder(EncoderSpec)}, for an exported encoder whose graph has residual blocks
   * ({@code SavedModelGuard.hasConvolutionWithoutBias}) when {@code residual}.
   */
  SessionConfig forResidualBlocks(boolean residual, CpuFeatures cpu) {
    if (precision != Precision.MIXED || !cpu.bfloat16() || !residual) {
      return this;
    }
    LOG.log(
        System.Logger.Level.WARNING,
        "precision MIXED: this encoder has residual blocks, which TensorFlow Java 1.1.0''s oneDNN bfloat16 kernels"
            + " compute wrongly, so it computes in float32");
    return withPrecision(Precision.FP32);
  }

  /** Whether {@code encoder} has a residual block, which {@link Precision#MIXED} cannot compute on the CPU. */
  static boolean hasResidualBlocks(EncoderSpec encoder) {
    return encoder.layers().stream().anyMatch(l -> l instanceof ResNet12BlockLayer || l instanceof ResidualBlockLayer);
  }

  /** Whether TensorFlow gives each session its own intra-op pool. */
  static boolean perSessionIntraOpPools() {
    String v = System.getenv("TF_OVERRIDE_GLOBAL_THREADPOOL");
    return v != null && (v.equals("1") || v.equalsIgnoreCase("true"));
  }

  /**
   * What the processor computes natively, from the {@code flags} line of Linux's {@code
   * /proc/cpuinfo}; read once. Elsewhere (no such file) nothing is assumed.
   */
  record CpuFeatures(Optional<String> flags) {
    static final CpuFeatures DETECTED = read(Path.of("/proc/cpuinfo"));

    static CpuFeatures read(Path cpuinfo) {
      try {
        return parse(Files.readString(cpuinfo));
      } catch (IOException | RuntimeException e) {
        return new CpuFeatures(Optional.empty());
      }
    }

    /** The first {@code flags} line of a {@code /proc/cpuinfo} text. */
    static CpuFeatures parse(String cpuinfo) {
      for (String line : cpuinfo.split("\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equals("flags")) {
          return new CpuFeatures(Optional.of(line.substring(colon + 1).trim()));
        }
      }
      return new CpuFeatures(Optional.empty());
    }

    /** AVX-512 BF16 (Cooper Lake, Sapphire Rapids, Zen 4 and later) or AMX-BF16 (Sapphire Rapids and later). */
    boolean bfloat16() {
      return flags.map(f -> Arrays.asList(f.split("\\s+"))).map(l -> l.contains("avx512_bf16") || l.contains("amx_bf16")).orElse(false);
    }

    String describe() {
      return flags.isPresent()
          ? "this CPU has neither avx512_bf16 nor amx_bf16 (/proc/cpuinfo)"
          : String.format(Locale.ROOT, "the CPU's features are unknown (no /proc/cpuinfo flags on %s)", System.getProperty("os.name"));
    }
  }
}
