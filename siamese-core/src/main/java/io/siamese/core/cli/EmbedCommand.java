package io.siamese.core.cli;

import io.siamese.core.SavedModelEmbedder;
import io.siamese.data.ExampleShape;
import io.siamese.data.Images;
import java.awt.image.BufferedImage;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * The batch-embedding entry point: embeds a list of image files with an exported encoder and writes
 * one TSV line per file: the path, a tab, the embedding's floats separated by commas.
 *
 * <pre>
 * embed --model export/omniglot --out embeddings.tsv [--ink dark|light] [--batch N] FILE... | @LIST
 * </pre>
 *
 * <p>{@code @LIST} reads file paths from {@code LIST}, one per line. Images are read with ImageIO
 * (PNG, JPEG, BMP, GIF), made grayscale, inverted when the ink is dark on a light page (the default,
 * as in Omniglot; the encoder expects ink = 1) and resized by area averaging to the encoder's input.
 * The output appears only when every file has been embedded: it is written beside the target and
 * renamed into place, so a failure never leaves a half-written file.
 */
public final class EmbedCommand {
  private EmbedCommand() {}

  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      System.err.println("embed: " + e.getMessage());
      System.exit(2);
    }
  }

  /**
   * Runs the command with {@code args} as {@link #main} would, writing its summary to {@code out}.
   *
   * @return the number of files embedded
   * @throws IllegalArgumentException naming the bad argument or file
   * @throws java.io.UncheckedIOException with the cause if a file cannot be read or written
   */
  public static int run(String[] args, PrintStream out) {
    Path model = null;
    Path output = null;
    boolean darkInk = true;
    int batch = 64;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--model" -> model = Path.of(value(args, ++i, a));
        case "--out" -> output = Path.of(value(args, ++i, a));
        case "--ink" -> {
          String ink = value(args, ++i, a);
          if (!ink.equals("dark") && !ink.equals("light")) {
            throw new IllegalArgumentException("--ink must be dark or light, got " + ink);
          }
          darkInk = ink.equals("dark");
        }
        case "--batch" -> {
          String v = value(args, ++i, a);
          try {
            batch = Integer.parseInt(v);
          } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--batch must be an integer, got " + v, e);
          }
        }
        default -> {
          if (a.startsWith("--")) {
            throw new IllegalArgumentException("unknown option " + a + "; usage: --model DIR --out FILE [--ink dark|light] [--batch N] FILE... | @LIST");
          }
          files.addAll(a.startsWith("@") ? readList(Path.of(a.substring(1))) : List.of(Path.of(a)));
        }
      }
    }
    if (model == null || output == null) {
      throw new IllegalArgumentException("--model and --out are required");
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no image files given");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    try (SavedModelEmbedder embedder = SavedModelEmbedder.open(model)) {
      ExampleShape shape = embedder.inputShape();
      if (!shape.isImage() || shape.channels() != 1) {
        throw new IllegalArgumentException(model + " expects " + shape + "; embed reads grayscale images into h x w x 1 inputs");
      }
      Path tmp = output.toAbsolutePath().resolveSibling(output.getFileName() + ".part");
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (int from = 0; from < files.size(); from += batch) {
          List<Path> chunk = files.subList(from, Math.min(files.size(), from + batch));
          float[][] examples = new float[chunk.size()][];
          for (int i = 0; i < chunk.size(); i++) {
            examples[i] = readImage(chunk.get(i), shape, darkInk);
          }
          float[][] embeddings = embedder.embed(examples);
          for (int i = 0; i < chunk.size(); i++) {
            w.write(chunk.get(i).toString());
            w.write('\t');
            StringBuilder line = new StringBuilder();
            for (int k = 0; k < embeddings[i].length; k++) {
              if (k > 0) {
                line.append(',');
              }
              line.append(embeddings[i][k]);
            }
            w.write(line.toString());
            w.write('\n');
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException("could not write " + output + ": " + e.getMessage(), e);
      } catch (RuntimeException e) {
        deleteQuietly(tmp);
        throw e;
      }
      try {
        Files.move(tmp, output, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        throw new UncheckedIOException("could not write " + output + ": " + e.getMessage(), e);
      }
    }
    out.printf(Locale.ROOT, "embedded %d files into %s%n", files.size(), output);
    return files.size();
  }

  /** Reads one image as the encoder's input: grayscale, ink = 1, resized by area averaging. */
  static float[] readImage(Path file, ExampleShape shape, boolean darkInk) {
    BufferedImage image;
    try {
      image = ImageIO.read(file.toFile());
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read image " + file + ": " + e.getMessage(), e);
    }
    if (image == null) {
      throw new IllegalArgumentException("cannot read image " + file + ": not an image format ImageIO knows");
    }
    float[] gray = Images.grayscale(image);
    if (darkInk) {
      Images.invert(gray, 0, gray.length);
    }
    return Images.resizeArea(gray, image.getHeight(), image.getWidth(), shape.height(), shape.width());
  }

  private static List<Path> readList(Path list) {
    try {
      List<Path> paths = new ArrayList<>();
      for (String line : Files.readAllLines(list, StandardCharsets.UTF_8)) {
        if (!line.isBlank()) {
          paths.add(Path.of(line.trim()));
        }
      }
      return paths;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the file list " + list + ": " + e.getMessage(), e);
    }
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new IllegalArgumentException(option + " needs a value");
    }
    return args[i];
  }

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // Best effort: the failure being reported matters more than a leftover .part file.
    }
  }
}
