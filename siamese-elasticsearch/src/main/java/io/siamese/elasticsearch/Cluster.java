package io.siamese.elasticsearch;

import co.elastic.clients.elasticsearch.ElasticsearchClient;
import co.elastic.clients.elasticsearch._types.ElasticsearchException;
import co.elastic.clients.json.SimpleJsonpMapper;
import co.elastic.clients.transport.ElasticsearchTransport;
import co.elastic.clients.transport.rest_client.RestClientTransport;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.stream.Collectors;
import org.apache.http.HttpHost;
import org.elasticsearch.client.Node;
import org.elasticsearch.client.ResponseException;
import org.elasticsearch.client.RestClient;

/**
 * The client of one gallery and the one place that turns what the client throws into {@link
 * ElasticsearchGalleryException}s that name the cluster, the index and what was being done.
 *
 * <p>The typed client reports errors two ways: statuses it expects (400, 404, ...) as {@link
 * ElasticsearchException}, others (409, 429, 5xx) as the low-level client's {@link
 * ResponseException}; both end up here with their status and Elasticsearch error type.
 */
final class Cluster implements AutoCloseable {
  private final ElasticsearchClient client;
  /** The transport this gallery made from a host URL, closed with it; null for a user's client. */
  private final ElasticsearchTransport owned;
  private final String where;

  private Cluster(ElasticsearchClient client, ElasticsearchTransport owned, String where) {
    this.client = client;
    this.owned = owned;
    this.where = where;
  }

  /** A client of its own for {@code url} (e.g. {@code http://127.0.0.1:9200}), closed by {@link #close}. */
  static Cluster connect(String url) {
    HttpHost host;
    try {
      host = HttpHost.create(url);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("'" + url + "' is not a host URL such as http://127.0.0.1:9200: " + e.getMessage(), e);
    }
    RestClient rest = RestClient.builder(host).build();
    // The simple mapper is enough: documents serialize themselves and come back as JSON values, so
    // no JSON binding library (Jackson, Yasson) is pulled in.
    RestClientTransport transport = new RestClientTransport(rest, new SimpleJsonpMapper());
    return new Cluster(new ElasticsearchClient(transport), transport, "Elasticsearch at " + host.toURI());
  }

  /** The user's client, which stays open after {@link #close}. */
  static Cluster of(ElasticsearchClient client) {
    String where = "Elasticsearch";
    if (client._transport() instanceof RestClientTransport t) {
      where = "Elasticsearch at "
          + t.restClient().getNodes().stream().map(Node::getHost).map(HttpHost::toURI).collect(Collectors.joining(", "));
    }
    return new Cluster(client, null, where);
  }

  ElasticsearchClient client() {
    return client;
  }

  /** For messages: "Elasticsearch at http://...". */
  String where() {
    return where;
  }

  /** One request to the cluster. */
  interface Request<T> {
    T run() throws IOException;
  }

  /**
   * Runs {@code request}, turning every failure into an {@link ElasticsearchGalleryException}.
   *
   * @param what what is being done, for the message: "enrolling 3 embeddings in index 'faces'"
   */
  <T> T call(String what, Request<T> request) {
    try {
      return request.run();
    } catch (ElasticsearchException e) {
      throw refused(what, e.status(), e.error().type(), e.error().reason(), e);
    } catch (ResponseException e) {
      int status = e.getResponse().getStatusLine().getStatusCode();
      String[] typeAndReason = errorOf(e);
      throw refused(what, status, typeAndReason[0], typeAndReason[1], e);
    } catch (ConnectException e) {
      throw new ElasticsearchGalleryException(
          "cannot reach " + where + " while " + what + ": " + e.getMessage() + " (is it running, and is the address right?)",
          0, null, e);
    } catch (SocketTimeoutException e) {
      throw new ElasticsearchGalleryException(
          where + " did not answer in time while " + what + ": " + e.getMessage(), 0, null, e);
    } catch (IOException e) {
      throw new ElasticsearchGalleryException("failed while " + what + " on " + where + ": " + e, 0, null, e);
    }
  }

  private ElasticsearchGalleryException refused(String what, int status, String type, String reason, Exception cause) {
    String text = where + " refused " + what + ": " + status + (type == null ? "" : " " + type) + (reason == null ? "" : ": " + reason);
    return new ElasticsearchGalleryException(text, status, type, cause);
  }

  /** The error type and reason of an Elasticsearch error body, or nulls. */
  private static String[] errorOf(ResponseException e) {
    try (InputStream in = e.getResponse().getEntity().getContent();
        JsonReader reader = Json.createReader(new StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8)))) {
      JsonObject body = reader.readObject();
      JsonValue error = body.get("error");
      if (error instanceof JsonObject o) {
        return new String[] {o.getString("type", null), o.getString("reason", null)};
      }
      return new String[] {null, error == null ? null : error.toString()};
    } catch (IOException | RuntimeException notJson) {
      return new String[] {null, e.getMessage()};
    }
  }

  @Override
  public void close() {
    if (owned != null) {
      try {
        owned.close();
      } catch (IOException e) {
        System.getLogger(Cluster.class.getName())
            .log(System.Logger.Level.WARNING, "could not close the client of " + where + ": " + e, e);
      }
    }
  }
}
