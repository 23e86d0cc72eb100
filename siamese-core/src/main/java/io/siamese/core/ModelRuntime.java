package io.siamese.core;

import io.siamese.core.encoder.EncoderSpec;
import io.siamese.core.train.OptimizerSpec;
import io.siamese.core.train.TwinBatching;
import io.siamese.losses.Distance;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The TensorFlow side of one {@link SiameseModel}: its session (with the graph it owns), its
 * variables, the trainer (none for a model loaded for inference), the version of the weights that
 * caches compare against, and the cached {@link EmbeddingSpace}.
 */
final class ModelRuntime {
  final GraphSession session;
  final VariableStore variables;
  final Set<String> inferenceVariables;
  /** Null for a model loaded for inference only. */
  final ModelTrainer trainer;
  private volatile long inferenceVersion;
  private volatile SpaceSnapshot space;

  private record SpaceSnapshot(long version, EmbeddingSpace space) {}

  private ModelRuntime(GraphSession session, VariableStore variables, Set<String> inferenceVariables, ModelTrainer trainer) {
    this.session = session;
    this.variables = variables;
    this.inferenceVariables = inferenceVariables;
    this.trainer = trainer;
  }

  /**
   * Builds the graph (the full training graph, or only the inference path) and its session, then
   * fills the variables: from {@code restore} if given (no initialiser runs), else by initialisers
   * and the loss binding's own initial values.
   */
  static ModelRuntime create(
      EncoderSpec encoder, LossBinding binding, OptimizerSpec optimizer, long seed, SessionConfig requested, TwinBatching twins,
      List<WeightsFile.Entry> restore, boolean inferenceOnly) {
    SessionConfig config = requested.forEncoder(encoder);
    ModelRuntime runtime;
    if (inferenceOnly) {
      GraphSession.Built<InferenceGraph> built =
          GraphSession.create(config, "SiameseModel", g -> new InferenceGraph(g, encoder, binding, seed), false);
      InferenceGraph graph = built.graph();
      built.session().embedding(graph.input, graph.embedding, encoder.inputShape(), encoder.embeddingSize());
      runtime = new ModelRuntime(built.session(), graph.variables, graph.inferenceVariables, null);
    } else {
      GraphSession.Built<ModelGraph> built =
          GraphSession.create(config, "SiameseModel", g -> new ModelGraph(g, encoder, binding, optimizer, seed, twins, config.precision()), restore == null);
      ModelGraph graph = built.graph();
      built.session().embedding(graph.input, graph.embedding, encoder.inputShape(), encoder.embeddingSize());
      ModelTrainer trainer = new ModelTrainer(encoder, binding, optimizer, seed, built.session(), graph);
      runtime = new ModelRuntime(built.session(), graph.variables, graph.inferenceVariables, trainer);
    }
    GraphSession session = runtime.session;
    try {
      session.use(() -> {
        if (restore != null) {
          runtime.variables.write(session.session(), restore, "the saved weights");
        } else if (!binding.initialValues().isEmpty()) {
          runtime.variables.writeSome(session.session(), binding.initialValues());
        }
        return null;
      });
    } catch (RuntimeException e) {
      session.close();
      throw e;
    }
    return runtime;
  }

  long weightsVersion() {
    return trainer == null ? inferenceVersion : trainer.weightsVersion();
  }

  void weightsChanged() {
    if (trainer == null) {
      inferenceVersion++;
    } else {
      trainer.weightsChanged();
    }
  }

  /** The model's embedding space now, its digest computed again only when the weights changed. */
  EmbeddingSpace space(EncoderSpec encoder, Distance distance) {
    long version = weightsVersion();
    SpaceSnapshot s = space;
    if (s == null || s.version() != version) {
      String digest = VariableStore.digest(encoder.toString(), variables.read(session.session()), inferenceVariables);
      s = new SpaceSnapshot(version, new EmbeddingSpace(encoder.embeddingSize(), distance, digest));
      space = s;
    }
    return s.space();
  }

  /** The types of the ops in the graph, for tests of how it is built. */
  Set<String> opTypes() {
    Set<String> types = new TreeSet<>();
    session.session().graph().operations().forEachRemaining(op -> types.add(op.type()));
    return types;
  }
}
