package io.siamese.lucene;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;

/**
 * Settings of a {@link LuceneGallery}; {@link #build()} opens the gallery, creating it where the
 * directory is empty or absent. Each setting may be given once. Obtain one with {@link
 * LuceneGallery#builder}.
 *
 * <p>The HNSW settings and quantisation apply to the segments written from then on: a gallery
 * reopened with other settings keeps its older segments as they are until merges rewrite them.
 *
 * @param <L> the label type
 */
public final class LuceneGalleryBuilder<L> {
  final Path directory;
  final EmbeddingSpace space;
  final LabelCodec<L> codec;
  int maxConnections = Lucene99HnswVectorsFormat.DEFAULT_MAX_CONN;
  int beamWidth = Lucene99HnswVectorsFormat.DEFAULT_BEAM_WIDTH;
  private boolean hnswSet;
  boolean int8;
  int candidates = LuceneGallery.DEFAULT_CANDIDATES;
  private boolean candidatesSet;
  Duration commitInterval;
  int commitEveryEnrolments;
  boolean readOnly;
  double bufferMegabytes = LuceneGallery.DEFAULT_BUFFER_MEGABYTES;
  private boolean bufferSet;
  boolean verifyChecksums = true;
  private boolean verifySet;

  LuceneGalleryBuilder(Path directory, EmbeddingSpace space, LabelCodec<L> codec) {
    this.directory = checkNotNull(directory, "directory").toAbsolutePath().normalize();
    this.space = checkNotNull(space, "space");
    this.codec = checkNotNull(codec, "codec");
  }

  /**
   * The HNSW graph's settings: {@code maxConnections} neighbours per node (Lucene's {@code M}, 16
   * by default; the bottom layer keeps twice as many) and {@code beamWidth} candidates examined
   * when a node is inserted (100 by default). Larger values give better recall and slower
   * indexing; see Lucene's {@code Lucene99HnswVectorsFormat}.
   */
  public LuceneGalleryBuilder<L> hnsw(int maxConnections, int beamWidth) {
    checkState(!hnswSet, "hnsw was already set to (%s, %s)", this.maxConnections, this.beamWidth);
    checkArgument(
        maxConnections >= 1 && maxConnections <= Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN,
        "maxConnections must be in [1, %s], got %s", Lucene99HnswVectorsFormat.MAXIMUM_MAX_CONN, maxConnections);
    checkArgument(
        beamWidth >= 1 && beamWidth <= Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH,
        "beamWidth must be in [1, %s], got %s", Lucene99HnswVectorsFormat.MAXIMUM_BEAM_WIDTH, beamWidth);
    this.maxConnections = maxConnections;
    this.beamWidth = beamWidth;
    this.hnswSet = true;
    return this;
  }

  /**
   * Lucene's scalar quantisation (7 bits per float, Lucene's "int8"): the graph is searched on a
   * quantised copy of each vector, a quarter of the size, that is kept beside the float32 vector
   * the re-rank reads. It makes the hot part of the index smaller (less RAM to keep it cached)
   * and the disk larger (about {@code dimension + 4} bytes more per vector).
   */
  public LuceneGalleryBuilder<L> int8Quantization() {
    checkState(!int8, "int8Quantization was already set");
    this.int8 = true;
    return this;
  }

  /**
   * How many HNSW candidates a search re-ranks exactly ({@code k'}); a search for {@code k}
   * neighbours takes {@code max(k, candidates)}. It is also the HNSW search's beam (Lucene's
   * {@code k}): more candidates give better recall and slower searches. Default {@value
   * LuceneGallery#DEFAULT_CANDIDATES}.
   */
  public LuceneGalleryBuilder<L> candidates(int candidates) {
    checkState(!candidatesSet, "candidates was already set to %s", this.candidates);
    checkArgument(candidates >= 1 && candidates <= 10_000, "candidates must be in [1, 10000], got %s", candidates);
    this.candidates = candidates;
    this.candidatesSet = true;
    return this;
  }

  /**
   * Group commit by time: a background thread commits every {@code interval} in which the gallery
   * changed, so nothing older than about {@code interval} (plus the commit's own time) is lost in
   * a crash. Off by default: durability is then at {@link LuceneGallery#commit()} only.
   */
  public LuceneGalleryBuilder<L> groupCommit(Duration interval) {
    checkState(commitInterval == null, "groupCommit was already set to %s", commitInterval);
    checkNotNull(interval, "interval");
    checkArgument(
        interval.compareTo(Duration.ofMillis(1)) >= 0 && interval.compareTo(Duration.ofDays(1)) <= 0,
        "group commit interval must be between 1 ms and 1 day, got %s", interval);
    this.commitInterval = interval;
    return this;
  }

  /**
   * Group commit by count: the enrolment call that brings the embeddings enrolled since the last
   * commit to {@code enrolments} or more commits before it returns. Combines with {@link
   * #groupCommit(Duration)}. Off by default.
   */
  public LuceneGalleryBuilder<L> groupCommitEvery(int enrolments) {
    checkState(commitEveryEnrolments == 0, "groupCommitEvery was already set to %s", commitEveryEnrolments);
    checkArgument(enrolments >= 1, "group commit enrolments must be >= 1, got %s", enrolments);
    this.commitEveryEnrolments = enrolments;
    return this;
  }

  /**
   * Opens an existing gallery for searching only, without its write lock, beside a writer in this
   * or another process. It sees the last commit when opened and later commits after {@link
   * LuceneGallery#refresh()}; enrolling, removing or merging throws {@link IllegalStateException}.
   */
  public LuceneGalleryBuilder<L> readOnly() {
    checkState(!readOnly, "readOnly was already set");
    this.readOnly = true;
    return this;
  }

  /**
   * Megabytes of heap the writer fills with new documents (and their HNSW graph) before it writes
   * them out as a segment; default {@value LuceneGallery#DEFAULT_BUFFER_MEGABYTES}. An offline bulk
   * load gains from a large buffer (fewer, larger segments to merge), given the heap for it.
   */
  public LuceneGalleryBuilder<L> indexingBufferMegabytes(double megabytes) {
    checkState(!bufferSet, "indexingBufferMegabytes was already set to %s", bufferMegabytes);
    checkArgument(megabytes >= 1 && megabytes <= 2000, "indexing buffer must be in [1, 2000] MB, got %s", megabytes);
    this.bufferMegabytes = megabytes;
    this.bufferSet = true;
    return this;
  }

  /**
   * Whether opening reads the whole index once to check every file's checksum (default true), so
   * that a damaged file is refused at open instead of answering wrongly later. It also warms the
   * page cache; turn it off only where opening time matters more.
   */
  public LuceneGalleryBuilder<L> verifyChecksumsOnOpen(boolean verify) {
    checkState(!verifySet, "verifyChecksumsOnOpen was already set to %s", verifyChecksums);
    this.verifyChecksums = verify;
    this.verifySet = true;
    return this;
  }

  /**
   * Opens the gallery, creating it if the directory is absent or empty.
   *
   * @throws IllegalArgumentException if the space's distance cannot be indexed (only euclidean,
   *     squared_euclidean and cosine can), its dimension exceeds Lucene's 1024, the settings
   *     conflict, or the directory holds something else: files that are not a gallery, a gallery of
   *     another space (another size, distance or model), a newer format, or damaged files
   * @throws IllegalStateException if another writer holds the directory
   * @throws java.io.UncheckedIOException if reading or writing the directory fails
   */
  public LuceneGallery<L> build() {
    Schema.similarity(space);
    checkArgument(
        space.dimension() <= 1024, "Lucene's HNSW indexes vectors of at most 1024 floats; this space has %s",
        space.dimension());
    if (readOnly) {
      checkArgument(
          commitInterval == null && commitEveryEnrolments == 0, "group commit has no meaning for a read-only gallery");
      checkArgument(!hnswSet && !int8 && !bufferSet, "HNSW, quantisation and buffer settings have no meaning for a read-only gallery");
    }
    return new LuceneGallery<>(this);
  }
}
