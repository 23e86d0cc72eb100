package io.siamese.spark;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.SavedModelEmbedder;
import io.siamese.data.ImageReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.IntStream;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Embeds a Spark Dataset with an encoder exported by {@code SiameseModel.exportSavedModel}, loading
 * the model once per executor JVM.
 *
 * <pre>{@code
 * SparkEmbedder embedder = SparkEmbedder.builder(Path.of("export/glyphs")).keyColumn("id").build();
 * EmbeddingJob job = embedder.embed(spark.read().parquet("glyphs"), "pixels", "embedding");
 * job.rows().write().parquet("embeddings");
 * }</pre>
 *
 * <p><b>The model</b> is read on the driver when the embedder is built and shipped to the
 * executors in a broadcast variable, so the executors need not see the driver's disk. Each executor
 * JVM writes it to its Spark work directory and loads it once, on the first task that needs it;
 * every task of every later job in that JVM shares it ({@link ExecutorModels}).
 *
 * <p><b>Rows</b> are embedded {@link Builder#batchSize} at a time, in the order of each partition.
 * A bad row (a null, an array of the wrong length, NaN or infinity, an image that cannot be read)
 * fails the task with an {@link IllegalArgumentException} naming the row by {@link
 * Builder#keyColumn} (or by partition and position), unless {@link Builder#skipBadRows} asks for a
 * null embedding, the reason in an error column and a count instead.
 *
 * <p>Built on the driver, immutable and thread-safe; only its functions travel to the executors.
 */
public final class SparkEmbedder {
  /** Key of the embedding column's metadata that holds the model's SHA-256 digest. */
  public static final String MODEL_DIGEST_METADATA = "siamese.model.sha256";

  /**
   * Keys of the embedding column's metadata that hold the {@link EmbeddingSpace} of its embeddings
   * (dimension, distance name, digest), as galleries check it; see {@link #requireSpace}.
   */
  public static final String SPACE_DIMENSION_METADATA = "siamese.space.dimension";

  /** See {@link #SPACE_DIMENSION_METADATA}. */
  public static final String SPACE_DISTANCE_METADATA = "siamese.space.distance";

  /** See {@link #SPACE_DIMENSION_METADATA}. */
  public static final String SPACE_DIGEST_METADATA = "siamese.space.digest";

  /** Default rows per {@code embed} call: the batch at which a Conv-4 forward is cheapest per row on a CPU. */
  public static final int DEFAULT_BATCH_SIZE = 256;

  /** The hidden column that flags rows whose array holds a null element. */
  private static final String NULL_FLAG = "__siamese_array_has_null";

  /** Largest batch accepted. */
  public static final int MAX_BATCH_SIZE = 65_536;

  private final ShippedModel model;
  private final int batchSize;
  private final int threadsPerTask;
  private final String keyColumn;
  private final boolean skipBadRows;
  private final String errorColumn;
  private final boolean privateNativeCache;
  private final boolean keepInputColumn;
  private final boolean trustAllOps;
  private final ImageRowDecoder.Settings images;
  private Broadcast<ShippedModel> broadcast;
  private SparkContext broadcastContext;

  private final EmbeddingSpace space;

  private SparkEmbedder(Builder b, ShippedModel model, EmbeddingSpace space) {
    this.model = model;
    this.space = space;
    this.batchSize = b.batchSize == null ? DEFAULT_BATCH_SIZE : b.batchSize;
    this.threadsPerTask = b.threadsPerTask == null ? 0 : b.threadsPerTask;
    this.keyColumn = b.keyColumn;
    this.skipBadRows = Boolean.TRUE.equals(b.skipBadRows);
    this.errorColumn = b.errorColumn;
    this.privateNativeCache = b.privateNativeCache == null || b.privateNativeCache;
    this.keepInputColumn = b.keepInputColumn == null || b.keepInputColumn;
    this.trustAllOps = b.trustAllOps;
    this.images = new ImageRowDecoder.Settings(b.darkInk, b.imageReader == null ? null : b.imageReader.describe());
  }

  /** The space of the embeddings this embedder makes, read from the export on the driver. */
  public EmbeddingSpace embeddingSpace() {
    return space;
  }

  /**
   * Checks that the embeddings in {@code column} of {@code rows} (as written by this class, read
   * back from Parquet, say) were made in {@code space}, before they are enrolled into a gallery of
   * that space.
   *
   * @throws IllegalArgumentException naming the column and why, if they were made by another model,
   *     with another distance or size, or carry no space at all
   */
  public static void requireSpace(Dataset<Row> rows, String column, EmbeddingSpace space) {
    checkNotNull(rows, "rows");
    checkNotNull(space, "space");
    Metadata m = rows.schema().apply(checkNotNull(column, "column")).metadata();
    checkArgument(
        m.contains(SPACE_DIGEST_METADATA) && m.contains(SPACE_DISTANCE_METADATA) && m.contains(SPACE_DIMENSION_METADATA),
        "column %s carries no embedding space; embed it with SparkEmbedder", column);
    String why =
        space.incompatibility(
            (int) m.getLong(SPACE_DIMENSION_METADATA), m.getString(SPACE_DISTANCE_METADATA), m.getString(SPACE_DIGEST_METADATA));
    checkArgument(why.isEmpty(), "the embeddings of column %s cannot go into that gallery: %s", column, why);
  }

  /**
   * A builder for the SavedModel in {@code savedModelDirectory}, a directory on the driver's disk
   * as {@code SiameseModel.exportSavedModel} writes it.
   */
  public static Builder builder(Path savedModelDirectory) {
    return new Builder(savedModelDirectory);
  }

  /** Lowercase hex SHA-256 of the SavedModel's files: the key of the executor cache. */
  public String modelDigest() {
    return model.digest();
  }

  /** Rows per {@code embed} call. */
  public int batchSize() {
    return batchSize;
  }

  /**
   * Embeds the {@code array<float>} column {@code inputColumn} of {@code input}: each value is one
   * example, {@code inputShape().size()} finite floats, row-major with channels last (as {@code
   * SavedModelEmbedder.embed} takes it).
   *
   * @return the job: every input column (less {@code inputColumn} if {@link
   *     Builder#keepInputColumn} says so), then {@code outputColumn} ({@code array<float>} of the
   *     embedding size), then the error column when bad rows are skipped
   * @throws IllegalArgumentException if a column is missing or of the wrong type, or {@code
   *     outputColumn} (or the error column) already exists
   */
  public EmbeddingJob embed(Dataset<Row> input, String inputColumn, String outputColumn) {
    checkNotNull(input, "input");
    checkNotNull(inputColumn, "inputColumn");
    StructType schema = input.schema();
    int column = fieldIndex(schema, inputColumn, "input");
    DataType type = schema.fields()[column].dataType();
    checkArgument(
        type.equals(DataTypes.createArrayType(DataTypes.FloatType, true)) || type.equals(DataTypes.createArrayType(DataTypes.FloatType, false)),
        "input column %s is %s, not array<float>; cast it with col(\"%s\").cast(\"array<float>\")",
        inputColumn,
        type.simpleString(),
        inputColumn);
    int[] kept = IntStream.range(0, schema.fields().length).filter(i -> keepInputColumn || i != column).toArray();
    int key = keyColumn == null ? -1 : fieldIndex(schema, keyColumn, "key");
    boolean containsNull = ((ArrayType) type).containsNull();
    if (containsNull && keepInputColumn) {
      // Read as float[], an array's null elements would become 0 in the column carried on: read boxed.
      return run(input, new FloatArrayDecoder(column, inputColumn, -1), kept, outputColumn, key, keyColumn, Set.of());
    }
    // Read as float[] (one copy per row instead of a boxed Float per value). Spark refuses a null
    // element there without naming the row, so where the type allows nulls Spark flags the rows
    // that have one and puts NaN in its place; the decoder reports the flag first.
    Dataset<Row> source = input;
    int nullFlag = -1;
    if (containsNull) {
      Column c = functions.col(inputColumn);
      source =
          input
              .withColumn(NULL_FLAG, functions.exists(c, Column::isNull))
              .withColumn(inputColumn, functions.transform(c, x -> functions.coalesce(x, functions.lit(Float.NaN))));
      nullFlag = schema.fields().length;
    }
    Dataset<Row> primitive = source.as(PrimitiveRowEncoders.withFloatArrays(source.schema(), Set.of(column)));
    Set<Integer> primitiveOut = keepInputColumn ? Set.of(column) : Set.of();
    return run(primitive, new FloatArrayDecoder(column, inputColumn, nullFlag), kept, outputColumn, key, keyColumn, primitiveOut);
  }

  /**
   * Embeds image files read with Spark's {@code binaryFile} source ({@code
   * spark.read().format("binaryFile").load(dir)}: columns {@code path}, {@code modificationTime},
   * {@code length}, {@code content}), each read by the {@link ImageReader} the {@code embed}
   * command would use: {@link Builder#imageReader} if given (the command's {@code --reader}), else
   * the one the exporting model kept ({@code SiameseModel.setPreprocessing}), else the default for
   * the encoder's input (grayscale inverted so that dark ink becomes 1, unless {@link
   * Builder#darkInk darkInk(false)}; RGB for a colour model; area resizing). Decoding is capped (40
   * megapixels by default) and truncated or corrupt files are errors.
   *
   * @return the job: the input's columns except {@code content}, then {@code outputColumn}, then
   *     the error column when bad rows are skipped; a bad image is named by its {@code path}
   * @throws IllegalArgumentException if {@code path} (string) or {@code content} (binary) is missing
   */
  public EmbeddingJob embedImages(Dataset<Row> binaryFiles, String outputColumn) {
    checkNotNull(binaryFiles, "binaryFiles");
    StructType schema = binaryFiles.schema();
    int path = fieldIndex(schema, "path", "binaryFile");
    int content = fieldIndex(schema, "content", "binaryFile");
    checkArgument(schema.fields()[path].dataType().equals(DataTypes.StringType), "column path must be a string, is %s", schema.fields()[path].dataType().simpleString());
    checkArgument(schema.fields()[content].dataType().equals(DataTypes.BinaryType), "column content must be binary, is %s", schema.fields()[content].dataType().simpleString());
    List<Integer> keep = new ArrayList<>();
    for (int i = 0; i < schema.fields().length; i++) {
      if (i != content) {
        keep.add(i);
      }
    }
    int[] kept = keep.stream().mapToInt(Integer::intValue).toArray();
    return run(binaryFiles, new ImageRowDecoder(content, path, images), kept, outputColumn, path, "path", Set.of());
  }

  /**
   * @param primitiveKept input columns (of {@code kept}) that the rows hold as {@code float[]}, so
   *     that the output encoder writes them as such
   */
  private EmbeddingJob run(
      Dataset<Row> input, RowDecoder decoder, int[] kept, String outputColumn, int keyIndex, String keyName, Set<Integer> primitiveKept) {
    checkNotNull(outputColumn, "outputColumn");
    StructType schema = input.schema();
    Set<String> names = Set.of(schema.fieldNames());
    checkArgument(!names.contains(outputColumn), "output column %s already exists in %s", outputColumn, Arrays.toString(schema.fieldNames()));
    String errors = errorColumn == null ? outputColumn + "_error" : errorColumn;
    if (skipBadRows) {
      checkArgument(!names.contains(errors) && !errors.equals(outputColumn), "error column %s already exists", errors);
    }
    List<StructField> fields = new ArrayList<>();
    Set<Integer> primitiveOut = new HashSet<>();
    for (int i : kept) {
      if (primitiveKept.contains(i)) {
        primitiveOut.add(fields.size());
      }
      fields.add(schema.fields()[i]);
    }
    primitiveOut.add(fields.size());
    Metadata digest =
        new MetadataBuilder()
            .putString(MODEL_DIGEST_METADATA, model.digest())
            .putLong(SPACE_DIMENSION_METADATA, space.dimension())
            .putString(SPACE_DISTANCE_METADATA, space.distance().name())
            .putString(SPACE_DIGEST_METADATA, space.modelDigest())
            .build();
    fields.add(DataTypes.createStructField(outputColumn, DataTypes.createArrayType(DataTypes.FloatType, false), skipBadRows, digest));
    if (skipBadRows) {
      fields.add(DataTypes.createStructField(errors, DataTypes.StringType, true));
    }
    StructType output = DataTypes.createStructType(fields);

    SparkContext sc = input.sparkSession().sparkContext();
    PartitionEmbedder.Counters counters =
        new PartitionEmbedder.Counters(
            sc.longAccumulator("siamese rows embedded"),
            sc.longAccumulator("siamese rows skipped"),
            sc.longAccumulator("siamese model loads"),
            sc.longAccumulator("siamese model load ms"),
            sc.longAccumulator("siamese first batch ms"));
    PartitionEmbedder function =
        new PartitionEmbedder(
            model.digest(), broadcast(sc), threadsPerTask, privateNativeCache, trustAllOps, batchSize, decoder, keyIndex, keyName, kept, skipBadRows, counters);
    Dataset<Row> rows = input.mapPartitions(function, PrimitiveRowEncoders.withFloatArrays(output, primitiveOut));
    // The row encoder drops field metadata; put the digest back so that it reaches Parquet.
    rows = rows.withColumn(outputColumn, rows.col(outputColumn).as(outputColumn, digest));
    return new EmbeddingJob(rows, counters, model.digest());
  }

  private synchronized Broadcast<ShippedModel> broadcast(SparkContext sc) {
    // One broadcast per SparkContext: every embed call of this embedder ships the model once.
    if (broadcast == null || broadcastContext != sc || sc.isStopped()) {
      broadcast = JavaSparkContext.fromSparkContext(sc).broadcast(model);
      broadcastContext = sc;
    }
    return broadcast;
  }

  private static int fieldIndex(StructType schema, String name, String role) {
    for (int i = 0; i < schema.fields().length; i++) {
      if (schema.fields()[i].name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException(role + " column " + name + " is not in " + Arrays.toString(schema.fieldNames()));
  }

  /**
   * The model digest recorded in the metadata of {@code column} of {@code schema} (a Dataset read
   * back from this embedder's Parquet output), if there is one.
   */
  public static Optional<String> modelDigestOf(StructType schema, String column) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(column) && f.metadata().contains(MODEL_DIGEST_METADATA)) {
        return Optional.of(f.metadata().getString(MODEL_DIGEST_METADATA));
      }
    }
    return Optional.empty();
  }

  /** Collects settings; {@link #build()} checks them and reads the model. Not thread-safe. */
  public static final class Builder {
    private final Path directory;
    private Integer batchSize;
    private Integer threadsPerTask;
    private String keyColumn;
    private Boolean skipBadRows;
    private String errorColumn;
    private Boolean privateNativeCache;
    private Boolean keepInputColumn;
    private boolean trustAllOps;
    private Boolean darkInk;
    private ImageReader imageReader;

    private Builder(Path directory) {
      this.directory = checkNotNull(directory, "savedModelDirectory");
    }

    /** Rows per {@code embed} call, 1 to {@value SparkEmbedder#MAX_BATCH_SIZE}; default {@value SparkEmbedder#DEFAULT_BATCH_SIZE}. */
    public Builder batchSize(int rows) {
      checkState(batchSize == null, "batchSize was already set to %s", batchSize);
      checkArgument(rows >= 1 && rows <= MAX_BATCH_SIZE, "batchSize must be in [1, %s], got %s", MAX_BATCH_SIZE, rows);
      this.batchSize = rows;
      return this;
    }

    /**
     * TensorFlow threads per concurrent task: each executor's shared model gets an intra-op pool of
     * {@code threads x} its concurrent tasks ({@code spark.executor.cores / spark.task.cpus}) and
     * that many inter-op threads. 0 (the default) leaves TensorFlow's choice: one thread per core
     * of the machine, whatever the executor's share. The intra-op size takes effect only when the
     * executors run with {@code TF_OVERRIDE_GLOBAL_THREADPOOL=1} ({@code
     * spark.executorEnv.TF_OVERRIDE_GLOBAL_THREADPOOL=1}); see docs/spark.md.
     */
    public Builder threadsPerTask(int threads) {
      checkState(threadsPerTask == null, "threadsPerTask was already set to %s", threadsPerTask);
      checkArgument(threads >= 0, "threadsPerTask must be >= 0, got %s", threads);
      this.threadsPerTask = threads;
      return this;
    }

    /** The column whose value names a bad row in errors (for images the path always does). */
    public Builder keyColumn(String column) {
      checkState(keyColumn == null, "keyColumn was already set to %s", keyColumn);
      checkArgument(column != null && !column.isBlank(), "keyColumn must not be blank");
      this.keyColumn = column;
      return this;
    }

    /**
     * Gives a bad row a null embedding, the reason in an error column ({@code <output>_error}
     * unless {@link #errorColumn} names it) and a count in {@link EmbeddingJob#skippedRows()},
     * instead of failing the task.
     */
    public Builder skipBadRows() {
      checkState(skipBadRows == null, "skipBadRows was already set");
      this.skipBadRows = true;
      return this;
    }

    /** The error column's name when bad rows are skipped. */
    public Builder errorColumn(String column) {
      checkState(errorColumn == null, "errorColumn was already set to %s", errorColumn);
      checkArgument(column != null && !column.isBlank(), "errorColumn must not be blank");
      this.errorColumn = column;
      return this;
    }

    /**
     * Whether an executor JVM started without {@code -Dorg.bytedeco.javacpp.cachedir} extracts
     * TensorFlow's native libraries into a directory of its own under its Spark work directory
     * (the default, true) or into JavaCPP's shared {@code ~/.javacpp/cache} (false). Takes effect
     * only where TensorFlow is not loaded yet when the first task starts. See {@link NativeLibraries}.
     */
    public Builder privateNativeCache(boolean privateCache) {
      checkState(privateNativeCache == null, "privateNativeCache was already set to %s", privateNativeCache);
      this.privateNativeCache = privateCache;
      return this;
    }

    /**
     * Loads the SavedModel whatever ops it holds, as {@code SavedModelEmbedder.Builder.trustAllOps}:
     * by default the executors refuse a model with an op outside the allow-list of maths, network
     * and restore ops (a SavedModel's graph can read and write files or start processes). Only for
     * models you trust as you trust code.
     */
    public Builder trustAllOps() {
      checkState(!trustAllOps, "trustAllOps was already set");
      this.trustAllOps = true;
      return this;
    }

    /**
     * Whether {@link SparkEmbedder#embed} carries the input column on into its output (true, the
     * default). Dropping it here, rather than from the output, spares copying every example once
     * more into Spark's rows.
     */
    public Builder keepInputColumn(boolean keep) {
      checkState(keepInputColumn == null, "keepInputColumn was already set to %s", keepInputColumn);
      this.keepInputColumn = keep;
      return this;
    }

    /**
     * For {@link SparkEmbedder#embedImages} of a grayscale model that kept no preprocessing:
     * whether images show dark ink on a light page (true, the default, as Omniglot; they are
     * inverted, since the encoder expects ink = 1) or light ink on a dark page. The {@code embed}
     * command's {@code --ink dark|light}; like it, refused on the executors when it contradicts the
     * model's own preprocessing. Excludes {@link #imageReader}.
     */
    public Builder darkInk(boolean dark) {
      checkState(darkInk == null, "darkInk was already set to %s", darkInk);
      this.darkInk = dark;
      return this;
    }

    /**
     * For {@link SparkEmbedder#embedImages}: the reader of each image, in place of the model's own
     * preprocessing or the default (the {@code embed} command's {@code --reader}); its shape must
     * be the model's input shape (checked on the executors, where the model is loaded). Excludes
     * {@link #darkInk}.
     */
    public Builder imageReader(ImageReader reader) {
      checkState(imageReader == null, "imageReader was already set to %s", imageReader);
      this.imageReader = checkNotNull(reader, "reader");
      return this;
    }

    /**
     * Reads the SavedModel's files and computes its digest.
     *
     * @throws IllegalArgumentException if the directory holds no SavedModel, or it is over 1 GiB
     * @throws java.io.UncheckedIOException if a file cannot be read
     */
    public SparkEmbedder build() {
      checkArgument(errorColumn == null || Boolean.TRUE.equals(skipBadRows), "errorColumn %s is set but bad rows are not skipped; call skipBadRows()", errorColumn);
      checkArgument(darkInk == null || imageReader == null, "darkInk and imageReader are both set; give the reader invert(%s) instead", darkInk);
      return new SparkEmbedder(this, ShippedModel.read(directory), SavedModelEmbedder.embeddingSpace(directory));
    }
  }
}
