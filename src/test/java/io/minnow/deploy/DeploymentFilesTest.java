package io.minnow.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The deployment files, checked as part of the test suite: {@code docker/validate.sh} lints both Dockerfiles,
 * renders every kustomize overlay and validates it against the Kubernetes schemas, and checks the alert rules
 * with promtool when it is installed. Needs node, npm and kubectl (skipped, with the reason, where they are absent).
 */
class DeploymentFilesTest {
    static boolean onPath(String tool) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, tool))) return true;
        }
        return false;
    }

    @Test
    void dockerfilesOverlaysAndAlertRulesAreValid() throws IOException, InterruptedException {
        for (String tool : new String[] {"node", "npm", "kubectl", "bash"}) {
            assumeTrue(onPath(tool), tool + " is not installed: deployment files not validated here");
        }
        Process p = new ProcessBuilder("bash", "docker/validate.sh").redirectErrorStream(true).start();
        boolean done = p.waitFor(5, TimeUnit.MINUTES);
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done) p.destroyForcibly();
        assertTrue(done, "validate.sh did not finish in 5 minutes:\n" + out);
        assertEquals(0, p.exitValue(), "docker/validate.sh failed:\n" + out);
        assertTrue(out.contains("kubectl kustomize k8s/cluster") && out.contains("dockerfilelint"), out);
    }
}
