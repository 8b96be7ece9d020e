package studio.escluster;

import java.io.IOException;
import java.util.Arrays;
import org.apache.lucene.analysis.CharArraySet;
import org.apache.lucene.analysis.TokenFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;

/**
 * Elasticsearch's {@code unique} token filter: drops a token whose text
 * came before, in the whole stream, or with {@code only_on_same_position}
 * only at the same position.
 */
final class UniqueTokenFilter extends TokenFilter {
  private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
  private final PositionIncrementAttribute posInc = addAttribute(PositionIncrementAttribute.class);
  private final CharArraySet seen = new CharArraySet(8, false);
  private final boolean samePositionOnly;

  UniqueTokenFilter(TokenStream in, boolean samePositionOnly) {
    super(in);
    this.samePositionOnly = samePositionOnly;
  }

  @Override
  public boolean incrementToken() throws IOException {
    while (input.incrementToken()) {
      if (samePositionOnly && posInc.getPositionIncrement() > 0) {
        seen.clear();
      }
      if (!seen.contains(term.buffer(), 0, term.length())) {
        seen.add(Arrays.copyOf(term.buffer(), term.length()));
        return true;
      }
    }
    return false;
  }

  @Override
  public void reset() throws IOException {
    super.reset();
    seen.clear();
  }
}
