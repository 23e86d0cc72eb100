package io.siamese.lucene;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.IndexFormatTooNewException;
import org.apache.lucene.index.IndexFormatTooOldException;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.LockObtainFailedException;

/** Turns Lucene's exceptions into the library's: clear messages that name the gallery's directory. */
final class Failures {
  private Failures() {}

  /** Whether {@code e} says the index files are damaged, rather than that I/O failed. */
  static boolean isDamage(IOException e) {
    return e instanceof CorruptIndexException
        || e instanceof EOFException
        || e instanceof NoSuchFileException
        || e instanceof FileNotFoundException;
  }

  /**
   * The exception for {@code e}, hit while opening the gallery at {@code dir}: damaged, foreign or
   * too new files are the caller's bad input ({@link IllegalArgumentException}); a held write lock
   * is a second writer ({@link IllegalStateException}); anything else is I/O ({@link
   * UncheckedIOException}).
   */
  static RuntimeException opening(Path dir, IOException e) {
    if (e instanceof LockObtainFailedException) {
      return new IllegalStateException(
          "the gallery at " + dir + " is already open for writing, in this or another process (" + e.getMessage()
              + "): a directory has one writer at a time; close the other one, or open this one readOnly()",
          e);
    }
    if (e instanceof IndexFormatTooNewException) {
      return new IllegalArgumentException(
          "the gallery at " + dir + " was written by a newer Lucene than this one, or its files are damaged ("
              + e.getMessage() + ")",
          e);
    }
    if (e instanceof IndexFormatTooOldException) {
      return new IllegalArgumentException(
          "the gallery at " + dir + " was written by a Lucene too old for this one to read, or its files are damaged ("
              + e.getMessage() + "); restore it from a copy, or rebuild it from its embeddings",
          e);
    }
    if (isDamage(e)) {
      return damaged(dir, e);
    }
    return new UncheckedIOException("cannot open the gallery at " + dir + ": " + e.getMessage(), e);
  }

  /** The exception for damaged index files at {@code dir}. */
  static IllegalArgumentException damaged(Path dir, IOException e) {
    return new IllegalArgumentException(
        "the gallery at " + dir + " is damaged (corrupt, truncated or missing files: " + e
            + "); restore it from a copy, or rebuild it from its embeddings",
        e);
  }

  /**
   * The exception for {@code e}, hit while doing {@code what} in an open gallery: a closed writer
   * means the gallery was closed meanwhile or the writer failed for good ({@link
   * IllegalStateException}); I/O failures are {@link UncheckedIOException}; anything else is
   * rethrown as it is.
   */
  static RuntimeException during(Path dir, String what, Exception e, boolean closed, IndexWriter writer) {
    if (e instanceof AlreadyClosedException) {
      if (closed) {
        return new IllegalStateException("the gallery at " + dir + " is closed", e);
      }
      Throwable tragedy = writer == null ? null : writer.getTragicException();
      return new IllegalStateException(
          what + " in the gallery at " + dir + " failed: its index writer "
              + (tragedy != null ? "hit an unrecoverable error (" + tragedy + ") and closed" : "is closed")
              + "; close the gallery and open it again (its last commit is intact)",
          e);
    }
    if (e instanceof IOException io) {
      return io(dir, what, io);
    }
    return (RuntimeException) e;
  }

  /** The exception for {@code e}, hit while doing {@code what} (e.g. "enrolling") in the gallery at {@code dir}. */
  static UncheckedIOException io(Path dir, String what, IOException e) {
    String damage = isDamage(e) ? " (its files are damaged: restore it from a copy, or rebuild it)" : "";
    return new UncheckedIOException(what + " in the gallery at " + dir + " failed" + damage + ": " + e, e);
  }
}
