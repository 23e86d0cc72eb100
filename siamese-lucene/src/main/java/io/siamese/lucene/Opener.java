package io.siamese.lucene;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.internal.Checks;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.lucene.codecs.Codec;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexFileNames;
import org.apache.lucene.index.IndexReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.PointValues;
import org.apache.lucene.index.SegmentInfos;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherFactory;
import org.apache.lucene.search.SearcherManager;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.util.IOUtils;

/**
 * Opens or creates the index of a gallery: checks that the directory holds a gallery of the
 * expected space (or nothing yet), takes the write lock, and sets up near-real-time search.
 */
final class Opener {
  private static final System.Logger LOG = System.getLogger(LuceneGallery.class.getName());

  /** Names a crashed creation may leave behind, none of which holds data yet. */
  private static final Pattern LEFTOVER =
      Pattern.compile("write\\.lock|pending_segments.*|" + IndexFileNames.CODEC_FILE_PATTERN.pattern() + "|"
          + Pattern.quote(IdLease.FILE) + "(\\.tmp)?");

  private Opener() {}

  /** An open index: who owns what, closed together. */
  record Opened(Directory directory, IndexWriter writer, SearcherManager searchers, IdLease ids, long size)
      implements Closeable {
    @Override
    public void close() throws IOException {
      // The writer rolls back (it never commits on close); the directory goes last.
      IOUtils.close(searchers, writer, directory);
    }
  }

  /** Searchers without a query cache: each kNN query is new, caching it only costs. */
  private static final SearcherFactory SEARCHERS = searchers(null, null);

  /**
   * {@link #SEARCHERS}, checking each new commit a read-only gallery refreshes to when {@code
   * space} is given: a refresh onto a gallery of another space fails and keeps the old view.
   */
  private static SearcherFactory searchers(Path path, EmbeddingSpace space) {
    return new SearcherFactory() {
      @Override
      public IndexSearcher newSearcher(IndexReader reader, IndexReader previous) throws IOException {
        if (space != null && previous != null) {
          checkSpace(path, space, ((DirectoryReader) reader).getIndexCommit().getUserData());
        }
        IndexSearcher s = new IndexSearcher(reader);
        s.setQueryCache(null);
        return s;
      }
    };
  }

  static Opened forWriting(
      Path path, EmbeddingSpace space, Codec codec, double bufferMegabytes, boolean verifyChecksums) {
    if (Files.exists(path) && !Files.isDirectory(path)) {
      throw new IllegalArgumentException(path + " is a file; a gallery is a directory");
    }
    Directory dir = null;
    IndexWriter writer = null;
    SearcherManager searchers = null;
    try {
      Files.createDirectories(path);
      dir = FSDirectory.open(path);
      boolean exists = DirectoryReader.indexExists(dir);
      if (exists) {
        // Checked before taking the lock, so a foreign index is never opened for writing.
        checkSpace(path, space, SegmentInfos.readLatestCommit(dir).getUserData());
      } else {
        removeLeftovers(path, dir);
      }
      IndexWriterConfig config =
          new IndexWriterConfig()
              .setOpenMode(IndexWriterConfig.OpenMode.CREATE_OR_APPEND)
              .setCodec(codec)
              .setCommitOnClose(false)
              .setRAMBufferSizeMB(bufferMegabytes);
      writer = new IndexWriter(dir, config);
      Map<String, String> userData = new HashMap<>();
      writer.getLiveCommitData().forEach(e -> userData.put(e.getKey(), e.getValue()));
      long committedNext;
      if (DirectoryReader.indexExists(dir)) {
        committedNext = checkSpace(path, space, userData).nextId(); // again, now under the lock
      } else {
        writer.setLiveCommitData(CommitData.of(space, 0).toMap().entrySet());
        writer.commit();
        committedNext = 0;
        LOG.log(System.Logger.Level.DEBUG, "created the gallery at {0} ({1})", path, space);
      }
      searchers = new SearcherManager(writer, true, false, SEARCHERS);
      long size = verify(path, searchers, verifyChecksums);
      IdLease ids = IdLease.open(dir, path, committedNext, maxId(searchers));
      return new Opened(dir, writer, searchers, ids, size);
    } catch (IOException e) {
      closeQuietly(searchers, writer, dir);
      throw Failures.opening(path, e);
    } catch (RuntimeException | Error e) {
      closeQuietly(searchers, writer, dir);
      throw e;
    }
  }

  static Opened forReading(Path path, EmbeddingSpace space, boolean verifyChecksums) {
    if (!Files.isDirectory(path)) {
      throw new IllegalArgumentException(
          "there is no gallery at " + path + " (" + (Files.exists(path) ? "a file" : "nothing") + " is there)");
    }
    Directory dir = null;
    SearcherManager searchers = null;
    try {
      dir = FSDirectory.open(path);
      if (!DirectoryReader.indexExists(dir)) {
        throw new IllegalArgumentException(
            "there is no gallery at " + path + ": it holds no committed Lucene index");
      }
      DirectoryReader reader = DirectoryReader.open(dir);
      try {
        checkSpace(path, space, reader.getIndexCommit().getUserData());
      } catch (RuntimeException e) {
        reader.close();
        throw e;
      }
      searchers = new SearcherManager(reader, searchers(path, space));
      long size = verify(path, searchers, verifyChecksums);
      return new Opened(dir, null, searchers, null, size);
    } catch (IOException e) {
      closeQuietly(searchers, dir);
      throw Failures.opening(path, e);
    } catch (RuntimeException | Error e) {
      closeQuietly(searchers, dir);
      throw e;
    }
  }

  /** Checks that a commit is a gallery of {@code space}'s and returns what it records. */
  static CommitData checkSpace(Path path, EmbeddingSpace space, Map<String, String> userData) {
    CommitData data = CommitData.parse(userData, path);
    String why = space.incompatibility(data.space(path));
    if (!why.isEmpty()) {
      throw new IllegalArgumentException("the gallery at " + path + " cannot be opened in this space: " + why);
    }
    return data;
  }

  /**
   * Deletes what a process killed while creating a gallery left (never a commit: there is none),
   * so that the new writer does not trip over files of the same names. Refuses a directory that
   * holds anything else.
   */
  private static void removeLeftovers(Path path, Directory dir) throws IOException {
    String[] files = dir.listAll();
    for (String f : files) {
      if (!LEFTOVER.matcher(f).matches()) {
        throw new IllegalArgumentException(
            path + " is not a gallery: it holds '" + f + "' and no Lucene index; open a gallery, an empty directory"
                + " or a new path");
      }
    }
    if (files.length == 0 || (files.length == 1 && files[0].equals(IndexWriter.WRITE_LOCK_NAME))) {
      return;
    }
    try (Lock lock = dir.obtainLock(IndexWriter.WRITE_LOCK_NAME)) {
      lock.ensureValid();
      if (DirectoryReader.indexExists(dir)) {
        return; // another process created it meanwhile
      }
      for (String f : dir.listAll()) {
        if (!f.equals(IndexWriter.WRITE_LOCK_NAME)) {
          dir.deleteFile(f);
        }
      }
      LOG.log(System.Logger.Level.INFO, "removed files of an unfinished gallery creation from {0}", path);
    }
  }

  /** Checks every file's checksum when asked (reads the whole index); returns the live documents. */
  private static long verify(Path path, SearcherManager searchers, boolean verifyChecksums) throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      if (verifyChecksums) {
        for (LeafReaderContext leaf : s.getIndexReader().leaves()) {
          leaf.reader().checkIntegrity();
        }
      }
      return s.getIndexReader().numDocs();
    } finally {
      searchers.release(s);
    }
  }

  /** The largest id in the index, deleted documents included; -1 when there is none. */
  private static long maxId(SearcherManager searchers) throws IOException {
    IndexSearcher s = searchers.acquire();
    try {
      byte[] max = PointValues.getMaxPackedValue(s.getIndexReader(), Schema.ID);
      return max == null ? -1 : LongPoint.decodeDimension(max, 0);
    } finally {
      searchers.release(s);
    }
  }

  private static void closeQuietly(Closeable... resources) {
    try {
      IOUtils.close(resources);
    } catch (IOException | UncheckedIOException e) {
      LOG.log(System.Logger.Level.DEBUG, "closing after a failed open", e);
    }
  }
}
