package io.siamese.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * Process-wide settings for the DJL-PyTorch peer, made once before the first DJL or TensorFlow
 * call of a benchmark fork.
 *
 * <ul>
 *   <li><b>Offline.</b> {@code ai.djl.offline=true}: DJL loads libtorch from the {@code
 *       pytorch-native-cpu} jar on the class path and never downloads. Its caches ({@code
 *       DJL_CACHE_DIR}, {@code ENGINE_CACHE_DIR}) go to {@code java.io.tmpdir/siamese-bench-djl-USER}
 *       unless the environment or a system property already names them (the first run extracts
 *       about 450 MB of libtorch there; later runs reuse it).
 *   <li><b>Threads.</b> PyTorch's intra-op pool gets as many threads as TensorFlow's does by
 *       default (one per available processor), unless {@code -Dai.djl.pytorch.num_threads} says
 *       otherwise.
 *   <li><b>Allocator.</b> {@link Allocator#TUNED} calls glibc's {@code mallopt} with the values of
 *       {@code MALLOC_MMAP_THRESHOLD_=33554432 MALLOC_TRIM_THRESHOLD_=8589934592
 *       MALLOC_TOP_PAD_=536870912} (the trim threshold capped at {@code Integer.MAX_VALUE}, which
 *       this process never reaches either), so that one JMH run holds both allocator settings;
 *       exporting those variables before {@code java -jar} does the same for a whole run.
 * </ul>
 */
final class DjlRuntime {
  /** glibc's mallopt parameters (malloc.h). */
  private static final int M_TRIM_THRESHOLD = -1;
  private static final int M_TOP_PAD = -2;
  private static final int M_MMAP_THRESHOLD = -3;

  /** How glibc's malloc is set for the fork: both libraries run under the same setting. */
  enum Allocator {
    /** As the process was started: glibc's defaults unless {@code MALLOC_*_} variables are set. */
    DEFAULT,
    /** Large mmap threshold, no trimming, 512 MB top pad: no page-fault storm on big tensors. */
    TUNED;

    /** {@code "default"} or {@code "tuned"}, in any case. */
    static Allocator of(String name) {
      return valueOf(name.toUpperCase(Locale.ROOT));
    }
  }

  private static boolean configured;

  private DjlRuntime() {}

  /**
   * Applies the settings above; only the first call of a process has an effect.
   *
   * @throws IllegalStateException if glibc refuses a {@code mallopt} value
   */
  static synchronized void configure(Allocator allocator) {
    if (configured) {
      return;
    }
    configured = true;
    setIfAbsent("ai.djl.offline", "true");
    if (absent("DJL_CACHE_DIR")) {
      Path cache =
          Path.of(System.getProperty("java.io.tmpdir"), "siamese-bench-djl-" + System.getProperty("user.name", "user"));
      System.setProperty("DJL_CACHE_DIR", cache.toString());
    }
    if (absent("ENGINE_CACHE_DIR")) {
      String djlCache = System.getenv("DJL_CACHE_DIR");
      System.setProperty("ENGINE_CACHE_DIR", djlCache != null ? djlCache : System.getProperty("DJL_CACHE_DIR"));
    }
    setIfAbsent("ai.djl.pytorch.num_threads", Integer.toString(Runtime.getRuntime().availableProcessors()));
    if (allocator == Allocator.TUNED) {
      LibC c = Native.load("c", LibC.class);
      mallopt(c, M_MMAP_THRESHOLD, 33_554_432, "M_MMAP_THRESHOLD");
      mallopt(c, M_TRIM_THRESHOLD, Integer.MAX_VALUE, "M_TRIM_THRESHOLD");
      mallopt(c, M_TOP_PAD, 536_870_912, "M_TOP_PAD");
    } else {
      for (Map.Entry<String, String> e : System.getenv().entrySet()) {
        if (e.getKey().startsWith("MALLOC_")) {
          System.err.printf(
              Locale.ROOT, "note: allocator=default inherits %s=%s from the environment%n", e.getKey(), e.getValue());
        }
      }
    }
  }

  private static void mallopt(LibC c, int param, int value, String name) {
    if (c.mallopt(param, value) != 1) {
      throw new IllegalStateException("glibc refused mallopt(" + name + ", " + value + ")");
    }
  }

  private static boolean absent(String key) {
    String env = System.getenv(key);
    return (env == null || env.isEmpty()) && System.getProperty(key) == null;
  }

  private static void setIfAbsent(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** The one libc function needed, through JNA (which DJL brings). */
  interface LibC extends Library {
    int mallopt(int param, int value);
  }
}
