package io.siamese.core.internal;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/**
 * The reason an I/O operation failed, in words: the JDK's file exceptions often say only the path
 * ({@code AccessDeniedException: /x}), which makes "could not write /x: /x" messages. Not API.
 */
public final class IoMessages {
  private IoMessages() {}

  /** For example {@code "permission denied: /data/out.tsv.part"}. */
  public static String reason(IOException e) {
    String what =
        e instanceof NoSuchFileException ? "no such file or directory"
            : e instanceof AccessDeniedException ? "permission denied"
            : e instanceof FileAlreadyExistsException ? "already exists"
            : e instanceof NotDirectoryException ? "not a directory"
            : e instanceof DirectoryNotEmptyException ? "directory not empty"
            : null;
    if (e instanceof FileSystemException f) {
      String file = f.getFile() == null ? "" : f.getFile();
      String other = f.getOtherFile() == null ? "" : " -> " + f.getOtherFile();
      String reason = f.getReason() != null ? f.getReason().toLowerCase(java.util.Locale.ROOT) : what;
      return (reason == null ? e.getClass().getSimpleName() : reason) + ": " + file + other;
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }
}
