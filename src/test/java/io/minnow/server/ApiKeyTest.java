package io.minnow.server;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(ApiKeyTest.Keys.class)
class ApiKeyTest {
    public static class Keys implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("minnow.api-keys", "sk-first,sk-second");
        }
    }

    @BeforeEach
    void ready() {
        Ready.await();
    }

    @Test
    void missingOrWrongKeyIs401() {
        for (String path : new String[] {"/v1/models", "/tokenizer_info"}) {
            given().get(path).then().statusCode(401).contentType("application/json")
                    .body("error.code", equalTo("invalid_api_key")).body("error.type", equalTo("invalid_request_error"));
            given().header("Authorization", "Bearer sk-third").get(path).then().statusCode(401);
            given().header("Authorization", "sk-first").get(path).then().statusCode(401);
        }
        given().contentType("application/json").body("{\"prompt\":\"x\"}").post("/v1/completions").then().statusCode(401);
        given().contentType("application/json").body("{\"prompt\":\"x\"}").post("/tokenize").then().statusCode(401);
        given().contentType("application/json").body("{\"tokens\":[1]}").post("/detokenize").then().statusCode(401);
    }

    @Test
    void eitherKeyWorks() {
        given().header("Authorization", "Bearer sk-first").get("/v1/models").then().statusCode(200);
        given().header("Authorization", "bearer sk-second").get("/v1/models").then().statusCode(200);
        given().header("Authorization", "Bearer sk-second").contentType("application/json")
                .body("{\"prompt\":\"In the beginning\",\"max_tokens\":2}").post("/v1/completions").then().statusCode(200);
    }

    @Test
    void healthMetricsAndOpenApiStayOpen() {
        given().get("/q/health/ready").then().statusCode(200);
        given().get("/q/health/live").then().statusCode(200);
        given().get("/q/metrics").then().statusCode(200);
        given().get("/q/openapi").then().statusCode(200);
    }
}
