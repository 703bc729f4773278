package io.kvstore.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/**
 * {@code kv --version}: the Implementation-Version from kv-cli's jar manifest (written by the
 * build), falling back to a build-filtered resource when running from classes (tests, IDE), plus
 * the Java runtime, which is the first thing to know when a bug report arrives.
 */
final class ManifestVersionProvider implements IVersionProvider {

  @Override
  public String[] getVersion() {
    return new String[] {
      "kv " + version(),
      "Java "
          + Runtime.version()
          + " ("
          + System.getProperty("java.vendor")
          + ", "
          + System.getProperty("java.vm.name")
          + ")"
    };
  }

  static String version() {
    String v = Kv.class.getPackage().getImplementationVersion();
    if (v != null) {
      return v;
    }
    try (InputStream in = Kv.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        v = p.getProperty("version");
      }
    } catch (IOException e) {
      // fall through to "unknown": a version string is not worth failing for
    }
    return v == null || v.startsWith("${") ? "unknown" : v;
  }
}
