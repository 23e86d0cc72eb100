package io.siamese.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * JavaCPP's shared native cache races when executor JVMs on one host start at once
 * (bytedeco/javacpp#608); each executor JVM gets a directory of its own unless the JVM names one.
 */
class NativeCacheTest {

  @Test
  void executorJvmsStartingTogetherEachExtractIntoTheirOwnDirectory() throws Exception {
    Path model = TestSpark.exportConv4(31);
    Path work = Files.createDirectories(TestSpark.scratch().resolve("executors-" + System.nanoTime()));
    List<Process> children = new ArrayList<>();
    List<Path> logs = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      Path dir = Files.createDirectories(work.resolve("executor-" + i));
      Path log = work.resolve("executor-" + i + ".log");
      logs.add(log);
      ProcessBuilder pb =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  "-Xmx512m",
                  NativeCacheChild.class.getName(),
                  model.toString(),
                  dir.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile());
      pb.environment().put("TF_CPP_MIN_LOG_LEVEL", "2");
      children.add(pb.start());
    }
    List<String> cacheDirs = new ArrayList<>();
    try {
      for (int i = 0; i < children.size(); i++) {
        assertTrue(children.get(i).waitFor(5, TimeUnit.MINUTES), "executor " + i + " finished");
        String out = Files.readString(logs.get(i), StandardCharsets.UTF_8);
        assertEquals(0, children.get(i).exitValue(), out);
        assertTrue(out.contains("embedding=8"), out);
        String cache = out.lines().filter(l -> l.startsWith("cachedir=")).findFirst().orElseThrow().substring("cachedir=".length());
        assertEquals(work.resolve("executor-" + i).resolve("javacpp").toRealPath().toString(), Path.of(cache).toRealPath().toString());
        try (Stream<Path> files = Files.walk(Path.of(cache))) {
          assertTrue(files.anyMatch(p -> p.getFileName().toString().startsWith("libtensorflow_cc.so")), "TensorFlow was extracted into " + cache);
        }
        cacheDirs.add(cache);
      }
      assertNotEquals(cacheDirs.get(0), cacheDirs.get(1));
    } finally {
      children.forEach(Process::destroyForcibly);
      deleteTree(work);
    }
  }

  @Test
  void aCacheDirectoryTheJvmWasGivenIsKept() {
    String before = System.getProperty(NativeLibraries.CACHE_DIR_PROPERTY);
    try {
      System.setProperty(NativeLibraries.CACHE_DIR_PROPERTY, "/opt/natives");
      assertEquals("/opt/natives", NativeLibraries.usePrivateCacheUnlessSet(Path.of("/elsewhere")));
      assertEquals("/opt/natives", System.getProperty(NativeLibraries.CACHE_DIR_PROPERTY));
      System.clearProperty(NativeLibraries.CACHE_DIR_PROPERTY);
      assertEquals(Path.of("/elsewhere").toAbsolutePath().toString(), NativeLibraries.usePrivateCacheUnlessSet(Path.of("/elsewhere")));
    } finally {
      if (before == null) {
        System.clearProperty(NativeLibraries.CACHE_DIR_PROPERTY);
      } else {
        System.setProperty(NativeLibraries.CACHE_DIR_PROPERTY, before);
      }
    }
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> walk = Files.walk(root)) {
      for (Path p : walk.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
