package studio.escluster;

import java.io.IOException;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;

/**
 * Elasticsearch's {@code lowercase} tokenizer: tokens are runs of letters
 * (as Lucene's LetterTokenizer makes them, at most 255 characters), in
 * lower case. Lucene 9 no longer has a tokenizer doing both.
 */
final class LowerCaseLetterTokenizer extends Tokenizer {
  private static final int MAX_TOKEN_LENGTH = StudioTokenizers.MAX_TOKEN_LENGTH;

  private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
  private final OffsetAttribute offsets = addAttribute(OffsetAttribute.class);
  private final char[] io = new char[4096];
  private int len; // characters in io
  private int pos; // next character of io
  private int consumed; // characters of the input before io[0]
  private int finalOffset;

  /** The next code point of the input, or -1 at its end. */
  private int next() throws IOException {
    if (pos >= len && !fill()) {
      return -1;
    }
    char c = io[pos++];
    if (Character.isHighSurrogate(c) && (pos < len || fill()) && Character.isLowSurrogate(io[pos])) {
      return Character.toCodePoint(c, io[pos++]);
    }
    return c;
  }

  private boolean fill() throws IOException {
    consumed += len;
    pos = 0;
    len = Math.max(0, input.read(io, 0, io.length));
    return len > 0;
  }

  private int offset() {
    return consumed + pos;
  }

  @Override
  public boolean incrementToken() throws IOException {
    clearAttributes();
    int start = -1;
    int end = -1;
    while (true) {
      int before = offset();
      int c = next();
      if (c < 0) {
        break;
      }
      if (Character.isLetter(c)) {
        if (start < 0) {
          start = before;
        }
        term.append(new String(Character.toChars(Character.toLowerCase(c))));
        end = offset();
        if (term.length() >= MAX_TOKEN_LENGTH) {
          break;
        }
      } else if (start >= 0) {
        break;
      }
    }
    finalOffset = correctOffset(offset());
    if (start < 0) {
      return false;
    }
    offsets.setOffset(correctOffset(start), correctOffset(end));
    return true;
  }

  @Override
  public void end() throws IOException {
    super.end();
    offsets.setOffset(finalOffset, finalOffset);
  }

  @Override
  public void reset() throws IOException {
    super.reset();
    len = 0;
    pos = 0;
    consumed = 0;
    finalOffset = 0;
  }
}
