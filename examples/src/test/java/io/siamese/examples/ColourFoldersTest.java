package io.siamese.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The colour example end to end at a small size: folder, loader, training, export, the embed command. */
class ColourFoldersTest {
  @TempDir Path tmp;

  @Test
  void theWholePathRunsAndTheCommandAgreesWithTheModel() throws Exception {
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    ColourFolders.Result r = ColourFolders.run(tmp, 20, 8, 60, 3, new PrintStream(log, true, StandardCharsets.UTF_8));
    assertEquals(5 * 8, r.filesEmbedded());
    assertTrue(r.largestDifference() < 1e-5, "EmbedCommand vs model: " + r.largestDifference());
    // Colour, shape and texture are learnable from a few dozen steps: well above 5-way chance.
    assertTrue(r.oneShot().accuracy() > 0.4, r.oneShot().toString());
  }
}
