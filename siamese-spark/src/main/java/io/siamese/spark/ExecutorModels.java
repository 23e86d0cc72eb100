package io.siamese.spark;

import io.siamese.core.SavedModelEmbedder;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * The models loaded in this JVM (a Spark executor, or the driver in local mode): one {@link
 * SavedModelEmbedder} per model digest and thread setting, whatever the number of partitions,
 * tasks or jobs that use it, shared by the task threads (inference is thread-safe) and closed when
 * the JVM shuts down.
 *
 * <p>DJL's Spark extension loads its model once per partition; for a large model that is seconds
 * per partition. Here the first task that needs a model loads it while the JVM's other tasks that
 * need the same model wait for it; every later task reuses it.
 */
public final class ExecutorModels {
  private static final System.Logger LOG = System.getLogger(ExecutorModels.class.getName());

  private static final ConcurrentHashMap<Key, Slot> SLOTS = new ConcurrentHashMap<>();
  private static final AtomicLong LOADS = new AtomicLong();
  private static final AtomicBoolean HOOKED = new AtomicBoolean();

  private ExecutorModels() {}

  /** Number of SavedModel loads this JVM has done since it started (failed loads not counted). */
  public static long loads() {
    return LOADS.get();
  }

  /** Number of models this JVM holds now. */
  public static int loaded() {
    int n = 0;
    for (Slot s : SLOTS.values()) {
      if (s.model != null) {
        n++;
      }
    }
    return n;
  }

  /** The models held now, with their thread settings. */
  static java.util.Set<Key> keys() {
    java.util.Set<Key> keys = new java.util.HashSet<>();
    SLOTS.forEach((k, s) -> {
      if (s.model != null) {
        keys.add(k);
      }
    });
    return keys;
  }

  /**
   * Which model, with which TensorFlow thread pools, and whether its ops were checked against
   * {@code SavedModelEmbedder}'s allow-list (a model loaded unchecked is not handed to a job that
   * asked for the check).
   */
  record Key(String digest, int intraOpThreads, int interOpThreads, boolean trustAllOps) {
    Key(String digest, int intraOpThreads, int interOpThreads) {
      this(digest, intraOpThreads, interOpThreads, false);
    }
  }

  /**
   * The model of {@code key}, loaded on first use from the files {@code files} supplies (only then
   * asked for, so a JVM that holds the model never fetches its broadcast again).
   *
   * @param workRoot where to write the model's files and, when {@code privateNativeCache}, where
   *     JavaCPP extracts TensorFlow's natives if the JVM has no cache directory set
   * @throws IllegalArgumentException if the SavedModel cannot be loaded; a later call tries again
   */
  static LoadedModel acquire(Key key, Supplier<ShippedModel> files, Path workRoot, boolean privateNativeCache) {
    Slot slot = SLOTS.computeIfAbsent(key, k -> new Slot());
    LoadedModel m = slot.model;
    if (m != null) {
      return m;
    }
    // One lock per model: a load of one model never waits for another's.
    synchronized (slot) {
      if (slot.model == null) {
        slot.model = load(key, files, workRoot, privateNativeCache);
      }
      return slot.model;
    }
  }

  private static LoadedModel load(Key key, Supplier<ShippedModel> files, Path workRoot, boolean privateNativeCache) {
    hookOnce();
    if (privateNativeCache) {
      NativeLibraries.usePrivateCacheUnlessSet(workRoot.resolve("javacpp"));
    }
    long t0 = System.nanoTime();
    ShippedModel f = files.get();
    if (!f.digest().equals(key.digest())) {
      throw new IllegalStateException("the model shipped has digest " + f.digest() + ", the task expects " + key.digest());
    }
    Path dir = f.writeUnder(workRoot);
    SavedModelEmbedder embedder;
    try {
      SavedModelEmbedder.Builder b = SavedModelEmbedder.builder(dir).threads(key.intraOpThreads(), key.interOpThreads());
      embedder = (key.trustAllOps() ? b.trustAllOps() : b).build();
    } catch (RuntimeException e) {
      deleteQuietly(dir);
      throw e;
    }
    long nanos = System.nanoTime() - t0;
    LOADS.incrementAndGet();
    LOG.log(
        System.Logger.Level.INFO,
        "loaded model {0} ({1} bytes, threads {2}/{3}) in {4} ms",
        key.digest().substring(0, 16),
        f.bytes(),
        key.intraOpThreads(),
        key.interOpThreads(),
        nanos / 1_000_000);
    return new LoadedModel(embedder, dir, nanos);
  }

  private static void hookOnce() {
    if (HOOKED.compareAndSet(false, true)) {
      Runtime.getRuntime().addShutdownHook(new Thread(ExecutorModels::closeAll, "siamese-spark-close-models"));
    }
  }

  /** Closes every model and deletes its files; models asked for afterwards load again. */
  static void closeAll() {
    List<LoadedModel> closing = new ArrayList<>();
    for (Slot s : SLOTS.values()) {
      synchronized (s) {
        if (s.model != null) {
          closing.add(s.model);
          s.model = null;
        }
      }
    }
    for (LoadedModel m : closing) {
      m.embedder().close();
      deleteQuietly(m.directory());
    }
  }

  private static void deleteQuietly(Path dir) {
    try {
      Files.walkFileTree(
          dir,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
              Files.deleteIfExists(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
              Files.deleteIfExists(d);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException ignored) {
      // Best effort at shutdown: Spark deletes its work directories itself.
    }
  }

  private static final class Slot {
    volatile LoadedModel model;
  }

  /** A loaded model, its files and how long the load and its first batch took. */
  static final class LoadedModel {
    private final SavedModelEmbedder embedder;
    private final Path directory;
    private final long loadNanos;
    private final AtomicBoolean loadReported = new AtomicBoolean();
    private final AtomicBoolean firstBatchClaimed = new AtomicBoolean();
    private volatile long firstBatchNanos = -1;

    LoadedModel(SavedModelEmbedder embedder, Path directory, long loadNanos) {
      this.embedder = embedder;
      this.directory = directory;
      this.loadNanos = loadNanos;
    }

    SavedModelEmbedder embedder() {
      return embedder;
    }

    Path directory() {
      return directory;
    }

    long loadNanos() {
      return loadNanos;
    }

    /** True for exactly one caller, which reports the load to its job's counters. */
    boolean claimLoadReport() {
      return !loadReported.get() && loadReported.compareAndSet(false, true);
    }

    /** True for exactly one caller: the one whose batch is this model's first. */
    boolean claimFirstBatch() {
      return !firstBatchClaimed.get() && firstBatchClaimed.compareAndSet(false, true);
    }

    void firstBatchTook(long nanos) {
      firstBatchNanos = nanos;
    }

    /** Nanoseconds of this model's first batch, -1 until it has run. */
    long firstBatchNanos() {
      return firstBatchNanos;
    }
  }
}
