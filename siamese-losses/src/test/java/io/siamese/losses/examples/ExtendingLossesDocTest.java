package io.siamese.losses.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * docs/extending-losses.md shows the same {@link MarginLoss} and {@link LearnedScaleSoftmaxLoss}
 * that the build compiles and tests.
 */
class ExtendingLossesDocTest {

  @Test
  void theDocumentShowsTheTestedCode() throws IOException {
    check("margin-loss", "MarginLoss.java");
  }

  @Test
  void theDocumentShowsTheTestedLearnedParameterLoss() throws IOException {
    check("learned-scale-loss", "LearnedScaleSoftmaxLoss.java");
  }

  private static void check(String marker, String file) throws IOException {
    // Surefire runs in the module directory; the document is in the repository's docs/.
    Path doc = Path.of("..", "docs", "extending-losses.md");
    Path code = Path.of("src", "test", "java", "io", "siamese", "losses", "examples", file);
    assumeTrue(Files.isRegularFile(doc) && Files.isRegularFile(code), "run from the module");
    String text = Files.readString(doc, StandardCharsets.UTF_8);
    int begin = text.indexOf("<!-- " + marker + ":begin -->");
    int end = text.indexOf("<!-- " + marker + ":end -->");
    assertTrue(begin >= 0 && end > begin, "the document lacks the " + marker + " block");
    String block = text.substring(begin, end);
    String shown = block.substring(block.indexOf("```java\n") + 8, block.lastIndexOf("```"));
    assertEquals(Files.readString(code, StandardCharsets.UTF_8), shown);
  }
}
