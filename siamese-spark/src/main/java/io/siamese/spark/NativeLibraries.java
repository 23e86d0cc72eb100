package io.siamese.spark;

import java.nio.file.Path;

/**
 * Where JavaCPP extracts TensorFlow's native libraries in this JVM.
 *
 * <p>TensorFlow Java 1.1.0 loads its natives through JavaCPP's {@code Loader}, which extracts them
 * (about 650 MB on linux-x86_64) into one cache directory, {@code ~/.javacpp/cache} unless the
 * system property {@value #CACHE_DIR_PROPERTY} says otherwise, and reuses them there. Several
 * executor JVMs starting at once on one host extract into that same directory, and JavaCPP's file
 * lock does not cover every path (bytedeco/javacpp#608: {@code UnsatisfiedLinkError: no
 * jnitensorflow}); a home directory shared over NFS makes it worse. A directory per executor JVM
 * removes the race for the price of one extraction per executor.
 *
 * <p>JavaCPP reads the property once, on its first load, so it must be set before the first
 * TensorFlow class is used in the JVM; later settings have no effect.
 */
final class NativeLibraries {
  static final String CACHE_DIR_PROPERTY = "org.bytedeco.javacpp.cachedir";

  private static final System.Logger LOG = System.getLogger(NativeLibraries.class.getName());

  private NativeLibraries() {}

  /**
   * Sets {@value #CACHE_DIR_PROPERTY} to {@code directory} unless the JVM was started with one.
   *
   * @return the cache directory in effect after the call, or null for JavaCPP's default
   */
  static synchronized String usePrivateCacheUnlessSet(Path directory) {
    String set = System.getProperty(CACHE_DIR_PROPERTY);
    if (set != null && !set.isBlank()) {
      return set;
    }
    String dir = directory.toAbsolutePath().toString();
    System.setProperty(CACHE_DIR_PROPERTY, dir);
    LOG.log(System.Logger.Level.INFO, "JavaCPP extracts TensorFlow''s native libraries into {0} (one directory per executor JVM)", dir);
    return dir;
  }
}
