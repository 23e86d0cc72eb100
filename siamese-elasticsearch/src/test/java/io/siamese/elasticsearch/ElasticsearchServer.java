package io.siamese.elasticsearch;

import io.siamese.elasticsearch.testing.LocalElasticsearch;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts one Elasticsearch server for all of this module's tests (in the root context's store, so
 * JUnit stops it after the last test; {@link LocalElasticsearch}'s shutdown hook stops it if the
 * JVM exits first) and hands it to test methods as a {@link LocalElasticsearch} parameter. Where
 * it cannot start, every class that uses it is skipped with the reason and the server log's tail
 * (printed once too: Surefire reports a class skipped before its first test as no test run).
 */
final class ElasticsearchServer implements BeforeAllCallback, ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ElasticsearchServer.class);
  private static final Duration START_TIMEOUT = Duration.ofMinutes(3);

  /** The shared server, or why there is none. */
  private static final class Shared implements AutoCloseable {
    final LocalElasticsearch server;
    final String failure;
    final Path run;

    Shared(LocalElasticsearch server, String failure, Path run) {
      this.server = server;
      this.failure = failure;
      this.run = run;
    }

    static Shared start() {
      Path run = Path.of("target", "elasticsearch-run", "tests-" + ProcessHandle.current().pid()).toAbsolutePath();
      LocalElasticsearch.deleteTree(run);
      try {
        return new Shared(LocalElasticsearch.start(LocalElasticsearch.defaultHome(), run, START_TIMEOUT), null, run);
      } catch (LocalElasticsearch.StartException e) {
        // Said once in the build's output: a class skipped before its first test shows as 0 tests run.
        System.err.println("Elasticsearch could not start, so the Elasticsearch tests are skipped: " + e.getMessage());
        return new Shared(null, e.getMessage(), run);
      }
    }

    @Override
    public void close() {
      if (server != null) {
        server.close();
      }
      LocalElasticsearch.deleteTree(run);
    }
  }

  private static Shared shared(ExtensionContext context) {
    return context.getRoot().getStore(NAMESPACE).getOrComputeIfAbsent(Shared.class, k -> Shared.start(), Shared.class);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    Shared s = shared(context);
    Assumptions.assumeTrue(s.failure == null,
        () -> "Elasticsearch could not start, so the Elasticsearch tests are skipped: " + s.failure);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LocalElasticsearch.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Shared s = shared(context);
    Assumptions.assumeTrue(s.failure == null, () -> "Elasticsearch could not start: " + s.failure);
    return s.server;
  }
}
