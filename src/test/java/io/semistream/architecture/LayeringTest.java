package io.semistream.architecture;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import io.semistream.records.planted.PlantedViolation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layering, bottom to top, written down so that it stays true:
 *
 * <pre>
 *   records                      wire values and their serdes; imports nothing of the project
 *   topics                       the typed catalogue; imports only records
 *   config data image kafka broker terminal vectors    infrastructure
 *   model                        the network, its translator, holder and store
 *   embedding training learning zeroshot discovery asking replay   capabilities: they talk through topics, never import each other
 *   evaluation serving web metrics cli         on top: wire capabilities together
 * </pre>
 */
class LayeringTest {
  static final String ROOT = "io.semistream.";
  static final List<String> INFRASTRUCTURE = List.of("config", "data", "image", "kafka", "broker", "terminal",
      "vectors");
  static final List<String> CAPABILITIES = List.of("embedding", "training", "learning", "zeroshot", "discovery",
      "asking", "replay");
  static final List<String> TOP = List.of("evaluation", "serving", "web", "metrics", "cli");

  static List<ArchRule> rules() {
    List<ArchRule> rules = new ArrayList<>();
    rules.add(noClasses().that().resideInAPackage(ROOT + "records..")
        .should().dependOnClassesThat().resideInAnyPackage(except("records"))
        .because("wire records are the bottom layer"));
    rules.add(noClasses().that().resideInAPackage(ROOT + "topics..")
        .should().dependOnClassesThat().resideInAnyPackage(except("records", "topics"))
        .because("the topic registry names record types and nothing else"));
    for (String infra : INFRASTRUCTURE) {
      rules.add(noClasses().that().resideInAPackage(ROOT + infra + "..")
          .should().dependOnClassesThat().resideInAnyPackage(packages(concat(List.of("model"), CAPABILITIES, TOP)))
          .because("infrastructure sits below the model and the capabilities"));
    }
    rules.add(noClasses().that().resideInAPackage(ROOT + "model..")
        .should().dependOnClassesThat().resideInAnyPackage(packages(concat(CAPABILITIES, TOP)))
        .because("the model is shared by embedding and training, below both"));
    for (String capability : CAPABILITIES) {
      List<String> others = new ArrayList<>(CAPABILITIES);
      others.remove(capability);
      rules.add(noClasses().that().resideInAPackage(ROOT + capability + "..")
          .should().dependOnClassesThat().resideInAnyPackage(packages(concat(others, TOP)))
          .because("capabilities talk through topics, not imports, and never reach up into serving, metrics or cli"));
    }
    return rules;
  }

  @Test
  void shouldKeepTheLayering() {
    JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .importPackages("io.semistream");
    for (ArchRule rule : rules()) {
      rule.check(main);
    }
  }

  /** A rule set that cannot fail proves nothing: a planted records → cli import must break it. */
  @Test
  void shouldRejectAPlantedViolation() {
    JavaClasses planted = new ClassFileImporter().importClasses(PlantedViolation.class);
    assertThrows(AssertionError.class, () -> {
      for (ArchRule rule : rules()) {
        rule.check(planted);
      }
    });
  }

  private static String[] except(String... allowed) {
    List<String> all = concat(INFRASTRUCTURE, List.of("records", "topics", "model"), CAPABILITIES, TOP);
    all.removeAll(List.of(allowed));
    return packages(all);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    List<String> all = new ArrayList<>();
    for (List<String> l : lists) {
      all.addAll(l);
    }
    return all;
  }

  private static String[] packages(List<String> names) {
    return names.stream().map(n -> ROOT + n + "..").toArray(String[]::new);
  }
}
