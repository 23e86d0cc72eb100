package io.siamese.core.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.siamese.core.evaluation.PairMetrics;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ConsoleProgressListenerTest {

  @Test
  void barFillsInProportion() {
    assertEquals("[>" + " ".repeat(29) + "]", ConsoleProgressListener.bar(0, 10));
    assertEquals("[" + "=".repeat(15) + ">" + " ".repeat(14) + "]", ConsoleProgressListener.bar(5, 10));
    assertEquals("[" + "=".repeat(30) + "]", ConsoleProgressListener.bar(10, 10));
  }

  @Test
  void clockShowsMinutesAndHours() {
    assertEquals("0:07", ConsoleProgressListener.clock(7.4));
    assertEquals("2:05", ConsoleProgressListener.clock(125));
    assertEquals("1:01:01", ConsoleProgressListener.clock(3661));
  }

  @Test
  void batchLossStepsAreCountedInExamples() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleProgressListener l =
        new ConsoleProgressListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    l.onTrainingStart(null); // the listener reads nothing from the context
    l.onBatchEnd(new BatchResult(1, 1, 1, 1, 0.5, 64, 1_000_000L, false));
    assertTrue(bytes.toString(StandardCharsets.UTF_8).contains("64000 examples/s"), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void logModeWritesAboutTenLinesPerEpochAndASummaryWithValidation() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    ConsoleProgressListener l =
        new ConsoleProgressListener(new PrintStream(bytes, true, StandardCharsets.UTF_8), false);
    l.onTrainingStart(null); // the listener reads nothing from the context
    for (int step = 1; step <= 100; step++) {
      l.onBatchEnd(new BatchResult(1, 1, step, 100, 0.5, 8, step * 1_000_000L));
    }
    PairMetrics v = PairMetrics.of(new double[] {0.1, 0.9}, new boolean[] {true, false});
    l.onEpochEnd(new EpochResult(1, 1, 0.25, Optional.of(v), 100_000_000L));
    String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
    assertEquals(11 + 1, lines.length, String.join("\n", lines));
    assertTrue(lines[lines.length - 2].contains("100/100  loss 0.5000"), lines[lines.length - 2]);
    // 8 pairs per millisecond, from the first step on.
    assertTrue(lines[0].contains(" 1/100 ") && lines[0].contains("8000 pairs/s"), lines[0]);
    assertTrue(lines[5].contains("8000 pairs/s  ETA 0:00"), lines[5]);
    assertTrue(lines[lines.length - 1].contains("loss 0.2500"), lines[lines.length - 1]);
    assertTrue(lines[lines.length - 1].contains("val ROC AUC 1.0000"), lines[lines.length - 1]);
  }
}
