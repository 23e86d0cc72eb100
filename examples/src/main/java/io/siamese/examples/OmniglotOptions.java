package io.siamese.examples;

import io.siamese.core.Precision;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The command-line options of {@link OmniglotOneShot}; {@link #parse} checks them and fills in the
 * measured defaults (docs/examples.md).
 */
record OmniglotOptions(
    List<Path> data,
    double minutes,
    int steps,
    int size,
    int episodes,
    Path output,
    long seed,
    boolean rotations,
    boolean mirrors,
    boolean augment,
    String margin,
    double scale,
    String loss,
    String encoder,
    int filters,
    int[] widths,
    int embedding,
    boolean headBatchNorm,
    int batch,
    boolean cosine,
    int tta,
    boolean allAlphabets,
    int openSetTrials,
    Path model,
    List<Path> ensemble,
    Precision precision,
    double dropout) {

  static final String USAGE =
      "--data PATH, --minutes M, --steps N, --size S, --episodes N, --output DIR, --seed N,"
          + " --rotations true|false, --mirrors true|false, --augment true|false, --loss " + String.join("|", Losses.NAMES)
          + ", --margin M|soft, --scale S, --encoder conv4|resnet12|koch, --filters N, --widths A,B,C,D,"
          + " --embedding E, --head-bn true|false, --batch N, --schedule constant|cosine, --tta K,"
          + " --all-alphabets true|false, --open-set-trials N, --model DIR, --ensemble DIR,DIR, --precision fp32|mixed, --dropout R";

  static OmniglotOptions parse(String[] args) throws IOException {
    List<Path> data = new ArrayList<>();
    double minutes = 15;
    int steps = 0;
    int size = 28;
    int episodes = 400;
    Path output = Path.of("siamese-output", "omniglot");
    long seed = 1;
    boolean rotations = true;
    boolean mirrors = false;
    boolean augment = true;
    // Unset: each loss's default (batch-hard: the soft margin, measured in docs/examples.md).
    String margin = null;
    double scale = Double.NaN;
    // Measured (docs/examples.md): batch-hard triplets reach 68% 20-way against 55% for contrastive pairs.
    String loss = "batch-hard";
    String encoder = "conv4";
    // Measured (docs/examples.md): 128 filters beat 64 by 2.3 points at 20-way at equal steps.
    int filters = 128;
    int[] widths = {64, 96, 128, 256};
    int embedding = -1;
    boolean headBatchNorm = false;
    int batch = 128;
    boolean cosine = false;
    int tta = 0;
    boolean allAlphabets = false;
    int openSetTrials = 400;
    Path model = null;
    List<Path> ensemble = List.of();
    Precision precision = Precision.FP32;
    double dropout = 0;
    for (int i = 0; i < args.length; i += 2) {
      String a = args[i];
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(a + " needs a value");
      }
      String v = args[i + 1];
      switch (a) {
        case "--data" -> data.add(Path.of(v));
        case "--minutes" -> minutes = Double.parseDouble(v);
        case "--steps" -> steps = Integer.parseInt(v);
        case "--augment" -> augment = Boolean.parseBoolean(v);
        case "--margin" -> margin = v;
        case "--scale" -> scale = Double.parseDouble(v);
        case "--size" -> size = Integer.parseInt(v);
        case "--episodes" -> episodes = Integer.parseInt(v);
        case "--output" -> output = Path.of(v);
        case "--seed" -> seed = Long.parseLong(v);
        case "--rotations" -> rotations = Boolean.parseBoolean(v);
        case "--mirrors" -> mirrors = Boolean.parseBoolean(v);
        case "--loss" -> loss = Losses.checkName(v);
        case "--encoder" -> {
          if (!List.of("conv4", "resnet12", "koch").contains(v)) {
            throw new IllegalArgumentException("--encoder must be conv4, resnet12 or koch, got " + v);
          }
          encoder = v;
        }
        case "--filters" -> filters = Integer.parseInt(v);
        case "--widths" -> widths = Arrays.stream(v.split(",")).mapToInt(s -> Integer.parseInt(s.trim())).toArray();
        case "--embedding" -> embedding = Integer.parseInt(v);
        case "--head-bn" -> headBatchNorm = Boolean.parseBoolean(v);
        case "--batch" -> batch = Integer.parseInt(v);
        case "--schedule" -> {
          if (!v.equals("constant") && !v.equals("cosine")) {
            throw new IllegalArgumentException("--schedule must be constant or cosine, got " + v);
          }
          cosine = v.equals("cosine");
        }
        case "--tta" -> tta = Integer.parseInt(v);
        case "--all-alphabets" -> allAlphabets = Boolean.parseBoolean(v);
        case "--open-set-trials" -> openSetTrials = Integer.parseInt(v);
        case "--model" -> model = Path.of(v);
        case "--ensemble" -> ensemble = Arrays.stream(v.split(",")).map(x -> Path.of(x.trim())).toList();
        case "--precision" -> precision = switch (v.toLowerCase(Locale.ROOT)) {
          case "fp32" -> Precision.FP32;
          case "mixed" -> Precision.MIXED;
          default -> throw new IllegalArgumentException("--precision must be fp32 or mixed, got " + v);
        };
        case "--dropout" -> dropout = Double.parseDouble(v);
        default -> throw new IllegalArgumentException("unknown option " + a + "; known: " + USAGE);
      }
    }
    if (data.isEmpty()) {
      data.addAll(defaultData());
    }
    if (steps < 0 || minutes <= 0 || size < 8 || episodes < 1) {
      throw new IllegalArgumentException("need --steps >= 0, --minutes > 0, --size >= 8 and --episodes >= 1; got "
          + steps + ", " + minutes + ", " + size + " and " + episodes);
    }
    if (filters < 1 || widths.length != 4 || Arrays.stream(widths).anyMatch(w -> w < 1)) {
      throw new IllegalArgumentException("--filters must be >= 1 and --widths four numbers >= 1, got "
          + filters + " and " + Arrays.toString(widths));
    }
    if (embedding < -1 || embedding == 0 || batch < 2 || tta < 0 || openSetTrials < 0) {
      throw new IllegalArgumentException("need --embedding >= 1, --batch >= 2, --tta >= 0 and --open-set-trials >= 0; got "
          + embedding + ", " + batch + ", " + tta + " and " + openSetTrials);
    }
    if (!(dropout >= 0 && dropout < 1)) {
      throw new IllegalArgumentException("--dropout must be in [0, 1), got " + dropout);
    }
    if (cosine && steps == 0) {
      throw new IllegalArgumentException("--schedule cosine anneals over --steps N; give --steps too");
    }
    if (loss.equals("batch-hard") || loss.equals("semi-hard") || loss.equals("batch-all") || loss.equals("multi-similarity")) {
      if (batch % 4 != 0) {
        throw new IllegalArgumentException("--batch must be a multiple of 4 (4 drawings per character) for --loss " + loss + ", got " + batch);
      }
    }
    if (embedding == -1) {
      // Learned-class-weight losses need a linear head: Conv-4's last ReLU and max-pool leave every
      // value >= 0, and such embeddings cannot spread over the hypersphere.
      embedding = Losses.learnsClassWeights(loss) ? 128 : 0;
    }
    Losses.checkSettings(loss, margin, scale);
    return new OmniglotOptions(data, minutes, steps, size, episodes, output, seed, rotations, mirrors, augment, margin, scale,
        loss, encoder, filters, widths, embedding, headBatchNorm, batch, cosine, tta, allAlphabets, openSetTrials, model,
        ensemble, precision, dropout);
  }

  /** The zips in ../shared/data/omniglot, looked for from the working directory upwards. */
  private static List<Path> defaultData() throws IOException {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      Path omniglot = dir.resolveSibling("shared").resolve("data").resolve("omniglot");
      if (Files.isDirectory(omniglot)) {
        try (var files = Files.list(omniglot)) {
          return files.filter(f -> f.getFileName().toString().endsWith(".zip")).sorted().toList();
        }
      }
    }
    return List.of();
  }
}
