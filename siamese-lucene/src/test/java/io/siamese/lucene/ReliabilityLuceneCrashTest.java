package io.siamese.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.siamese.core.gallery.LabelCodec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.util.Bits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, reliability: a child JVM ({@link LuceneCrashChild}) enrols, removes and commits in a
 * loop on one gallery and is killed with SIGKILL ({@link Process#destroyForcibly()}) at 20 seeded
 * random points; a new child then reopens the same gallery and goes on. After every kill the
 * parent reopens the gallery for writing (the writer must reopen) and reads the index directly
 * with Lucene, then checks it against a replay of what the child reported:
 *
 * <ul>
 *   <li>it is exactly the state after some prefix of the child's operations: the prefix ending at
 *       the last acknowledged commit, or at the commit in flight when the child died (with group
 *       commit, at any operation from the last acknowledged commit on): every acknowledged commit
 *       is there, nothing is partial (each batch whole or absent) or duplicated;
 *   <li>every stored vector is bit-identical to the one enrolled;
 *   <li>no id the dead child handed out is handed out again by a later one.
 * </ul>
 *
 * <p>Half the kills come at a random delay after the child is ready, half a random few hundred
 * microseconds after it announced a commit, to land inside Lucene's commit; each half runs with
 * explicit commits only in one round of two and with a 15 ms group commit besides in the other. {@code -Dsiamese.crash.kills=N} changes the number of kills (default 20).
 */
class ReliabilityLuceneCrashTest {
  private static final long SEED = 15;

  @TempDir Path tmp;

  /** One data operation of a child: an enrolment ({@code n > 0}) or a label removal. */
  private record Op(long batch, int n, long firstId) {}

  @Test
  void everyAcknowledgedCommitSurvivesSigkillWholeAndIdsAreNeverReused() throws Exception {
    Path dir = tmp.resolve("gallery");
    Random random = new Random(SEED);
    int kills = Integer.getInteger("siamese.crash.kills", 20);
    Map<String, long[]> state = new TreeMap<>(); // label -> ids, as on disk
    Set<Long> handedOut = new HashSet<>();
    int commits = 0;
    int insideCommit = 0;
    int inFlightCommitSurvived = 0;
    long nextBatch = 0;
    for (int k = 0; k < kills; k++) {
      boolean group = k % 4 == 1 || k % 4 == 3;
      boolean atCommit = k % 4 == 1 || k % 4 == 2;
      Child child = Child.start(dir, 100 + k, nextBatch, group, tmp.resolve("child-" + k + ".err"));
      String point;
      try {
        child.await("READY", 1);
        if (!atCommit) {
          long delay = 50 + random.nextInt(1200);
          Thread.sleep(delay);
          point = delay + " ms after READY";
        } else {
          int n = 1 + random.nextInt(6);
          long nanos = random.nextInt(400_000);
          child.await("COMMIT", n);
          LockSupport.parkNanos(nanos);
          point = String.format(Locale.ROOT, "%.2f ms after COMMIT %d", nanos / 1e6, n);
        }
      } finally {
        child.kill();
      }

      // Replay the child's report.
      List<Op> ops = new ArrayList<>();
      int committedPrefix = 0;
      int inFlightPrefix = -1;
      int acknowledged = 0;
      for (String line : child.lines()) {
        String[] p = line.split(" ");
        switch (p[0]) {
          case "ENROL" -> ops.add(new Op(Long.parseLong(p[1]), Integer.parseInt(p[2]), -1));
          case "ENROLLED" -> {
            Op last = ops.remove(ops.size() - 1);
            long first = Long.parseLong(p[2]);
            ops.add(new Op(last.batch(), last.n(), first));
            for (long id = first; id < first + last.n(); id++) {
              assertTrue(handedOut.add(id), "id " + id + " was handed out twice");
            }
            nextBatch = Math.max(nextBatch, last.batch() + 1);
          }
          case "REMOVE" -> ops.add(new Op(Long.parseLong(p[1]), 0, -1));
          case "COMMIT" -> inFlightPrefix = ops.size();
          case "COMMITTED" -> {
            committedPrefix = inFlightPrefix;
            inFlightPrefix = -1;
            acknowledged++;
          }
          default -> { }
        }
        if (p[0].equals("ENROL")) {
          nextBatch = Math.max(nextBatch, Long.parseLong(p[1]) + 1);
        }
      }
      commits += acknowledged;
      insideCommit += inFlightPrefix >= 0 ? 1 : 0;

      // The writer reopens, and the index holds one of the allowed prefixes.
      try (LuceneGallery<String> g = LuceneGallery.builder(dir, LuceneCrashChild.SPACE, LabelCodec.strings()).build()) {
        assertTrue(g.size() >= 0);
      }
      Map<String, long[]> onDisk = read(dir);
      int low = committedPrefix;
      int high = group ? ops.size() : Math.max(committedPrefix, inFlightPrefix);
      int matched = -1;
      for (int prefix = low; prefix <= high && matched < 0; prefix++) {
        if (!group && prefix != committedPrefix && prefix != inFlightPrefix) {
          continue;
        }
        if (matches(onDisk, replay(state, ops, prefix))) {
          matched = prefix;
        }
      }
      System.out.printf(
          Locale.ROOT,
          "lucene crash: kill %d (%s) at %s after %d operations and %d acknowledged commits; on disk: the state after %d"
              + " operations (acknowledged commit at %d, in flight at %d), %d embeddings%n",
          k + 1, group ? "group commit" : "explicit commits", point, ops.size(), acknowledged, matched, committedPrefix,
          inFlightPrefix, onDisk.values().stream().mapToInt(a -> a.length).sum());
      if (matched < 0) {
        fail("kill " + (k + 1) + ": the index is no allowed state: not the last acknowledged commit (after " + committedPrefix
            + " operations)" + (group ? " or a later group commit" : " or the commit in flight") + "; on disk: " + describe(onDisk));
      }
      if (matched == inFlightPrefix && matched != committedPrefix) {
        inFlightCommitSurvived++;
      }
      state = onDisk;
    }
    System.out.printf(
        Locale.ROOT,
        "lucene crash: %d kills, %d inside a commit (%d of those kept the commit in flight), %d acknowledged commits%n",
        kills, insideCommit, inFlightCommitSurvived, commits);
    assertTrue(commits > 0, "no child ever acknowledged a commit: nothing was tested");
  }

  /** The state after the first {@code prefix} operations, from {@code base}: label -> (firstId or -1, n). */
  private static Map<String, long[]> replay(Map<String, long[]> base, List<Op> ops, int prefix) {
    Map<String, long[]> s = new TreeMap<>(base);
    for (Op op : ops.subList(0, prefix)) {
      String label = "b" + op.batch();
      if (op.n() == 0) {
        s.remove(label);
      } else {
        long[] ids = new long[op.n()];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = op.firstId() < 0 ? -1 : op.firstId() + i; // unknown ids: the child died before reporting them
        }
        s.put(label, ids);
      }
    }
    return s;
  }

  private static boolean matches(Map<String, long[]> onDisk, Map<String, long[]> expected) {
    if (!onDisk.keySet().equals(expected.keySet())) {
      return false;
    }
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      long[] want = e.getValue();
      long[] got = onDisk.get(e.getKey());
      if (want.length != got.length) {
        return false;
      }
      for (int i = 0; i < want.length; i++) {
        if (got[i] != (want[i] < 0 ? got[0] + i : want[i])) {
          return false;
        }
      }
    }
    return true;
  }

  /**
   * The committed index, read with Lucene alone: label -> its ids, ascending. Checks that each
   * stored vector is the one the child enrolled, bit for bit.
   */
  private static Map<String, long[]> read(Path dir) throws IOException {
    Map<String, List<long[]>> byLabel = new TreeMap<>(); // label -> (id, leaf, doc)
    Map<Long, float[]> vectors = new TreeMap<>();
    try (FSDirectory d = FSDirectory.open(dir);
        DirectoryReader reader = DirectoryReader.open(d)) {
      for (LeafReaderContext leaf : reader.leaves()) {
        Bits live = leaf.reader().getLiveDocs();
        NumericDocValues ids = leaf.reader().getNumericDocValues(Schema.ID);
        SortedDocValues labels = leaf.reader().getSortedDocValues(Schema.LABEL);
        FloatVectorValues vs = leaf.reader().getFloatVectorValues(Schema.VECTOR);
        for (int doc = 0; doc < leaf.reader().maxDoc(); doc++) {
          if (live != null && !live.get(doc)) {
            continue;
          }
          assertTrue(ids.advanceExact(doc) && labels.advanceExact(doc) && vs.advance(doc) == doc, "document without a field");
          long id = ids.longValue();
          String label = labels.lookupOrd(labels.ordValue()).utf8ToString();
          byLabel.computeIfAbsent(label, l -> new ArrayList<>()).add(new long[] {id});
          assertTrue(vectors.put(id, vs.vectorValue().clone()) == null, "id " + id + " is in the index twice");
        }
      }
    }
    Map<String, long[]> out = new TreeMap<>();
    for (Map.Entry<String, List<long[]>> e : byLabel.entrySet()) {
      long[] ids = e.getValue().stream().mapToLong(a -> a[0]).sorted().toArray();
      long batch = Long.parseLong(e.getKey().substring(1));
      for (int i = 0; i < ids.length; i++) {
        assertArrayEquals(LuceneCrashChild.vector(batch, i), vectors.get(ids[i]), "the vector of id " + ids[i] + " changed");
      }
      out.put(e.getKey(), ids);
    }
    return out;
  }

  private static String describe(Map<String, long[]> s) {
    StringBuilder b = new StringBuilder();
    s.forEach((label, ids) -> b.append(label).append('=').append(ids.length).append(' '));
    return b.toString();
  }

  /** A running LuceneCrashChild and the lines of its standard output. */
  private static final class Child {
    private static final String END = "\u0000end";
    private final Process process;
    private final Path stderr;
    private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
    private final List<String> lines = new ArrayList<>();
    private final Thread reader;

    private Child(Process process, Path stderr) {
      this.process = process;
      this.stderr = stderr;
      this.reader = new Thread(this::read, "lucene-child-reader");
      reader.setDaemon(true);
      reader.start();
    }

    static Child start(Path dir, long seed, long firstBatch, boolean group, Path stderr) throws IOException {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder pb =
          new ProcessBuilder(
              java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
              "-cp", System.getProperty("java.class.path"),
              LuceneCrashChild.class.getName(), dir.toString(), String.valueOf(seed), String.valueOf(firstBatch),
              String.valueOf(group));
      pb.redirectError(stderr.toFile());
      return new Child(pb.start(), stderr);
    }

    private void read() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          synchronized (lines) {
            lines.add(line);
          }
          queue.add(line);
        }
      } catch (IOException e) {
        // The stream ends when the child dies; what was read is kept.
      } finally {
        queue.add(END);
      }
    }

    /** Waits until the child has printed its {@code n}-th line equal to or starting with {@code word + " "}. */
    void await(String word, int n) throws InterruptedException, IOException {
      int seen = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (seen < n) {
        String line = queue.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        if (line == null || line.equals(END)) {
          kill();
          fail("the child " + (line == null ? "did not print " + word + " within 60 s" : "exited before " + word)
              + "; its stderr: " + Files.readString(stderr));
        }
        if (line.equals(word) || line.startsWith(word + " ")) {
          seen++;
        }
      }
    }

    /** SIGKILL, then waits for the process and for the end of its output. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertTrue(process.waitFor(30, TimeUnit.SECONDS), "the child did not die within 30 s of SIGKILL");
      reader.join(TimeUnit.SECONDS.toMillis(30));
    }

    List<String> lines() {
      synchronized (lines) {
        return List.copyOf(lines);
      }
    }
  }
}
