package io.siamese.data;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Shared assertions for this package's tests. */
final class Assertions2 {
  private Assertions2() {}

  /** Asserts that {@code call} throws {@code type} with a message containing every fragment. */
  static <T extends Throwable> T assertThrowsWithMessage(
      Class<T> type, Executable call, String... fragments) {
    T thrown = assertThrows(type, call);
    String message = String.valueOf(thrown.getMessage());
    for (String fragment : fragments) {
      assertTrue(
          message.contains(fragment),
          () -> "message \"" + message + "\" lacks \"" + fragment + "\"");
    }
    return thrown;
  }
}
