package io.siamese.core.cli;

import io.siamese.core.SavedModelEmbedder;
import io.siamese.core.internal.IoMessages;
import io.siamese.data.ExampleShape;
import io.siamese.data.ImageReader;
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

/**
 * The batch-embedding entry point: embeds a list of image files with an exported encoder and writes
 * one TSV line per file: the path, a tab, the embedding's floats separated by commas.
 *
 * <pre>
 * embed --model EXPORT --out embeddings.tsv [--ink dark|light] [--reader DESCRIPTION] [--batch N]
 *       [--skip-bad] [--trust-all-ops] FILE... | @LIST
 * </pre>
 *
 * <p><b>Preprocessing</b> is an {@link ImageReader}, the one the loaders and an application's own
 * code use, so that training and embedding read images identically: the one the exporting model
 * kept ({@code SiameseModel.setPreprocessing}), else {@code --reader} (an {@link
 * ImageReader#describe()} line), else the default for the encoder's input: grayscale inverted so
 * that dark ink on a light page becomes ink = 1 ({@code --ink light} for light ink on dark), or
 * RGB for a colour model; area resizing; transparency composited onto white. Images larger than the
 * reader's pixel cap, truncated or corrupt are errors naming the file, or with {@code --skip-bad}
 * skipped and listed.
 *
 * <p><b>Output.</b> Paths are written with {@code \}, tab, newline and carriage return escaped as
 * {@code \\}, {@code \t}, {@code \n} and {@code \r}, so every file is exactly one line. The output
 * appears only when every file has been embedded: it is written beside the target and renamed into
 * place, and the partial file is deleted on any failure. {@code @LIST} reads paths from {@code
 * LIST}, one per line (UTF-8; a byte-order mark is ignored).
 */
public final class EmbedCommand {
  private static final String USAGE =
      "usage: --model DIR --out FILE [--ink dark|light] [--reader DESCRIPTION] [--batch N] [--skip-bad] [--trust-all-ops] FILE... | @LIST";

  private EmbedCommand() {}

  public static void main(String[] args) {
    try {
      run(args, System.out);
    } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException e) {
      System.err.println("embed: " + e.getMessage());
      System.exit(2);
    }
  }

  /** The parsed command line. */
  private record Options(Path model, Path output, Boolean darkInk, String reader, int batch, boolean skipBad, boolean trustAllOps, List<Path> files) {}

  /**
   * Runs the command with {@code args} as {@link #main} would, writing its summary to {@code out}.
   *
   * @return the number of files embedded
   * @throws IllegalArgumentException naming the bad argument or file
   * @throws UncheckedIOException with the cause if a file cannot be read or written
   */
  public static int run(String[] args, PrintStream out) {
    Options o = parse(args);
    if (Files.isDirectory(o.output())) {
      throw new IllegalArgumentException("--out " + o.output() + " is a directory; name a file");
    }
    SavedModelEmbedder.Builder open = SavedModelEmbedder.builder(o.model());
    if (o.trustAllOps()) {
      open.trustAllOps();
    }
    List<String> skipped = new ArrayList<>();
    int embedded;
    try (SavedModelEmbedder embedder = open.build()) {
      ImageReader reader = reader(embedder, o);
      embedded = write(o, embedder, reader, skipped);
    }
    out.printf(Locale.ROOT, "embedded %d files into %s%n", embedded, o.output());
    if (!skipped.isEmpty()) {
      out.printf(Locale.ROOT, "skipped %d unreadable files:%n", skipped.size());
      skipped.forEach(s -> out.println("  " + s));
    }
    return embedded;
  }

  private static Options parse(String[] args) {
    Path model = null;
    Path output = null;
    Boolean darkInk = null;
    String reader = null;
    int batch = 64;
    boolean skipBad = false;
    boolean trustAllOps = false;
    List<Path> files = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      switch (a) {
        case "--model" -> model = Path.of(value(args, ++i, a));
        case "--out" -> output = Path.of(value(args, ++i, a));
        case "--reader" -> reader = value(args, ++i, a);
        case "--skip-bad" -> skipBad = true;
        case "--trust-all-ops" -> trustAllOps = true;
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
            throw new IllegalArgumentException("unknown option " + a + "; " + USAGE);
          }
          files.addAll(a.startsWith("@") ? readList(Path.of(a.substring(1))) : List.of(Path.of(a)));
        }
      }
    }
    if (model == null || output == null) {
      throw new IllegalArgumentException("--model and --out are required; " + USAGE);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException("no image files given");
    }
    if (batch < 1) {
      throw new IllegalArgumentException("--batch must be >= 1, got " + batch);
    }
    return new Options(model, output, darkInk, reader, batch, skipBad, trustAllOps, files);
  }

  /** The model's own reader, else {@code --reader}, else the default for its input (see the class comment). */
  private static ImageReader reader(SavedModelEmbedder embedder, Options o) {
    ExampleShape shape = embedder.inputShape();
    if (!shape.isImage() || (shape.channels() != 1 && shape.channels() != 3)) {
      throw new IllegalArgumentException(o.model() + " expects " + shape + "; embed reads images into h x w x 1 (grayscale) or h x w x 3 (RGB) inputs");
    }
    ImageReader reader;
    if (o.reader() != null) {
      reader = ImageReader.parse(o.reader());
    } else if (embedder.preprocessing().isPresent()) {
      reader = embedder.preprocessing().get();
    } else {
      boolean invert = shape.channels() == 1 && (o.darkInk() == null || o.darkInk());
      return ImageReader.builder(shape).invert(invert).build();
    }
    if (!reader.shape().equals(shape)) {
      throw new IllegalArgumentException("the reader makes " + reader.shape() + " inputs, but " + o.model() + " expects " + shape);
    }
    if (o.darkInk() != null && o.darkInk() != reader.inverts()) {
      throw new IllegalArgumentException("--ink contradicts the model's preprocessing (" + reader.describe() + "); leave --ink out");
    }
    return reader;
  }

  private static int write(Options o, SavedModelEmbedder embedder, ImageReader reader, List<String> skipped) {
    Path tmp = o.output().toAbsolutePath().resolveSibling(o.output().getFileName() + ".part");
    int embedded = 0;
    try {
      try (BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        for (int from = 0; from < o.files().size(); from += o.batch()) {
          List<Path> chunk = new ArrayList<>();
          List<float[]> examples = new ArrayList<>();
          for (Path file : o.files().subList(from, Math.min(o.files().size(), from + o.batch()))) {
            try {
              examples.add(reader.read(file));
              chunk.add(file);
            } catch (IllegalArgumentException | IOException e) {
              if (!o.skipBad()) {
                throw e instanceof IOException io ? new UncheckedIOException("cannot read " + file + ": " + IoMessages.reason(io), io)
                    : (IllegalArgumentException) e;
              }
              skipped.add(file + ": " + (e instanceof IOException io ? IoMessages.reason(io) : e.getMessage()));
            }
          }
          if (chunk.isEmpty()) {
            continue;
          }
          float[][] embeddings = embedder.embed(examples.toArray(new float[0][]));
          for (int i = 0; i < chunk.size(); i++) {
            w.write(escape(chunk.get(i).toString()));
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
          embedded += chunk.size();
        }
      }
      Files.move(tmp, o.output(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return embedded;
    } catch (IOException e) {
      deleteQuietly(tmp);
      throw new UncheckedIOException("could not write " + o.output() + ": " + IoMessages.reason(e), e);
    } catch (RuntimeException | Error e) {
      deleteQuietly(tmp);
      throw e;
    }
  }

  /** A path as one TSV field: backslash, tab, newline and carriage return escaped. */
  static String escape(String path) {
    StringBuilder s = new StringBuilder(path.length());
    for (char c : path.toCharArray()) {
      switch (c) {
        case '\\' -> s.append("\\\\");
        case '\t' -> s.append("\\t");
        case '\n' -> s.append("\\n");
        case '\r' -> s.append("\\r");
        default -> s.append(c);
      }
    }
    return s.toString();
  }

  private static List<Path> readList(Path list) {
    try {
      List<Path> paths = new ArrayList<>();
      List<String> lines = Files.readAllLines(list, StandardCharsets.UTF_8);
      for (int i = 0; i < lines.size(); i++) {
        String line = lines.get(i);
        String p = i == 0 && line.startsWith("\uFEFF") ? line.substring(1) : line;
        if (!p.isBlank()) {
          paths.add(Path.of(p.strip()));
        }
      }
      return paths;
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the file list " + list + ": " + IoMessages.reason(e), e);
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
