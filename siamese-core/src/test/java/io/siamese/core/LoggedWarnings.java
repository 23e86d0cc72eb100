package io.siamese.core;

import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/** The warnings a class of the library logs through {@code System.Logger} while an action runs. */
final class LoggedWarnings {
  private LoggedWarnings() {}

  /**
   * @param source the class whose logger (named after it) is listened to
   * @return the messages of {@code WARNING} and above, with their parameters filled in, in order
   */
  static List<String> during(Class<?> source, Runnable action) {
    Logger logger = Logger.getLogger(source.getName());
    List<String> warnings = new ArrayList<>();
    Handler handler =
        new Handler() {
          @Override
          public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
              warnings.add(MessageFormat.format(r.getMessage(), r.getParameters()));
            }
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    logger.addHandler(handler);
    try {
      action.run();
    } finally {
      logger.removeHandler(handler);
    }
    return warnings;
  }
}
