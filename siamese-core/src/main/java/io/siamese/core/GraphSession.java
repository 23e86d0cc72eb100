package io.siamese.core;

import static com.google.common.base.Preconditions.checkState;

import io.siamese.data.ExampleShape;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.tensorflow.Graph;
import org.tensorflow.Operand;
import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;

/**
 * A TensorFlow session with its lifecycle and the one chunked embedding loop of the library: every
 * use holds a read lock and fails clearly once closed, and {@link #close()} waits for the uses in
 * progress instead of freeing native memory under them. {@link SiameseModel} and {@link
 * SavedModelEmbedder} each own one.
 *
 * <p>Embedding feeds at most {@link #EMBED_CHUNK} examples per session run, rows straight into the
 * input tensor and embeddings straight out of the result: the intermediate flat copy this skips
 * cost 2-4% of a call (library / hand-written forward, paired in one JVM: 0.96-0.98 with it,
 * 0.98-1.02 without).
 */
final class GraphSession implements AutoCloseable {
  /** Examples per session run when embedding; bounds the memory of one call. */
  static final int EMBED_CHUNK = 256;

  private final Session session;
  private final AutoCloseable resources;
  private final String owner;
  private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
  private Operand<TFloat32> input;
  private Operand<TFloat32> embedding;
  private ExampleShape inputShape;
  private int embeddingSize;
  private boolean closed;

  /**
   * @param session the session to run
   * @param resources what {@link #close()} releases (the session and its graph, or a SavedModel bundle)
   * @param owner names the owner in the message after close, e.g. {@code "SiameseModel"}
   */
  GraphSession(Session session, AutoCloseable resources, String owner) {
    this.session = session;
    this.resources = resources;
    this.owner = owner;
  }

  /** Sets the tensors that {@link #embed} feeds and fetches: input {@code [N, shape...]}, output {@code [N, E]}. */
  void embedding(Operand<TFloat32> input, Operand<TFloat32> embedding, ExampleShape inputShape, int embeddingSize) {
    this.input = input;
    this.embedding = embedding;
    this.inputShape = inputShape;
    this.embeddingSize = embeddingSize;
  }

  /** A new graph filled by {@code build}, and an initialised session on it that owns both. */
  record Built<G>(GraphSession session, G graph) {}

  /**
   * Builds a graph with {@code build} and opens and initialises a session on it with {@code
   * config}; if anything fails, closes what was made and rethrows.
   */
  static <G> Built<G> create(SessionConfig config, String owner, Function<Graph, G> build) {
    return create(config, owner, build, true);
  }

  /**
   * As {@link #create(SessionConfig, String, Function)}; with {@code initialize} false no
   * initialiser runs (the caller restores every variable instead), so a load never runs the
   * random initialisers nor allocates what they would fill.
   */
  static <G> Built<G> create(SessionConfig config, String owner, Function<Graph, G> build, boolean initialize) {
    Graph g = new Graph();
    Session s = null;
    try {
      G built = build.apply(g);
      s = config.open(g);
      if (initialize) {
        s.initialize();
      }
      Session opened = s;
      AutoCloseable both = () -> {
        try {
          opened.close();
        } finally {
          g.close();
        }
      };
      return new Built<>(new GraphSession(s, both, owner), built);
    } catch (RuntimeException e) {
      if (s != null) {
        s.close();
      }
      g.close();
      throw e;
    }
  }

  Session session() {
    return session;
  }

  /** Runs {@code work} with the session open. */
  <T> T use(Supplier<T> work) {
    lifecycle.readLock().lock();
    try {
      checkState(!closed, "this %s is closed", owner);
      return work.get();
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /**
   * The embeddings of checked rows, {@link #EMBED_CHUNK} per session run.
   *
   * @return one new array per row, owned by the caller
   */
  float[][] embed(float[][] rows) {
    return use(
        () -> {
          float[][] out = new float[rows.length][];
          for (int from = 0; from < rows.length; from += EMBED_CHUNK) {
            int to = Math.min(rows.length, from + EMBED_CHUNK);
            int first = from;
            run(to - from, (in, i) -> in.offset((long) i * inputShape.size()).write(rows[first + i]), first, out);
          }
          return out;
        });
  }

  /** The embeddings of {@code count} checked examples stored row-major in {@code flat}. */
  float[][] embedFlat(float[] flat, int count) {
    return use(
        () -> {
          float[][] out = new float[count][];
          int d = inputShape.size();
          for (int from = 0; from < count; from += EMBED_CHUNK) {
            int n = Math.min(EMBED_CHUNK, count - from);
            int first = from;
            run(n, (in, i) -> in.offset((long) i * d).write(flat, (first + i) * d, d), first, out);
          }
          return out;
        });
  }

  /** Writes example {@code i} of a chunk into the input tensor's buffer. */
  @FunctionalInterface
  private interface RowWriter {
    void write(FloatDataBuffer input, int i);
  }

  private void run(int n, RowWriter rows, int first, float[][] out) {
    try (TFloat32 x =
            TFloat32.tensorOf(
                InputTensors.batchShape(inputShape, n),
                t -> {
                  FloatDataBuffer in = t.asRawTensor().data().asFloats();
                  for (int i = 0; i < n; i++) {
                    rows.write(in, i);
                  }
                });
        Result r = session.runner().feed(input, x).fetch(embedding).run()) {
      FloatDataBuffer y = ((TFloat32) r.get(0)).asRawTensor().data().asFloats();
      for (int i = 0; i < n; i++) {
        out[first + i] = new float[embeddingSize];
        y.offset((long) i * embeddingSize).read(out[first + i]);
      }
    }
  }

  /** Whether {@link #close()} was called. */
  boolean isClosed() {
    lifecycle.readLock().lock();
    try {
      return closed;
    } finally {
      lifecycle.readLock().unlock();
    }
  }

  /** Releases the session and its graph; waits for uses in progress. Idempotent. */
  @Override
  public void close() {
    lifecycle.writeLock().lock();
    try {
      if (closed) {
        return;
      }
      closed = true;
      resources.close();
    } catch (Exception e) {
      throw new IllegalStateException("could not release " + owner + "'s TensorFlow resources: " + e, e);
    } finally {
      lifecycle.writeLock().unlock();
    }
  }
}
