package io.siamese.lucene;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.Gallery;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.core.gallery.Neighbor;
import io.siamese.core.gallery.OneShotPrediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.AlreadyClosedException;

/**
 * A {@link Gallery} in a Lucene index on disk: persistent, incremental, and searched with
 * Lucene's HNSW graph. The embedded default for galleries that must survive a restart or outgrow
 * an exact scan; one directory, one process writing, any number reading.
 *
 * <pre>{@code
 * EmbeddingSpace space = model.embeddingSpace();
 * try (LuceneGallery<String> gallery =
 *     LuceneGallery.builder(Path.of("faces"), space, LabelCodec.strings())
 *         .groupCommit(Duration.ofSeconds(1))
 *         .build()) {
 *   long id = gallery.enrol("alice", model.embed(photo));
 *   OneShotPrediction<String> p = gallery.classify(model.embed(query), threshold);
 * }
 * }</pre>
 *
 * <p><b>Search.</b> HNSW proposes {@code max(k, candidates)} documents (see {@link
 * LuceneGalleryBuilder#candidates}); each one's stored float32 vector is then compared with the
 * query by the space's {@link io.siamese.losses.Distance#between}, in double precision, and the
 * {@code k} nearest are returned, ties to the smaller id. Distances are therefore exact; only the
 * candidate set is approximate (the neighbour HNSW misses is missing, never misplaced). Only
 * euclidean, squared_euclidean and cosine spaces can be indexed; cosine galleries refuse an
 * all-zero embedding or query, whose direction is undefined.
 *
 * <p><b>Visibility and durability.</b> An enrolment or removal is seen by every search that starts
 * after it returns: a search after a change reopens Lucene's near-real-time reader first (a few
 * milliseconds; searches between changes pay nothing). It is durable when {@link #commit()}
 * returns, or after the next group commit (see {@link LuceneGalleryBuilder#groupCommit}); a process
 * killed before then loses it, whole, and nothing committed before. {@link #close()} does not
 * commit: what was not committed is discarded, as in a crash. A failed group commit is logged and
 * thrown, once, by the next enrolment, removal or merge, before it changes anything.
 *
 * <p><b>Ids</b> count up from 0 and are never handed out twice, crashes included (see {@link
 * #durableBelow()}). The commit records the next id, the embedding size, the distance's name and
 * the model's digest; opening the gallery with another space is refused.
 *
 * <p><b>Threads.</b> Safe from many threads. Searches run in parallel, each on a point-in-time view
 * of the index; changes are serialised. One writer per directory: a second one, in this process or
 * another, is refused with {@link IllegalStateException}, while any number of {@linkplain
 * LuceneGalleryBuilder#readOnly() read-only} galleries may search beside it. Do not interrupt a
 * thread inside a gallery call: Lucene's file channels close on interrupt and the writer fails.
 *
 * <p><b>Errors.</b> Bad arguments get {@link IllegalArgumentException}; a damaged index, at open, an
 * {@link IllegalArgumentException} naming the directory; failed I/O an {@link UncheckedIOException}
 * naming it; use after {@link #close()}, or a change to a read-only gallery, an {@link
 * IllegalStateException}. {@code docs/errors.md} lists every case.
 *
 * @param <L> the label type, stored as text through the {@link LabelCodec}
 */
public final class LuceneGallery<L> implements Gallery<L> {
  /** Default number of HNSW candidates re-ranked per search. */
  public static final int DEFAULT_CANDIDATES = 100;

  /** Default indexing buffer, in megabytes. */
  public static final double DEFAULT_BUFFER_MEGABYTES = 64;

  /** Documents per {@code addDocuments} call of a large enrolment, bounding the writer's block. */
  private static final int CHUNK = 4096;

  private static final System.Logger LOG = System.getLogger(LuceneGallery.class.getName());

  private final Path path;
  private final EmbeddingSpace space;
  private final LabelCodec<L> codec;
  private final VectorSimilarityFunction similarity;
  private final Inputs inputs;
  private final int candidates;
  private final int commitEvery;
  private final Opener.Opened index;
  private final IndexWriter writer;
  private final SearcherManager searchers;
  private final GroupCommit groupCommit;

  private final ReentrantLock writeLock = new ReentrantLock();
  /** Count of changes made; the searcher is refreshed when it reflects fewer. */
  private final AtomicLong changes = new AtomicLong();
  private final Object refreshLock = new Object();
  private volatile long searcherChanges;
  private volatile boolean closed;
  private volatile long durableBelow;
  private volatile RuntimeException groupCommitFailure;
  private boolean changedSinceCommit; // guarded by writeLock
  private long enrolledSinceCommit; // guarded by writeLock

  LuceneGallery(LuceneGalleryBuilder<L> b) {
    this.path = b.directory;
    this.space = b.space;
    this.codec = b.codec;
    this.similarity = Schema.similarity(b.space);
    this.inputs = new Inputs(b.space.dimension(), similarity == VectorSimilarityFunction.COSINE);
    this.candidates = b.candidates;
    this.commitEvery = b.commitEveryEnrolments;
    this.index =
        b.readOnly
            ? Opener.forReading(path, space, b.verifyChecksums)
            : Opener.forWriting(
                path, space, Schema.codec(b.maxConnections, b.beamWidth, b.int8), b.bufferMegabytes, b.verifyChecksums);
    this.writer = index.writer();
    this.searchers = index.searchers();
    this.durableBelow = index.ids() == null ? 0 : index.ids().next();
    this.groupCommit =
        b.commitInterval == null ? null : new GroupCommit(b.commitInterval, this::commitIfChanged, path.toString());
    LOG.log(System.Logger.Level.DEBUG, "opened {0}", this);
  }

  /**
   * The settings of a gallery in {@code directory} for embeddings of {@code space}, with labels
   * stored through {@code codec}.
   */
  public static <L> LuceneGalleryBuilder<L> builder(Path directory, EmbeddingSpace space, LabelCodec<L> codec) {
    return new LuceneGalleryBuilder<>(directory, space, codec);
  }

  @Override
  public EmbeddingSpace space() {
    return space;
  }

  /** The gallery's directory, absolute. */
  public Path directory() {
    return path;
  }

  /** Whether the gallery was opened {@linkplain LuceneGalleryBuilder#readOnly() read-only}. */
  public boolean isReadOnly() {
    return writer == null;
  }

  @Override
  public long[] enrolAll(List<? extends L> labels, float[][] embeddings) {
    ensureWritable();
    checkNotNull(labels, "labels");
    checkNotNull(embeddings, "embeddings");
    checkArgument(
        labels.size() == embeddings.length, "%s labels for %s embeddings; give one label per embedding",
        labels.size(), embeddings.length);
    float[][] rows = inputs.embeddings(embeddings);
    String[] texts = new String[rows.length];
    for (int i = 0; i < texts.length; i++) {
      L label = checkNotNull(labels.get(i), "label %s is null", i);
      texts[i] = Inputs.encode(codec, label, "label " + i);
    }
    return rows.length == 0 ? new long[0] : add(texts, rows);
  }

  private long[] add(String[] labels, float[][] rows) {
    writeLock.lock();
    try {
      ensureWritable();
      reportGroupCommitFailure();
      long first = index.ids().take(rows.length);
      int added = 0;
      try {
        for (int from = 0; from < rows.length; from += CHUNK) {
          int to = Math.min(rows.length, from + CHUNK);
          writer.addDocuments(Schema.documents(first, labels, rows, from, to, similarity));
          added = to;
        }
      } catch (IOException | RuntimeException e) {
        undo(first, added, e);
        throw failure("enrolling", e);
      }
      changes.incrementAndGet();
      changedSinceCommit = true;
      enrolledSinceCommit += rows.length;
      if (commitEvery > 0 && enrolledSinceCommit >= commitEvery) {
        commitQuietly();
      }
      long[] ids = new long[rows.length];
      Arrays.setAll(ids, i -> first + i);
      return ids;
    } catch (IOException e) {
      throw Failures.io(path, "enrolling", e);
    } finally {
      writeLock.unlock();
    }
  }

  /** Deletes the first {@code added} documents of a failed enrolment, so none of it stays. */
  private void undo(long first, int added, Exception cause) {
    if (added == 0) {
      return;
    }
    try {
      writer.deleteDocuments(LongPoint.newRangeQuery(Schema.ID, first, first + added - 1));
      changes.incrementAndGet();
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  @Override
  public boolean remove(long id) {
    return delete(LongPoint.newExactQuery(Schema.ID, id), "removing id " + id) > 0;
  }

  @Override
  public int removeLabel(L label) {
    ensureWritable();
    checkNotNull(label, "label");
    return delete(new TermQuery(new Term(Schema.LABEL, Inputs.encode(codec, label, "label"))), "removing a label");
  }

  private int delete(Query query, String what) {
    writeLock.lock();
    try {
      ensureWritable();
      reportGroupCommitFailure();
      IndexSearcher s = acquireFresh();
      int n;
      try {
        n = s.count(query);
      } finally {
        searchers.release(s);
      }
      if (n > 0) {
        writer.deleteDocuments(query);
        changes.incrementAndGet();
        changedSinceCommit = true;
      }
      return n;
    } catch (IOException | AlreadyClosedException e) {
      throw failure(what, e);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public List<Neighbor<L>> nearest(float[] query, int k) {
    ensureOpen();
    checkArgument(k >= 1, "k must be >= 1, got %s", k);
    float[] q = inputs.query(query);
    IndexSearcher s = acquireFresh();
    try {
      return Search.nearest(s, q, k, candidates, space.distance(), this::decode);
    } catch (IOException | AlreadyClosedException e) {
      throw failure("searching", e);
    } finally {
      release(s);
    }
  }

  @Override
  public long size() {
    ensureOpen();
    IndexSearcher s = acquireFresh();
    try {
      return s.getIndexReader().numDocs();
    } finally {
      release(s);
    }
  }

  @Override
  public Set<L> labels() {
    ensureOpen();
    IndexSearcher s = acquireFresh();
    try {
      return Search.labels(s, this::decode);
    } catch (IOException | AlreadyClosedException e) {
      throw failure("listing labels", e);
    } finally {
      release(s);
    }
  }

  /**
   * Makes every change so far durable, with the next id and the space in the commit: when this
   * returns they survive a crash of the process or the machine (as far as the disk honours
   * fsync). A no-op for a read-only gallery.
   */
  @Override
  public void commit() {
    ensureOpen();
    if (writer == null) {
      return;
    }
    writeLock.lock();
    try {
      ensureOpen();
      commitLocked();
    } finally {
      writeLock.unlock();
    }
  }

  private void commitLocked() {
    long next = index.ids().next();
    try {
      writer.setLiveCommitData(CommitData.of(space, next).toMap().entrySet());
      writer.commit();
    } catch (IOException | AlreadyClosedException e) {
      throw failure("committing", e);
    }
    changedSinceCommit = false;
    enrolledSinceCommit = 0;
    durableBelow = next;
    groupCommitFailure = null;
  }

  /** The group commit's round: commits if anything changed since the last commit. */
  private void commitIfChanged() {
    writeLock.lock();
    try {
      if (!closed && changedSinceCommit) {
        commitQuietly();
      }
    } finally {
      writeLock.unlock();
    }
  }

  /** A commit whose failure is kept for the next change to report, not thrown. */
  private void commitQuietly() {
    try {
      commitLocked();
    } catch (RuntimeException e) {
      groupCommitFailure = e;
      LOG.log(System.Logger.Level.WARNING, "group commit of the gallery at " + path + " failed", e);
    }
  }

  private void reportGroupCommitFailure() {
    RuntimeException f = groupCommitFailure;
    if (f != null) {
      groupCommitFailure = null;
      throw new IllegalStateException(
          "the last group commit of the gallery at " + path + " failed, so changes since the commit before it are"
              + " not durable; this call changed nothing (call commit() to retry): " + f.getMessage(),
          f);
    }
  }

  /**
   * Every enrolment whose id is below this has been committed: it survives a crash unless removed.
   * Ids handed out since are not durable yet.
   */
  public long durableBelow() {
    return durableBelow;
  }

  /**
   * Merges the index down to at most {@code maxSegments} segments, waiting until done: for an
   * offline build, {@code forceMerge(1)} after {@link #enrolAll} gives one HNSW graph, the fastest
   * to search. Costly (it rebuilds graphs) and not durable until the next {@link #commit()}.
   * Enrolments and searches may go on meanwhile.
   */
  public void forceMerge(int maxSegments) {
    ensureWritable();
    checkArgument(maxSegments >= 1, "maxSegments must be >= 1, got %s", maxSegments);
    writeLock.lock();
    try {
      reportGroupCommitFailure();
    } finally {
      writeLock.unlock();
    }
    try {
      writer.forceMerge(maxSegments);
    } catch (IOException | AlreadyClosedException e) {
      throw failure("merging", e);
    }
    writeLock.lock();
    try {
      changes.incrementAndGet();
      changedSinceCommit = true;
    } finally {
      writeLock.unlock();
    }
  }

  /**
   * Lets searches see what has been committed since the gallery was opened or last refreshed: for
   * a {@linkplain LuceneGalleryBuilder#readOnly() read-only} gallery beside a writer. A writing
   * gallery always sees its own changes and needs no refresh.
   *
   * @throws IllegalArgumentException if the directory now holds a gallery of another space
   */
  public void refresh() {
    ensureOpen();
    try {
      searchers.maybeRefreshBlocking();
    } catch (IOException | AlreadyClosedException e) {
      throw failure("refreshing", e);
    }
  }

  /** The number of segments searched, each with its own HNSW graph. */
  public int segments() {
    ensureOpen();
    IndexSearcher s = acquireFresh();
    try {
      return s.getIndexReader().leaves().size();
    } finally {
      release(s);
    }
  }

  /**
   * Releases the index, its write lock and the group commit thread (after a commit in progress
   * ends). Does not commit: changes since the last commit are discarded. Searches in flight finish
   * on their view. Idempotent.
   *
   * @throws UncheckedIOException if closing the index fails (it is released all the same)
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
    }
    if (groupCommit != null) {
      groupCommit.close();
    }
    writeLock.lock();
    try {
      index.close();
    } catch (IOException e) {
      throw Failures.io(path, "closing", e);
    } finally {
      writeLock.unlock();
    }
  }

  @Override
  public String toString() {
    return "LuceneGallery(" + path + ", " + space.dimension() + " floats, " + space.distance().name()
        + (writer == null ? ", read-only" : "") + (closed ? ", closed" : "") + ")";
  }

  private IndexSearcher acquireFresh() {
    long wanted = changes.get();
    if (searcherChanges < wanted) {
      synchronized (refreshLock) {
        if (searcherChanges < wanted) {
          long target = changes.get();
          try {
            searchers.maybeRefreshBlocking();
          } catch (IOException | AlreadyClosedException e) {
            throw failure("refreshing the searcher", e);
          }
          searcherChanges = target;
        }
      }
    }
    try {
      return searchers.acquire();
    } catch (IOException | AlreadyClosedException e) {
      throw failure("searching", e);
    }
  }

  private void release(IndexSearcher s) {
    try {
      searchers.release(s);
    } catch (IOException e) {
      throw Failures.io(path, "releasing a searcher", e);
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("the gallery at " + path + " is closed");
    }
  }

  private void ensureWritable() {
    ensureOpen();
    if (writer == null) {
      throw new IllegalStateException("the gallery at " + path + " was opened read-only");
    }
  }

  /** The library's exception for a Lucene failure while doing {@code what}. */
  private RuntimeException failure(String what, Exception e) {
    return Failures.during(path, what, e, closed, writer);
  }

  private L decode(String text) {
    try {
      return codec.decode(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "the gallery at " + path + " holds the label text '" + text + "', which this gallery's LabelCodec cannot"
              + " decode (was the gallery written with another codec?): " + e.getMessage(),
          e);
    }
  }
}
