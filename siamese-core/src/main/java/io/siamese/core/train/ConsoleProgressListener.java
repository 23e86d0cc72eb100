package io.siamese.core.train;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Shows training progress as a person expects from Keras: per epoch a progress bar with the
 * running loss, the learning rate of the last step, the rate in pairs per second and the time
 * left, then a summary line with the validation metrics.
 *
 * <pre>
 * Epoch 2/5 [==============&gt;         ] 120/200  loss 0.1423  lr 1.0e-03  1180 pairs/s  ETA 0:07
 * Epoch 2/5 done in 0:17  loss 0.1398  val ROC AUC 0.9412  val accuracy 0.8750
 * </pre>
 *
 * <p>On a terminal the bar redraws in place; in a log file (no console) it writes a line every
 * tenth of an epoch instead, so logs stay readable. Writes only to the stream it is given.
 */
public final class ConsoleProgressListener implements TrainingListener {
  private static final int BAR_WIDTH = 30;

  private final PrintStream out;
  private final boolean redraw;
  /** Training time, from {@link BatchResult#elapsedNanos()}, when the current epoch began. */
  private long epochStartNanos;
  private long lastElapsedNanos;
  private double runningLoss;
  private int runningCount;
  private int lastPrintedTenth = -1;

  /** A listener writing to {@code out}; redraws in place when a console is attached. */
  public ConsoleProgressListener(PrintStream out) {
    this(out, System.console() != null);
  }

  /**
   * A listener writing to {@code out}.
   *
   * @param redraw true to redraw one line with carriage returns, false for one line per tenth
   */
  public ConsoleProgressListener(PrintStream out, boolean redraw) {
    this.out = checkNotNull(out, "out");
    this.redraw = redraw;
  }

  @Override
  public void onTrainingStart(TrainingContext training) {
    epochStartNanos = 0;
    lastElapsedNanos = 0;
  }

  @Override
  public void onBatchEnd(BatchResult batch) {
    if (batch.step() == 1) {
      epochStartNanos = lastElapsedNanos;
      runningLoss = 0;
      runningCount = 0;
      lastPrintedTenth = -1;
    }
    lastElapsedNanos = batch.elapsedNanos();
    runningLoss += batch.loss();
    runningCount++;
    int tenth = 10 * batch.step() / batch.stepsPerEpoch();
    if (!redraw && tenth == lastPrintedTenth) {
      return;
    }
    lastPrintedTenth = tenth;
    double seconds = (batch.elapsedNanos() - epochStartNanos) / 1e9;
    double rate = batch.step() * (double) batch.pairs() / Math.max(seconds, 1e-9);
    double left = seconds / batch.step() * (batch.stepsPerEpoch() - batch.step());
    String line =
        String.format(
            Locale.ROOT,
            "Epoch %d/%d %s %d/%d  loss %.4f%s  %.0f %s/s  ETA %s",
            batch.epoch(),
            batch.epochs(),
            bar(batch.step(), batch.stepsPerEpoch()),
            batch.step(),
            batch.stepsPerEpoch(),
            runningLoss / runningCount,
            learningRate(batch.learningRate()),
            rate,
            batch.ofPairs() ? "pairs" : "examples",
            clock(left));
    if (redraw) {
      out.print("\r" + line);
    } else {
      out.println(line);
    }
    out.flush();
  }

  @Override
  public void onEpochEnd(EpochResult epoch) {
    StringBuilder line =
        new StringBuilder(
            String.format(
                Locale.ROOT,
                "Epoch %d/%d done in %s  loss %.4f",
                epoch.epoch(),
                epoch.epochs(),
                clock((epoch.elapsedNanos() - epochStartNanos) / 1e9),
                epoch.meanLoss()));
    if (epoch.skippedSteps() > 0) {
      line.append(String.format(Locale.ROOT, " (%d non-finite steps skipped)", epoch.skippedSteps()));
    }
    epoch
        .validation()
        .ifPresent(
            v ->
                line.append(
                    String.format(
                        Locale.ROOT,
                        "  val ROC AUC %.4f  val accuracy %.4f",
                        v.rocAuc(),
                        v.bestAccuracy())));
    epoch
        .oneShotValidation()
        .ifPresent(
            v ->
                line.append(
                    String.format(
                        Locale.ROOT, "  val %d-way %.2f%%", v.ways(), 100 * v.accuracy())));
    lastElapsedNanos = epoch.elapsedNanos();
    if (redraw) {
      out.print("\r\033[K");
    }
    out.println(line);
    out.flush();
  }

  /** {@code "  lr 1.0e-03"}, or nothing when the rate is unknown. */
  static String learningRate(double rate) {
    return Double.isNaN(rate) ? "" : String.format(Locale.ROOT, "  lr %.1e", rate);
  }

  static String bar(int done, int total) {
    checkArgument(total > 0 && done >= 0 && done <= total, "progress %s of %s", done, total);
    int filled = (int) ((long) BAR_WIDTH * done / total);
    StringBuilder s = new StringBuilder("[");
    for (int i = 0; i < BAR_WIDTH; i++) {
      s.append(i < filled ? '=' : (i == filled && done < total ? '>' : ' '));
    }
    return s.append(']').toString();
  }

  static String clock(double seconds) {
    long s = Math.round(Math.max(0, seconds));
    return s >= 3600
        ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
        : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
  }
}
