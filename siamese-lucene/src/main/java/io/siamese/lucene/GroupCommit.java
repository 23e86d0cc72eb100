package io.siamese.lucene;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Commits a gallery in the background every interval in which it changed, on one daemon thread.
 * A failure is logged and handed to the gallery, which reports it on the next write or commit.
 */
final class GroupCommit implements AutoCloseable {
  private static final System.Logger LOG = System.getLogger(LuceneGallery.class.getName());

  private final ScheduledExecutorService executor;

  GroupCommit(Duration interval, Runnable commitIfChanged, String directory) {
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "siamese-lucene-commit " + directory);
              t.setDaemon(true);
              return t;
            });
    long nanos = interval.toNanos();
    executor.scheduleWithFixedDelay(
        () -> {
          try {
            commitIfChanged.run();
          } catch (RuntimeException | Error e) {
            // A thrown exception would cancel the schedule; the next round tries again.
            LOG.log(System.Logger.Level.WARNING, "group commit of the gallery at " + directory + " failed", e);
          }
        },
        nanos,
        nanos,
        TimeUnit.NANOSECONDS);
  }

  /**
   * Stops the schedule and waits for a commit in progress. Never interrupts it: an interrupt
   * inside Lucene's file I/O closes the channel under the writer and fails the writer for good.
   */
  @Override
  public void close() {
    executor.shutdown();
    boolean interrupted = false;
    try {
      while (true) {
        try {
          if (executor.awaitTermination(1, TimeUnit.MINUTES)) {
            break;
          }
          LOG.log(System.Logger.Level.WARNING, "still waiting for a group commit to finish");
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
