package io.siamese.core;

import static com.google.common.base.Preconditions.checkArgument;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.tensorflow.proto.AttrValue;
import org.tensorflow.proto.FunctionDef;
import org.tensorflow.proto.MetaGraphDef;
import org.tensorflow.proto.NodeDef;
import org.tensorflow.proto.SavedModel;
import org.tensorflow.proto.SignatureDef;
import org.tensorflow.proto.TensorInfo;

/**
 * Refuses a SavedModel that would do more than compute embeddings, before TensorFlow loads it.
 *
 * <p>A SavedModel is a program (TensorFlow's own security notes say so): its graph can read or
 * write files ({@code ReadFile}, {@code WriteFile}, {@code MatchingFiles}), run Python ({@code
 * PyFunc}), reach the network, and its "restore" op runs during the load itself. So {@code
 * saved_model.pb} is parsed here first (at most {@value #MAX_BYTES} bytes), and every op that the
 * load or the serving signature can run (what the restore op, the init op and the signature's
 * outputs reach through inputs and control inputs, functions included) must be in {@link
 * #ALLOWED}: the maths and neural-network ops an encoder uses and the ops that restore the model's
 * own variables. Anything else is refused, naming the op.
 */
final class SavedModelGuard {
  static final long MAX_BYTES = 256L << 20;

  /** Maths, neural-network and restore ops: nothing that touches files, processes or the network. */
  static final Set<String> ALLOWED =
      Set.of(
          // graph plumbing and variables
          "Placeholder", "PlaceholderWithDefault", "Const", "Identity", "IdentityN", "NoOp", "StopGradient",
          "VariableV2", "VarHandleOp", "ReadVariableOp", "Assign", "AssignVariableOp", "VarIsInitializedOp",
          "RestoreV2", "StringJoin", "ShardedFilename",
          // shapes and indexing
          "Shape", "ShapeN", "Size", "Rank", "Reshape", "Squeeze", "ExpandDims", "Transpose", "Fill", "ZerosLike",
          "OnesLike", "Pack", "Unpack", "ConcatV2", "Split", "SplitV", "Slice", "StridedSlice", "GatherV2", "Tile",
          "Pad", "PadV2", "Range", "Cast", "Select", "SelectV2", "BroadcastTo",
          // arithmetic
          "Add", "AddV2", "AddN", "Sub", "Mul", "RealDiv", "Div", "DivNoNan", "FloorDiv", "Neg", "Abs", "Square",
          "SquaredDifference", "Sqrt", "Rsqrt", "Reciprocal", "Exp", "Log", "Log1p", "Maximum", "Minimum", "Pow",
          "Sign", "Floor", "Ceil", "Round", "ClipByValue", "Mean", "Sum", "Max", "Min", "Prod", "ArgMax", "ArgMin",
          "Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual", "LogicalAnd", "LogicalOr",
          "LogicalNot", "IsFinite", "IsNan", "All", "Any",
          // neural network
          "MatMul", "BatchMatMul", "BatchMatMulV2", "BatchMatMulV3", "Conv2D", "DepthwiseConv2dNative", "BiasAdd",
          "MaxPool", "MaxPoolV2", "AvgPool", "Relu", "Relu6", "Elu", "Selu", "LeakyRelu", "Sigmoid", "Tanh",
          "Softplus", "Softsign", "Softmax", "LogSoftmax", "FusedBatchNorm", "FusedBatchNormV3", "L2Loss",
          "_FusedConv2D", "_FusedMatMul");

  private SavedModelGuard() {}

  /**
   * Checks the SavedModel in {@code directory}.
   *
   * @throws IllegalArgumentException naming the file and the op if the load or the serving
   *     signature would run an op outside {@link #ALLOWED}, or the file is not a SavedModel
   */
  static void check(Path directory, String tag, String signatureKey) {
    Path file = directory.resolve("saved_model.pb");
    SavedModel model = read(file);
    MetaGraphDef meta = meta(model, tag, file);
    Map<String, NodeDef> nodes = new HashMap<>();
    for (NodeDef n : meta.getGraphDef().getNodeList()) {
      nodes.put(n.getName(), n);
    }
    Map<String, FunctionDef> functions = new HashMap<>();
    for (FunctionDef f : meta.getGraphDef().getLibrary().getFunctionList()) {
      functions.put(f.getSignature().getName(), f);
    }
    Deque<String> roots = new ArrayDeque<>();
    if (!meta.getSaverDef().getRestoreOpName().isEmpty()) {
      roots.add(meta.getSaverDef().getRestoreOpName());
    }
    meta.getCollectionDefMap().forEach((key, c) -> {
      if (key.equals("saved_model_main_op") || key.equals("legacy_init_op")) {
        roots.addAll(c.getNodeList().getValueList());
      }
    });
    for (Map.Entry<String, SignatureDef> s : meta.getSignatureDefMap().entrySet()) {
      if (s.getKey().equals(signatureKey) || s.getKey().equals("__saved_model_init_op")) {
        for (TensorInfo t : s.getValue().getOutputsMap().values()) {
          roots.add(t.getName());
        }
      }
    }
    Set<String> refused = new TreeSet<>();
    reach(roots, nodes, functions, refused, new HashSet<>());
    checkArgument(
        refused.isEmpty(),
        "%s runs ops that an encoder has no use for: %s. A SavedModel is a program; these ops can touch files,"
            + " processes or the network. If you trust this file, open it with trustAllOps()",
        directory,
        refused);
  }

  /** The MetaGraph tagged {@code tag}. */
  private static MetaGraphDef meta(SavedModel model, String tag, Path file) {
    return model.getMetaGraphsList().stream()
            .filter(m -> m.getMetaInfoDef().getTagsList().contains(tag))
            .findFirst()
            .orElseThrow(() -> new IllegalArgumentException(file + " has no MetaGraph tagged '" + tag + "'"));
  }

  /** {@code saved_model.pb}, parsed after its size is checked. */
  private static SavedModel read(Path file) {
    SavedModel model;
    try {
      long size = Files.size(file);
      checkArgument(size <= MAX_BYTES, "%s is %s bytes, more than the %s a SavedModel of an encoder needs", file, size, MAX_BYTES);
      try (InputStream in = Files.newInputStream(file)) {
        model = SavedModel.parseFrom(in);
      }
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(file + " is not a SavedModel: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file + ": " + e, e);
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException) {
        throw e;
      }
      throw new IllegalArgumentException(file + " is not a SavedModel: " + e, e);
    }
    return model;
  }

  /**
   * Floats per embedding, from the {@code embedding} output of the {@code serving_default}
   * signature, without loading TensorFlow.
   *
   * @throws IllegalArgumentException if the signature does not say
   */
  static int embeddingSize(Path directory) {
    Path file = directory.resolve("saved_model.pb");
    MetaGraphDef meta = meta(read(file), "serve", file);
    SignatureDef signature = meta.getSignatureDefMap().get("serving_default");
    checkArgument(signature != null && signature.getOutputsMap().containsKey("embedding"),
        "%s has no serving_default signature with an 'embedding' output", file);
    var shape = signature.getOutputsMap().get("embedding").getTensorShape();
    checkArgument(shape.getDimCount() == 2 && shape.getDim(1).getSize() > 0, "%s: the embedding's shape is not [-1, E]", file);
    return (int) shape.getDim(1).getSize();
  }

  /**
   * Whether the graph has a convolution without a bias (one whose output feeds an op other than
   * {@code BiasAdd}), as the residual blocks of {@code ResNet12BlockLayer} and {@code
   * ResidualBlockLayer} have (batch norm follows them; a Conv-4 adds its bias first): the encoders
   * whose bfloat16 results TensorFlow Java 1.1.0 gets wrong (see {@link SessionConfig#forEncoder}).
   * Reads the file without loading TensorFlow.
   */
  static boolean hasConvolutionWithoutBias(Path directory, String tag) {
    Path file = directory.resolve("saved_model.pb");
    Map<String, String> opByName = new HashMap<>();
    List<NodeDef> all = meta(read(file), tag, file).getGraphDef().getNodeList();
    for (NodeDef n : all) {
      opByName.put(n.getName(), n.getOp());
    }
    for (NodeDef n : all) {
      for (String input : n.getInputList()) {
        if (!input.startsWith("^") && "Conv2D".equals(opByName.get(nodeName(input))) && !n.getOp().equals("BiasAdd")) {
          return true;
        }
      }
    }
    return false;
  }

  /** Walks back from {@code roots} through inputs and control inputs, collecting ops outside the list. */
  private static void reach(
      Deque<String> roots, Map<String, NodeDef> nodes, Map<String, FunctionDef> functions, Set<String> refused, Set<String> seenFunctions) {
    Set<String> seen = new HashSet<>();
    while (!roots.isEmpty()) {
      String name = nodeName(roots.pop());
      NodeDef n = nodes.get(name);
      if (n == null || !seen.add(name)) {
        continue;
      }
      check(n, functions, refused, seenFunctions);
      roots.addAll(n.getInputList());
    }
  }

  private static void check(NodeDef n, Map<String, FunctionDef> functions, Set<String> refused, Set<String> seenFunctions) {
    String op = n.getOp();
    if (ALLOWED.contains(op)) {
      return;
    }
    String called = null;
    if (functions.containsKey(op)) {
      called = op;
    } else if ((op.equals("PartitionedCall") || op.equals("StatefulPartitionedCall")) && n.containsAttr("f")) {
      AttrValue f = n.getAttrOrThrow("f");
      called = f.getFunc().getName();
    }
    if (called == null || !functions.containsKey(called)) {
      refused.add(op);
      return;
    }
    if (seenFunctions.add(called)) {
      for (NodeDef inner : functions.get(called).getNodeDefList()) {
        check(inner, functions, refused, seenFunctions);
      }
    }
  }

  /** {@code "^name"} and {@code "name:1"} are node {@code name}. */
  private static String nodeName(String input) {
    String s = input.startsWith("^") ? input.substring(1) : input;
    int colon = s.indexOf(':');
    return colon < 0 ? s : s.substring(0, colon);
  }
}
