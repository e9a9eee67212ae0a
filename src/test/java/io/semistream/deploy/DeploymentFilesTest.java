package io.semistream.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.semistream.cli.SemistreamCli;
import io.semistream.config.SemistreamConfig;
import io.semistream.testing.ProjectPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * No Docker engine runs here, so the compose file and the Dockerfile are checked as far as that allows: Debian's
 * docker-compose validates the file, and every reference inside it (commands, files, ports) must exist.
 */
class DeploymentFilesTest {
  private static final Path ROOT = ProjectPaths.root();

  private static JsonNode compose() throws Exception {
    return new ObjectMapper(new YAMLFactory()).readTree(ROOT.resolve("docker-compose.yml").toFile());
  }

  @Test
  void shouldPassDockerComposeConfigValidation() throws Exception {
    assertTrue(Files.isExecutable(Path.of("/usr/bin/docker-compose")),
        "docker-compose is installed by the build (scripts/ensure-test-tools.sh, before the tests)");
    Process p = new ProcessBuilder("/usr/bin/docker-compose", "-f", "docker-compose.yml", "config", "-q")
        .directory(ROOT.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
  }

  @Test
  void shouldRunTheWholeStackWithHealthchecks() throws Exception {
    JsonNode services = compose().get("services");
    Set<String> names = new TreeSet<>();
    services.fieldNames().forEachRemaining(names::add);
    assertEquals(Set.of("kafka", "topics-init", "embedding", "trainer", "learner", "replay", "prometheus",
        "grafana"), names);
    assertTrue(services.get("kafka").get("image").asText().startsWith("apache/kafka:"));
    for (String longRunning : List.of("kafka", "embedding", "trainer", "learner", "prometheus", "grafana")) {
      assertTrue(services.get(longRunning).has("healthcheck"), longRunning + " has a healthcheck");
    }
    assertEquals("service_completed_successfully",
        services.get("embedding").get("depends_on").get("topics-init").get("condition").asText());
  }

  @Test
  void shouldOnlyUseCommandsAndOptionsTheCliKnows() throws Exception {
    JsonNode services = compose().get("services");
    for (String s : List.of("topics-init", "embedding", "trainer", "learner", "replay")) {
      List<String> args = new ArrayList<>();
      services.get(s).get("command").forEach(a -> args.add(a.asText()));
      // Parsing validates subcommands and options; -D keys must also be known configuration keys.
      SemistreamCli.commandLine().parseArgs(args.toArray(new String[0]));
      for (int i = 0; i < args.size() - 1; i++) {
        if (args.get(i).equals("-D")) {
          String key = args.get(i + 1).substring(0, args.get(i + 1).indexOf('='));
          assertTrue(SemistreamConfig.DEFINITION.names().contains(key), s + ": unknown key " + key);
        }
      }
    }
  }

  @Test
  void shouldMountFilesThatExistAndScrapeTheServicesPorts() throws Exception {
    JsonNode services = compose().get("services");
    for (String s : List.of("prometheus", "grafana")) {
      for (JsonNode volume : services.get(s).get("volumes")) {
        String source = volume.asText().split(":")[0];
        if (source.startsWith("./")) {
          assertTrue(Files.exists(ROOT.resolve(source.substring(2))), s + " mounts missing " + source);
        }
      }
    }
    String prometheus = Files.readString(ROOT.resolve("monitoring/prometheus.yml"));
    int port = SemistreamConfig.defaults().metrics().port();
    assertTrue(prometheus.contains("embedding:" + port) && prometheus.contains("learner:" + port));
  }

  @Test
  void shouldCopyOnlyWhatTheBuildProducesOrTheRepositoryHolds() throws Exception {
    String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
    Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.+)$").matcher(dockerfile);
    int checked = 0;
    while (copy.find()) {
      String[] parts = copy.group(1).trim().split("\\s+");
      for (int i = 0; i < parts.length - 1; i++) {
        assertTrue(Files.exists(ROOT.resolve(parts[i])), "Dockerfile copies missing " + parts[i]);
        checked++;
      }
    }
    assertTrue(checked >= 6, "checked " + checked + " sources");
    String pom = Files.readString(ROOT.resolve("pom.xml"));
    assertTrue(pom.contains("<finalName>semistream</finalName>") && dockerfile.contains("target/semistream.jar"));
    assertTrue(pom.contains("<outputDirectory>${project.build.directory}/lib</outputDirectory>")
        && dockerfile.contains("target/lib"));
    assertTrue(dockerfile.contains("EXPOSE " + SemistreamConfig.defaults().metrics().port()));
    assertTrue(dockerfile.contains("OMP_WAIT_POLICY=PASSIVE") && dockerfile.contains("ai.djl.offline=true"));
    // The container runs the JVM directly, not through ./semistream: the malloc tuning must be the same in both.
    Matcher tunables = Pattern.compile("GLIBC_TUNABLES-([^}\"]+)").matcher(Files.readString(ROOT.resolve("semistream")));
    assertTrue(tunables.find(), "the launcher sets GLIBC_TUNABLES");
    assertTrue(dockerfile.contains("GLIBC_TUNABLES=" + tunables.group(1) + " "),
        "the Dockerfile sets GLIBC_TUNABLES=" + tunables.group(1));
    // The image runs `mvn -DskipTests package`: nothing that build runs may need a file the Dockerfile does not
    // copy (the test-tool installer lives in scripts/ and is skipped with the tests).
    assertTrue(dockerfile.contains("mvn -B -q -DskipTests package"), "the image builds without tests");
    Matcher exec = Pattern.compile("(?s)<execution>.*?</execution>").matcher(pom);
    while (exec.find()) {
      String execution = exec.group();
      if (execution.contains("${project.basedir}/scripts/")) {
        assertTrue(execution.contains("<skip>${skipTests}</skip>"), execution);
        assertTrue(!dockerfile.contains("COPY scripts"), "the image does not need scripts/");
      }
    }
  }
}
