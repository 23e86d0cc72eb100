package io.siamese.lucene;

import io.siamese.core.gallery.Neighbor;
import io.siamese.losses.Distance;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.NumericDocValues;
import org.apache.lucene.index.PostingsEnum;
import org.apache.lucene.index.ReaderUtil;
import org.apache.lucene.index.SortedDocValues;
import org.apache.lucene.index.Terms;
import org.apache.lucene.index.TermsEnum;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.util.Bits;
import org.apache.lucene.util.BytesRef;

/**
 * The searches of a gallery over one point-in-time {@link IndexSearcher}: HNSW candidates
 * re-ranked exactly, and the list of labels.
 */
final class Search {
  private Search() {}

  /**
   * The {@code k} nearest of {@code candidates} (at least {@code k}) HNSW candidates, by {@code
   * distance.between} on their stored vectors, ties to the smaller id.
   */
  static <L> List<Neighbor<L>> nearest(
      IndexSearcher searcher, float[] query, int k, int candidates, Distance distance, Function<String, L> decode)
      throws IOException {
    int wanted = Math.max(k, candidates);
    ScoreDoc[] hits = searcher.search(new KnnFloatVectorQuery(Schema.VECTOR, query, wanted), wanted).scoreDocs;
    int n = hits.length;
    if (n == 0) {
      return List.of();
    }
    // Doc order, so that each segment's vectors and ids are read front to back.
    int[] docs = new int[n];
    for (int i = 0; i < n; i++) {
      docs[i] = hits[i].doc;
    }
    Arrays.sort(docs);
    List<LeafReaderContext> leaves = searcher.getIndexReader().leaves();
    double[] distances = new double[n];
    long[] ids = new long[n];
    LeafReaderContext leaf = null;
    FloatVectorValues vectors = null;
    NumericDocValues idValues = null;
    int leafEnd = 0;
    for (int i = 0; i < n; i++) {
      int doc = docs[i];
      if (leaf == null || doc >= leafEnd) {
        leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
        leafEnd = leaf.docBase + leaf.reader().maxDoc();
        vectors = leaf.reader().getFloatVectorValues(Schema.VECTOR);
        idValues = leaf.reader().getNumericDocValues(Schema.ID);
        if (vectors == null || idValues == null) {
          throw new CorruptIndexException("a segment with hits has no vectors or no ids", leaf.reader().toString());
        }
      }
      int local = doc - leaf.docBase;
      if (vectors.advance(local) != local || !idValues.advanceExact(local)) {
        throw new CorruptIndexException("document " + local + " has no vector or no id", leaf.reader().toString());
      }
      ids[i] = idValues.longValue();
      try {
        distances[i] = distance.between(query, vectors.vectorValue());
      } catch (IllegalArgumentException e) {
        throw new CorruptIndexException("the stored vector of id " + ids[i] + " is unusable: " + e.getMessage(), leaf.reader().toString(), e);
      }
    }
    Integer[] order = new Integer[n];
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, b) -> {
      int c = Double.compare(distances[a], distances[b]);
      return c != 0 ? c : Long.compare(ids[a], ids[b]);
    });
    int m = Math.min(k, n);
    // Labels of the answers only, again in doc order.
    Integer[] chosen = Arrays.copyOf(order, m);
    Arrays.sort(chosen);
    String[] texts = new String[n];
    leaf = null;
    SortedDocValues labels = null;
    for (int i : chosen) {
      int doc = docs[i];
      if (leaf == null || doc >= leafEnd) {
        leaf = leaves.get(ReaderUtil.subIndex(doc, leaves));
        leafEnd = leaf.docBase + leaf.reader().maxDoc();
        labels = leaf.reader().getSortedDocValues(Schema.LABEL);
        if (labels == null) {
          throw new CorruptIndexException("a segment with hits has no labels", leaf.reader().toString());
        }
      }
      int local = doc - leaf.docBase;
      if (!labels.advanceExact(local)) {
        throw new CorruptIndexException("document " + local + " has no label", leaf.reader().toString());
      }
      texts[i] = labels.lookupOrd(labels.ordValue()).utf8ToString();
    }
    List<Neighbor<L>> out = new ArrayList<>(m);
    for (int j = 0; j < m; j++) {
      int i = order[j];
      out.add(new Neighbor<>(decode.apply(texts[i]), ids[i], distances[i]));
    }
    return Collections.unmodifiableList(out);
  }

  /** The distinct labels of live documents, in term order per segment. */
  static <L> Set<L> labels(IndexSearcher searcher, Function<String, L> decode) throws IOException {
    Set<String> seen = new LinkedHashSet<>();
    for (LeafReaderContext leaf : searcher.getIndexReader().leaves()) {
      Terms terms = leaf.reader().terms(Schema.LABEL);
      if (terms == null) {
        continue;
      }
      Bits live = leaf.reader().getLiveDocs();
      TermsEnum te = terms.iterator();
      PostingsEnum postings = null;
      for (BytesRef term = te.next(); term != null; term = te.next()) {
        String text = term.utf8ToString();
        if (seen.contains(text)) {
          continue;
        }
        postings = te.postings(postings, PostingsEnum.NONE);
        for (int d = postings.nextDoc(); d != DocIdSetIterator.NO_MORE_DOCS; d = postings.nextDoc()) {
          if (live == null || live.get(d)) {
            seen.add(text);
            break;
          }
        }
      }
    }
    Set<L> out = new LinkedHashSet<>();
    for (String text : seen) {
      out.add(decode.apply(text));
    }
    return Collections.unmodifiableSet(out);
  }
}
