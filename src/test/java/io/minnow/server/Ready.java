package io.minnow.server;

import static io.restassured.RestAssured.given;

/** Waits until the model is loaded (it loads on its own thread at startup). */
public final class Ready {
    private Ready() {}

    public static void await() {
        long deadline = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < deadline) {
            if (given().get("/q/health/ready").statusCode() == 200) return;
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("the model did not become ready: " + given().get("/q/health/ready").asString());
    }
}
