package studio.escluster;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import org.elasticsearch.common.regex.Regex;
import org.elasticsearch.common.settings.Settings;

/** Reading the parameters of analysis components, as Elasticsearch does. */
final class AnalysisParams {
  private AnalysisParams() {}

  /** A parameter that must be one character; {@code def} when absent. */
  static char oneChar(Settings s, String key, char def) {
    String v = s.get(key);
    if (v == null) {
      return def;
    }
    if (v.length() != 1) {
      throw new IllegalArgumentException(key + " must be a one char value");
    }
    return v.charAt(0);
  }

  /**
   * The {@code pattern} parameter, a Java regular expression, with the
   * {@code flags} parameter (e.g. "CASE_INSENSITIVE|COMMENTS"); {@code def}
   * when absent, or, when {@code def} is null, an error naming the
   * component {@code name} of the {@code kind} (e.g. "token filter").
   */
  static Pattern pattern(Settings s, String def, String name, String kind, String type) {
    String p = s.get("pattern", def);
    if (p == null) {
      throw new IllegalArgumentException("pattern is missing for [" + name + "] " + kind + " of type '" + type + "'");
    }
    return Pattern.compile(p, Regex.flagsFromString(s.get("flags")));
  }

  /**
   * Decodes the backslash escapes of mapping rules and character lists:
   * {@code \\ \n \t \r \b \f \' \" \\uXXXX}; another escaped character
   * stands for itself.
   */
  static String unescape(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\\' || i + 1 >= s.length()) {
        b.append(c);
        continue;
      }
      char e = s.charAt(++i);
      switch (e) {
        case 'n' -> b.append('\n');
        case 't' -> b.append('\t');
        case 'r' -> b.append('\r');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'u' -> {
          if (i + 4 >= s.length()) {
            throw new IllegalArgumentException("Invalid escaped char in [" + s + "]");
          }
          b.append((char) Integer.parseInt(s.substring(i + 1, i + 5), 16));
          i += 4;
        }
        default -> b.append(e);
      }
    }
    return b.toString();
  }

  /** The character classes of {@code token_chars} and {@code tokenize_on_chars}. */
  static IntPredicate charClass(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "letter":
        return Character::isLetter;
      case "digit":
        return Character::isDigit;
      case "whitespace":
        return Character::isWhitespace;
      case "punctuation":
        return c -> switch (Character.getType(c)) {
          case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
              Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION,
              Character.FINAL_QUOTE_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
          default -> false;
        };
      case "symbol":
        return c -> switch (Character.getType(c)) {
          case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
              Character.OTHER_SYMBOL -> true;
          default -> false;
        };
      default:
        return null;
    }
  }

  /**
   * The {@code token_chars} of the n-gram tokenizers: the characters a
   * token is made of, or null (the default) for every character.
   */
  static IntPredicate tokenChars(Settings s) {
    List<String> classes = s.getAsList("token_chars");
    if (classes.isEmpty()) {
      return null;
    }
    List<IntPredicate> ps = new ArrayList<>();
    for (String c : classes) {
      if (c.equalsIgnoreCase("custom")) {
        String custom = s.get("custom_token_chars");
        if (custom == null) {
          throw new IllegalArgumentException("Token type: [custom] requires setting `custom_token_chars`");
        }
        ps.add(ch -> custom.indexOf(Character.toString(ch)) >= 0);
        continue;
      }
      IntPredicate p = charClass(c);
      if (p == null) {
        throw new IllegalArgumentException("Unknown token type: '" + c
            + "', must be one of [letter, digit, whitespace, punctuation, symbol, custom]");
      }
      ps.add(p);
    }
    return ch -> {
      for (IntPredicate p : ps) {
        if (p.test(ch)) {
          return true;
        }
      }
      return false;
    };
  }
}
