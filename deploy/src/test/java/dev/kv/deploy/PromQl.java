package dev.kv.deploy;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the metric names a PromQL expression selects, well enough to check a dashboard: what
 * remains of the expression once strings, label matchers, ranges, grouping clauses and Grafana
 * variables are cut out, minus functions (a name followed by a parenthesis), keywords and numbers.
 */
final class PromQl {
  private static final Pattern STRINGS = Pattern.compile("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`");
  private static final Pattern VARIABLES = Pattern.compile("\\$\\{[^}]*}|\\$[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern MATCHERS = Pattern.compile("\\{[^}]*}");
  private static final Pattern RANGES = Pattern.compile("\\[[^]]*]");
  private static final Pattern GROUPING = Pattern.compile(
      "\\b(?:by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![A-Za-z0-9_:.])[A-Za-z_:][A-Za-z0-9_:]*");
  private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset",
      "by", "without", "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");

  private PromQl() {}

  static Set<String> metricNames(String expr) {
    String rest = STRINGS.matcher(expr).replaceAll(" ");
    rest = VARIABLES.matcher(rest).replaceAll(" ");
    rest = MATCHERS.matcher(rest).replaceAll(" ");
    rest = RANGES.matcher(rest).replaceAll(" ");
    rest = GROUPING.matcher(rest).replaceAll(" ");
    Set<String> names = new LinkedHashSet<>();
    Matcher m = IDENTIFIER.matcher(rest);
    while (m.find()) {
      String name = m.group();
      String after = rest.substring(m.end()).stripLeading();
      if (after.startsWith("(") || KEYWORDS.contains(name.toLowerCase(java.util.Locale.ROOT))) {
        continue;
      }
      names.add(name);
    }
    return names;
  }
}
