package io.siamese.elasticsearch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.siamese.core.EmbeddingSpace;
import io.siamese.core.gallery.LabelCodec;
import io.siamese.elasticsearch.testing.LocalElasticsearch;
import io.siamese.losses.Distances;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What another client sees, and when: on an index without periodic refresh, so that nothing but
 * the galleries' own refreshes makes changes visible.
 */
@ExtendWith(ElasticsearchServer.class)
class VisibilityTest {
  private static final EmbeddingSpace SPACE = Fixtures.space(4, Distances.EUCLIDEAN, "visibility");

  @Test
  void ownWritesAtOnceOthersAfterARefresh(LocalElasticsearch es) {
    String index = Fixtures.index("visibility");
    float[] row = {1, 0, 0, 0};
    try (ElasticsearchGallery<String> writer =
            Fixtures.gallery(es, index, SPACE).refreshInterval(Duration.ofSeconds(-1)).build();
        ElasticsearchGallery<String> reader = ElasticsearchGallery.builder(LabelCodec.strings())
            .host(es.url()).index(index).space(SPACE).readOnly().build()) {
      writer.enrol("a", row);
      assertEquals(0, reader.size(), "another client saw an enrolment before any refresh");
      writer.commit();
      assertEquals(1, reader.size(), "another client did not see a committed enrolment");

      writer.enrol("b", row);
      assertEquals(1, reader.size());
      assertEquals(2, writer.size(), "the writer does not see its own enrolment"); // refreshes first
      assertEquals(2, reader.size(), "the writer's refresh is the index's: everyone sees it");

      writer.remove(writer.nearest(row, 1).get(0).id());
      assertEquals(2, reader.size());
      assertEquals(1, writer.nearest(row, 5).size(), "the writer still finds what it removed");
      assertEquals(1, reader.size());
    }
  }
}
