package dev.kv.systemtests;

import java.util.List;

/** What a finished command printed and how it exited. */
record ProcessResult(List<String> command, int exitCode, String stdout, String stderr) {

  boolean succeeded() {
    return exitCode == 0;
  }

  /** The command, its exit code and its output, for assertion messages and the test log. */
  String describe() {
    return "$ "
        + String.join(" ", command)
        + "\n[exit "
        + exitCode
        + "]\n"
        + indent("stdout", stdout)
        + indent("stderr", stderr);
  }

  private static String indent(String name, String text) {
    if (text.isEmpty()) {
      return "";
    }
    return "[" + name + "]\n" + text + (text.endsWith("\n") ? "" : "\n");
  }
}
