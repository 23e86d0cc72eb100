package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.TrainingConfig;
import io.siamese.data.BalancedPairSampler;
import io.siamese.data.ExampleShape;
import io.siamese.data.LabeledDataset;
import io.siamese.data.PairSampler;
import io.siamese.data.SyntheticGlyphs;
import io.siamese.losses.ContrastiveLoss;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 8, load and soak: native memory and threads stay flat over many embedding calls, training
 * steps and model lifecycles in one JVM.
 *
 * <p>The process's resident set ({@code VmRSS} of {@code /proc/self/status}, Linux only; skipped
 * elsewhere) is read after a warm-up and again at the end; it may grow by at most 5% (the issue's
 * figure) plus {@value #SLACK_MB} MB. The slack covers what grows in a healthy JVM after warm-up
 * without any leak: C2 keeps compiling (code cache), glibc keeps freed native memory in its
 * per-thread arenas, and the heap's committed size moves between full collections. Measured on 2
 * cores, that noise was a few MB; a leak of one 784-float input tensor per call would add 60 MB
 * over the default 20,000 calls, and one leaked session or graph per lifecycle far more.
 *
 * <p><b>Scaled down for CI.</b> The issue asks for 100,000 embedding calls, 10,000 training steps
 * and 1,000 lifecycles; by default this runs a fifth of that (20,000 / 2,000 / 200, 110 to 120 s on
 * 2 busy cores; the full size took 430 s). The full size:
 *
 * <pre>
 * mvn -pl siamese-core -am test -Dtest=ReliabilitySoakTest -Dsurefire.failIfNoSpecifiedTests=false -Dsiamese.soak.scale=5
 * </pre>
 */
@Tag("soak")
class ReliabilitySoakTest {
  private static final ExampleShape SHAPE = ExampleShape.image(28, 28, 1);
  private static final long SLACK_MB = 16;
  private static final double SCALE = Double.parseDouble(System.getProperty("siamese.soak.scale", "1"));
  private static final int EMBED_CALLS = (int) (20_000 * SCALE);
  private static final int TRAIN_STEPS = (int) (2_000 * SCALE);
  private static final int LIFECYCLES = (int) (200 * SCALE);
  /** Training steps per fit call, so that fit's own set-up is repeated too. */
  private static final int STEPS_PER_FIT = 100;
  private static final int TRAIN_BATCH = 8;
  /** Allowed growth in live threads over the lifecycle loop (a JIT or GC helper may start late). */
  private static final int THREAD_SLACK = 2;

  private static LabeledDataset glyphs;
  private static float[][] inputs;

  @TempDir Path tmp;

  @BeforeAll
  static void data() {
    Assumptions.assumeTrue(
        Files.isReadable(Path.of("/proc/self/status")),
        "the soak test reads VmRSS from /proc/self/status, which only Linux has");
    glyphs = SyntheticGlyphs.builder().classes(10).examplesPerClass(4).imageSize(28).seed(5).build().generate();
    inputs = new float[glyphs.size()][];
    for (int i = 0; i < inputs.length; i++) {
      inputs[i] = glyphs.features(i);
    }
  }

  private static SiameseModel newModel(long seed) {
    return SiameseModel.builder()
        .encoder(EncoderSpec.conv4(SHAPE, 8))
        .loss(ContrastiveLoss.similarIsOne())
        .seed(seed)
        .build();
  }

  @Test
  void embeddingCallsAndTrainingStepsDoNotGrowResidentMemory() {
    try (SiameseModel model = newModel(1)) {
      PairSampler sampler = BalancedPairSampler.of(glyphs, 1);
      // Warm-up: a fifth of the work, in two halves around a full collection.
      embed(model, EMBED_CALLS / 10);
      train(model, sampler, TRAIN_STEPS / 10);
      Sample.take(); // see Sample.take()
      embed(model, EMBED_CALLS / 10);
      train(model, sampler, TRAIN_STEPS / 10);
      Sample before = Sample.take();
      List<Long> trajectory = new ArrayList<>();
      long start = System.nanoTime();
      for (int part = 0; part < 5; part++) {
        embed(model, EMBED_CALLS / 5);
        train(model, sampler, TRAIN_STEPS / 5);
        trajectory.add(rssKb() / 1024);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      Sample after = Sample.take();
      report(String.format(Locale.ROOT, "%,d embedding calls (batch 1) and %,d training steps (batch %d) in %.1f s",
          EMBED_CALLS, TRAIN_STEPS, TRAIN_BATCH, seconds), before, after, trajectory);
      assertWithinSlack(before, after);
    }
  }

  @Test
  void openTrainSaveLoadCloseInALoopDoesNotGrowMemoryOrThreads() {
    Path dir = tmp.resolve("model");
    int warmUp = Math.max(10, LIFECYCLES / 10);
    for (int i = 0; i < warmUp; i++) {
      lifecycle(dir, i);
      if (i == warmUp / 2) {
        Sample.take(); // see Sample.take()
      }
    }
    Sample before = Sample.take();
    List<Long> trajectory = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < LIFECYCLES; i++) {
      lifecycle(dir, warmUp + i);
      if ((i + 1) % Math.max(1, LIFECYCLES / 5) == 0) {
        trajectory.add(rssKb() / 1024);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    Sample after = Sample.take();
    report(String.format(Locale.ROOT, "%,d lifecycles (build, train a step, save, load, embed, close) in %.1f s",
        LIFECYCLES, seconds), before, after, trajectory);
    assertWithinSlack(before, after);
    assertTrue(after.javaThreads - before.javaThreads <= THREAD_SLACK,
        "live Java threads grew from " + before.javaThreads + " to " + after.javaThreads);
    assertTrue(after.osThreads - before.osThreads <= THREAD_SLACK,
        "the process's threads grew from " + before.osThreads + " to " + after.osThreads);
  }

  private static void lifecycle(Path dir, long seed) {
    try (SiameseModel model = newModel(seed)) {
      model.fit(BalancedPairSampler.of(glyphs, seed),
          TrainingConfig.builder().epochs(1).stepsPerEpoch(1).batchSize(TRAIN_BATCH).build());
      model.save(dir);
      try (SiameseModel loaded = SiameseModel.load(dir)) {
        loaded.embed(inputs[(int) (seed % inputs.length)]);
      }
    }
  }

  private static void embed(SiameseModel model, int calls) {
    for (int i = 0; i < calls; i++) {
      model.embed(inputs[i % inputs.length]);
    }
  }

  private static void train(SiameseModel model, PairSampler sampler, int steps) {
    for (int done = 0; done < steps; done += STEPS_PER_FIT) {
      model.fit(sampler, TrainingConfig.builder().epochs(1).stepsPerEpoch(Math.min(STEPS_PER_FIT, steps - done))
          .batchSize(TRAIN_BATCH).build());
    }
  }

  private static void assertWithinSlack(Sample before, Sample after) {
    long allowedKb = (long) (before.rssKb * 0.05) + SLACK_MB * 1024;
    assertTrue(after.rssKb - before.rssKb <= allowedKb, String.format(Locale.ROOT,
        "resident memory grew by %,d KB (from %,d KB to %,d KB), more than 5%% + %d MB = %,d KB",
        after.rssKb - before.rssKb, before.rssKb, after.rssKb, SLACK_MB, allowedKb));
  }

  private static void report(String what, Sample before, Sample after, List<Long> trajectory) {
    System.out.printf(Locale.ROOT,
        "soak: %s%n  RSS %,d MB -> %,d MB (%+,d KB, %+.2f%%; allowed 5%% + %d MB), sampled along the way (no collection) %s MB%n"
            + "  heap committed %,d MB -> %,d MB, Java threads %d -> %d, process threads %d -> %d%n",
        what, before.rssKb / 1024, after.rssKb / 1024, after.rssKb - before.rssKb,
        100.0 * (after.rssKb - before.rssKb) / before.rssKb, SLACK_MB, trajectory,
        before.heapCommitted >> 20, after.heapCommitted >> 20, before.javaThreads, after.javaThreads,
        before.osThreads, after.osThreads);
  }

  /**
   * Resident memory, heap and threads, read after two full collections have run the cleaners.
   *
   * <p>The first full collection of the JVM shrinks the heap (here from about 380 MB committed to
   * 20 MB) and the resident set with it; the work that follows then raises the resident set once
   * by 11 to 16 MB, which stays flat from there on, however long the work runs (measured on the
   * embedding loop at 1x and 5x). Both warm-ups therefore take one sample half-way, so that the
   * "before" figure is read after that one-off step, not before it.
   */
  private record Sample(long rssKb, long heapCommitted, int javaThreads, int osThreads) {
    static Sample take() {
      for (int i = 0; i < 2; i++) {
        System.gc();
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return new Sample(
          ReliabilitySoakTest.rssKb(),
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getCommitted(),
          ManagementFactory.getThreadMXBean().getThreadCount(),
          (int) status("Threads:"));
    }
  }

  private static long rssKb() {
    return status("VmRSS:");
  }

  /** A number from /proc/self/status, e.g. {@code VmRSS:  123456 kB}. */
  private static long status(String key) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(key)) {
          return Long.parseLong(line.substring(key.length()).trim().split("\\s+")[0]);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot read /proc/self/status", e);
    }
    throw new IllegalStateException("/proc/self/status has no " + key);
  }
}
