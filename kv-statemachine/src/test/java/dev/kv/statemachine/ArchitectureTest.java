package dev.kv.statemachine;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/** The apply core and storage are deterministic and testable without Raft. */
@AnalyzeClasses(packages = "dev.kv.statemachine", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

  @ArchTest
  static final ArchRule applyCoreDoesNotImportRatis =
      noClasses()
          .that()
          .resideInAnyPackage("dev.kv.statemachine.apply..", "dev.kv.statemachine.storage..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("org.apache.ratis..");

  @ArchTest
  static final ArchRule applyCoreDoesNotDependOnTheAdapter =
      noClasses()
          .that()
          .resideInAnyPackage("dev.kv.statemachine.apply..", "dev.kv.statemachine.storage..")
          .should()
          .dependOnClassesThat()
          .resideInAnyPackage("dev.kv.statemachine.ratis..");
}
