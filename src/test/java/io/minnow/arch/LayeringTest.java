package io.minnow.arch;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The core (gguf to engine) stays free of frameworks and follows the data-flow order of the packages. */
class LayeringTest {
    static JavaClasses classes;

    @BeforeAll
    static void load() {
        classes = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("io.minnow");
    }

    @Test
    void coreImportsNoFramework() {
        noClasses().that().resideInAnyPackage("io.minnow.gguf..", "io.minnow.tensor..", "io.minnow.model..",
                        "io.minnow.tokenizer..", "io.minnow.sampling..", "io.minnow.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.quarkus..", "jakarta..", "javax.ws..", "io.micrometer..",
                        "com.fasterxml..", "io.vertx..", "io.smallrye..", "org.eclipse.microprofile..", "org.jboss..")
                .check(classes);
    }

    @Test
    void coreNeverPrints() {
        noClasses().that().resideInAnyPackage("io.minnow.gguf..", "io.minnow.tensor..", "io.minnow.model..",
                        "io.minnow.tokenizer..", "io.minnow.sampling..", "io.minnow.engine..")
                .should().accessField(System.class, "out").orShould().accessField(System.class, "err")
                .check(classes);
    }

    @Test
    void packagesFollowTheDataFlow() {
        noClasses().that().resideInAPackage("io.minnow.gguf..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minnow.tensor..", "io.minnow.model..", "io.minnow.tokenizer..",
                        "io.minnow.sampling..", "io.minnow.engine..", "io.minnow.api..", "io.minnow.server..", "io.minnow.cli..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.minnow.tensor..", "io.minnow.tokenizer..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minnow.model..", "io.minnow.sampling..", "io.minnow.engine..",
                        "io.minnow.api..", "io.minnow.server..", "io.minnow.cli..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.minnow.model..", "io.minnow.sampling..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minnow.engine..", "io.minnow.api..", "io.minnow.server..", "io.minnow.cli..")
                .check(classes);
        noClasses().that().resideInAPackage("io.minnow.engine..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minnow.api..", "io.minnow.server..", "io.minnow.cli..")
                .check(classes);
        noClasses().that().resideInAnyPackage("io.minnow.api..", "io.minnow.cli..")
                .should().dependOnClassesThat().resideInAnyPackage("io.minnow.server..")
                .check(classes);
    }
}
