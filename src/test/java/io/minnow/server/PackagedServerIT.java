package io.minnow.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.emptyString;

import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.http.ContentType;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs against the artifact the build produced: the fast-jar in the default {@code verify}, the native executable
 * with {@code -Pnative} (wherever GraalVM is available), in its production profile with the bundled model and the
 * engine's warm-up. Kept to three requests so the default build stays fast.
 */
@QuarkusIntegrationTest
class PackagedServerIT {

    /** The model loads after the HTTP server starts; RestAssured's port is set per test, so wait here. */
    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void readyReportsTheModel() {
        given().get("/q/health/ready").then().statusCode(200)
                .body("status", equalTo("UP"))
                .body("checks.data.model", hasItem("kjv-tiny-q8_0"));
    }

    @Test
    void listsTheBundledModel() {
        given().get("/v1/models").then().statusCode(200)
                .body("object", equalTo("list"))
                .body("data.id", hasItem("kjv-tiny-q8_0"));
    }

    @Test
    void completes() {
        given().contentType(ContentType.JSON)
                .body("{\"model\":\"kjv-tiny-q8_0\",\"prompt\":\"In the beginning\",\"max_tokens\":8,\"temperature\":0}")
                .post("/v1/completions").then().statusCode(200)
                .body("object", equalTo("text_completion"))
                .body("choices[0].text", not(emptyString()))
                .body("usage.completion_tokens", greaterThan(0));
    }
}
