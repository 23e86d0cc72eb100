package io.siamese.core.gallery;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableSet;
import io.siamese.core.EmbeddingSpace;
import io.siamese.core.internal.Checks;
import io.siamese.core.internal.IoMessages;
import io.siamese.core.internal.SnapshotDirectory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A gallery in the heap with exact search: the default, and the right one up to a few million
 * embeddings on one machine. Every query is compared with every enrolled embedding in the space's
 * distance (see {@link ExactSearch}): the answer is exactly the brute-force one, ties going to the
 * earliest enrolled. The embeddings are kept in one contiguous array, {@code 4 * dimension} bytes
 * each, and a query takes under twice the time of one pass over it (about 11-20 ms for a million
 * 64-float embeddings, 256 MB of heap); galleries of a million floats or more are scanned on
 * several threads of the common {@link java.util.concurrent.ForkJoinPool}.
 *
 * <p><b>Keeping it.</b> {@link #save} writes the whole gallery crash-safely (a new snapshot, synced,
 * then an atomic rename makes it current: a process killed at any moment leaves the previous save
 * or the new one, never neither). {@link #open} binds the gallery to a directory: it loads what is
 * saved there and {@link #commit()} saves it back, so {@code commit} is durable when it returns.
 * Each save rewrites everything; for incremental, durable enrolment of millions of embeddings use
 * the Lucene gallery of {@code siamese-lucene}.
 *
 * <p>Thread-safe: searches run side by side; an enrolment or removal waits for the searches in
 * progress and they for it, so every search sees each change entirely or not at all.
 *
 * @param <L> the label type; labels are compared with {@code equals}
 */
public final class InMemoryGallery<L> implements Gallery<L> {
  private final EmbeddingSpace space;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private final ExactSearch search;
  /** Every label ever enrolled, in order of first enrolment; a row's class id indexes this list. */
  private final List<L> labels = new ArrayList<>();
  private final Map<L, Integer> classIds = new HashMap<>();
  /** Rows per class id. */
  private final List<Integer> counts = new ArrayList<>();
  private final Path directory;
  private final LabelCodec<L> codec;
  private long nextId;
  private boolean closed;

  private InMemoryGallery(EmbeddingSpace space, Path directory, LabelCodec<L> codec) {
    this.space = checkNotNull(space, "space");
    this.search = new ExactSearch(space.dimension(), space.distance());
    this.directory = directory;
    this.codec = codec;
  }

  /** An empty gallery of embeddings of {@code space}; {@link #commit()} does nothing. */
  public static <L> InMemoryGallery<L> create(EmbeddingSpace space) {
    return new InMemoryGallery<>(space, null, null);
  }

  /**
   * The gallery saved in {@code directory}, or an empty one if nothing is saved there yet; {@link
   * #commit()} saves it back there.
   *
   * @param space the space of the embeddings to come, normally {@code model.embeddingSpace()}: a
   *     gallery saved in another space (another model, size or distance) is refused
   * @param codec turns labels into text and back
   * @throws IllegalArgumentException naming the file if what is saved there is corrupted, not a
   *     gallery, or of another space
   * @throws UncheckedIOException if the directory cannot be read
   */
  public static <L> InMemoryGallery<L> open(Path directory, EmbeddingSpace space, LabelCodec<L> codec) {
    checkNotNull(directory, "directory");
    checkNotNull(codec, "codec");
    InMemoryGallery<L> g = new InMemoryGallery<>(space, directory, codec);
    if (Files.exists(directory.resolve(SnapshotDirectory.CURRENT))) {
      g.load(directory, codec);
    }
    return g;
  }

  private void load(Path dir, LabelCodec<L> labelCodec) {
    SnapshotDirectory.Snapshot snapshot;
    try {
      snapshot = new SnapshotDirectory(dir).read(GalleryFile.NAME);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the gallery at " + dir + ": " + IoMessages.reason(e), e);
    }
    String source = snapshot.folder().resolve(GalleryFile.NAME).toString();
    GalleryFile.Contents c = GalleryFile.read(snapshot.files().get(GalleryFile.NAME), source);
    String why = space.incompatibility(c.dimension(), c.distance(), c.digest());
    checkArgument(why.isEmpty(), "the gallery at %s was made in another space: %s", dir, why);
    for (String text : c.labels()) {
      L label = labelCodec.decode(text);
      checkArgument(!classIds.containsKey(label), "%s holds the label %s twice", source, label);
      classIds.put(label, labels.size());
      labels.add(label);
      counts.add(0);
    }
    int d = c.dimension();
    float[][] rows = new float[c.ids().length][];
    for (int r = 0; r < rows.length; r++) {
      rows[r] = java.util.Arrays.copyOfRange(c.rows(), r * d, (r + 1) * d);
      counts.set(c.labelIndex()[r], counts.get(c.labelIndex()[r]) + 1);
    }
    search.add(rows, c.labelIndex(), c.ids());
    nextId = c.nextId();
  }

  @Override
  public EmbeddingSpace space() {
    return space;
  }

  @Override
  public long[] enrolAll(List<? extends L> labelsOfRows, float[][] embeddings) {
    checkNotNull(labelsOfRows, "labels");
    checkNotNull(embeddings, "embeddings");
    checkArgument(
        labelsOfRows.size() == embeddings.length,
        "%s labels for %s embeddings; give one label per embedding",
        labelsOfRows.size(),
        embeddings.length);
    for (int i = 0; i < labelsOfRows.size(); i++) {
      checkNotNull(labelsOfRows.get(i), "label %s is null", i);
    }
    if (embeddings.length == 0) {
      return new long[0];
    }
    checkEmbeddings(embeddings);
    return add(labelsOfRows, embeddings);
  }

  private void checkEmbeddings(float[][] embeddings) {
    Checks.finiteRows(
        embeddings, space.dimension(), i -> embeddings.length == 1 ? "embedding" : "embedding " + i,
        "the gallery's embeddings have " + space.dimension(), "embeddings");
  }

  private long[] add(List<? extends L> rowLabels, float[][] embeddings) {
    lock.writeLock().lock();
    try {
      checkOpen();
      int[] classes = new int[embeddings.length];
      long[] ids = new long[embeddings.length];
      Map<L, Integer> fresh = new HashMap<>();
      for (int i = 0; i < classes.length; i++) {
        L label = rowLabels.get(i);
        Integer id = classIds.get(label);
        if (id == null) {
          id = fresh.computeIfAbsent(label, l -> labels.size() + fresh.size());
        }
        classes[i] = id;
        ids[i] = nextId + i;
      }
      // The rows go in first: a gallery that is full throws here and registers nothing.
      search.add(embeddings, classes, ids);
      fresh.entrySet().stream()
          .sorted(Map.Entry.comparingByValue())
          .forEach(e -> {
            classIds.put(e.getKey(), labels.size());
            labels.add(e.getKey());
            counts.add(0);
          });
      for (int c : classes) {
        counts.set(c, counts.get(c) + 1);
      }
      nextId += embeddings.length;
      return ids;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public boolean remove(long id) {
    lock.writeLock().lock();
    try {
      checkOpen();
      return search.removeIf((rowId, classId) -> {
        if (rowId != id) {
          return false;
        }
        counts.set(classId, counts.get(classId) - 1);
        return true;
      }) > 0;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public int removeLabel(L label) {
    checkNotNull(label, "label");
    lock.writeLock().lock();
    try {
      checkOpen();
      Integer id = classIds.get(label);
      if (id == null || counts.get(id) == 0) {
        return 0;
      }
      int removed = search.removeIf((rowId, classId) -> classId == id);
      counts.set(id, 0);
      return removed;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public List<Neighbor<L>> nearest(float[] query, int k) {
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    Checks.finite(query, space.dimension(), "embedding", "the gallery's embeddings have " + space.dimension(), "embeddings");
    lock.readLock().lock();
    try {
      checkOpen();
      List<ExactSearch.Nearest> found = search.nearest(query, k);
      List<Neighbor<L>> out = new ArrayList<>(found.size());
      for (ExactSearch.Nearest n : found) {
        out.add(new Neighbor<>(labels.get(search.classId(n.row())), search.id(n.row()), n.distance()));
      }
      return out;
    } finally {
      lock.readLock().unlock();
    }
  }

  @Override
  public long size() {
    lock.readLock().lock();
    try {
      checkOpen();
      return search.size();
    } finally {
      lock.readLock().unlock();
    }
  }

  /** The labels with at least one enrolled embedding, in order of first enrolment. */
  @Override
  public Set<L> labels() {
    lock.readLock().lock();
    try {
      checkOpen();
      ImmutableSet.Builder<L> b = ImmutableSet.builder();
      for (int i = 0; i < labels.size(); i++) {
        if (counts.get(i) > 0) {
          b.add(labels.get(i));
        }
      }
      return b.build();
    } finally {
      lock.readLock().unlock();
    }
  }

  /**
   * Saves the gallery into the directory it was {@linkplain #open opened} from, crash-safely; does
   * nothing for a gallery made with {@link #create}.
   *
   * @throws UncheckedIOException with the cause if the directory cannot be written
   */
  @Override
  public void commit() {
    if (directory != null) {
      save(directory, codec);
    } else {
      lock.readLock().lock();
      try {
        checkOpen();
      } finally {
        lock.readLock().unlock();
      }
    }
  }

  /**
   * Writes the whole gallery into {@code directory}, replacing what a previous save put there,
   * crash-safely (see the class comment). Searches may go on meanwhile; enrolments wait.
   *
   * @throws UncheckedIOException with the cause if the directory cannot be written
   */
  public void save(Path dir, LabelCodec<L> labelCodec) {
    checkNotNull(dir, "directory");
    checkNotNull(labelCodec, "codec");
    byte[] bytes;
    lock.readLock().lock();
    try {
      checkOpen();
      bytes = GalleryFile.write(contents(labelCodec));
    } finally {
      lock.readLock().unlock();
    }
    try {
      new SnapshotDirectory(dir).write(Map.of(GalleryFile.NAME, bytes));
    } catch (IOException e) {
      throw new UncheckedIOException("could not save the gallery to " + dir + ": " + IoMessages.reason(e), e);
    }
  }

  /** The rows and the labels still in use, renumbered densely. */
  private GalleryFile.Contents contents(LabelCodec<L> labelCodec) {
    int[] renumber = new int[labels.size()];
    List<String> texts = new ArrayList<>();
    for (int i = 0; i < labels.size(); i++) {
      renumber[i] = -1;
      if (counts.get(i) > 0) {
        renumber[i] = texts.size();
        texts.add(labelCodec.encode(labels.get(i)));
      }
    }
    int n = search.size();
    int d = space.dimension();
    long[] ids = new long[n];
    int[] labelIndex = new int[n];
    float[] rows = new float[Math.multiplyExact(n, d)];
    for (int r = 0; r < n; r++) {
      ids[r] = search.id(r);
      labelIndex[r] = renumber[search.classId(r)];
      System.arraycopy(search.row(r), 0, rows, r * d, d);
    }
    return new GalleryFile.Contents(d, space.distance().name(), space.modelDigest(), nextId, texts, ids, labelIndex, rows);
  }

  private void checkOpen() {
    checkState(!closed, "this gallery is closed");
  }

  /** Releases the embeddings; does not commit. Idempotent. */
  @Override
  public void close() {
    lock.writeLock().lock();
    try {
      closed = true;
    } finally {
      lock.writeLock().unlock();
    }
  }

  @Override
  public String toString() {
    return "InMemoryGallery(" + space.dimension() + " floats, " + space.distance().name() + ")";
  }
}
