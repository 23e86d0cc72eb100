package io.siamese.lucene;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.store.ChecksumIndexInput;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexOutput;

/**
 * Hands out gallery ids so that none is ever handed out twice, crashes included.
 *
 * <p>The commit user data records the next id, but a process killed after handing out ids and
 * before committing would, on reopening, hand the same ids out again for other embeddings, while
 * the application may already have stored them. So before an id is handed out, a bound above it
 * (the lease) is made durable in the file {@value #FILE} beside the index: after a crash, ids
 * start at the lease. Each lease covers {@value #BLOCK} ids or one call's worth, so the file is
 * written (and synced) once per block, not per enrolment; a restart skips the rest of a block.
 *
 * <p>The file name matches none of Lucene's file patterns, so Lucene's file deleter leaves it
 * alone. Not thread-safe: the gallery calls it under its write lock.
 */
final class IdLease {
  static final String FILE = "siamese-ids";
  private static final String TEMP = FILE + ".tmp";
  private static final String CODEC = "SiameseIdLease";
  private static final int VERSION = 1;
  static final long BLOCK = 1 << 16;

  private final Directory dir;
  private final Path path;
  private long next;
  private long leased;

  private IdLease(Directory dir, Path path, long next) {
    this.dir = dir;
    this.path = path;
    this.next = next;
    this.leased = next;
  }

  /**
   * Opens the lease of a gallery whose commit says {@code committedNext} and whose index holds ids
   * up to {@code maxIdInIndex} (-1 when empty): ids start after all three bounds.
   */
  static IdLease open(Directory dir, Path path, long committedNext, long maxIdInIndex) throws IOException {
    long start = Math.max(Math.max(committedNext, maxIdInIndex + 1), read(dir, path));
    return new IdLease(dir, path, start);
  }

  /** The lease in the file, or 0 when there is none. */
  static long read(Directory dir, Path path) throws IOException {
    try (ChecksumIndexInput in = dir.openChecksumInput(FILE, IOContext.READONCE)) {
      CodecUtil.checkHeader(in, CODEC, VERSION, VERSION);
      long value = in.readLong();
      CodecUtil.checkFooter(in);
      if (value < 0) {
        throw new CorruptIndexException("negative id lease " + value, in);
      }
      return value;
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return 0;
    } catch (CorruptIndexException | java.io.EOFException e) {
      throw new IllegalArgumentException(
          "the id lease " + path.resolve(FILE) + " of the gallery is damaged (" + e.getMessage()
              + "); delete that file to fall back on the ids recorded by the last commit (ids handed"
              + " out after it, and lost in a crash, may then be handed out again)",
          e);
    }
  }

  /** The smallest id not handed out yet. */
  long next() {
    return next;
  }

  /** Hands out {@code n} consecutive ids and returns the first; the lease is durable first. */
  long take(int n) throws IOException {
    if (next + n > leased) {
      write(next + Math.max(n, BLOCK));
    }
    long first = next;
    next += n;
    return first;
  }

  private void write(long lease) throws IOException {
    try {
      dir.deleteFile(TEMP);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      // nothing left over from an earlier crash
    }
    try (IndexOutput out = dir.createOutput(TEMP, IOContext.DEFAULT)) {
      CodecUtil.writeHeader(out, CODEC, VERSION);
      out.writeLong(lease);
      CodecUtil.writeFooter(out);
    }
    dir.sync(List.of(TEMP));
    dir.rename(TEMP, FILE);
    dir.syncMetaData();
    leased = lease;
  }
}
