package io.siamese.core;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.function.Executable;

/** Assertions on exception messages, shared by the tests of every package of siamese-core. */
public final class TestMessages {
  private TestMessages() {}

  /** Asserts that {@code call} throws a {@code type} whose message contains {@code fragment}. */
  public static void assertMessage(Class<? extends Throwable> type, Executable call, String fragment) {
    Throwable t = assertThrows(type, call);
    assertTrue(
        t.getMessage() != null && t.getMessage().contains(fragment),
        "expected a message containing '" + fragment + "', got: " + t.getMessage());
  }
}
