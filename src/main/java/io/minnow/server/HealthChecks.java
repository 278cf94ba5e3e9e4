package io.minnow.server;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health/ready}: DOWN until the model is loaded and warm. {@code /q/health/live}: the process answers. */
public final class HealthChecks {
    private HealthChecks() {}

    @Readiness
    @ApplicationScoped
    public static class ModelReady implements HealthCheck {
        private final EngineHolder holder;

        public ModelReady(EngineHolder holder) {
            this.holder = holder;
        }

        @Override
        public HealthCheckResponse call() {
            var b = HealthCheckResponse.named("model").status(holder.ready()).withData("path", holder.modelPath().toString());
            if (holder.ready()) {
                var e = holder.engine();
                b.withData("model", e.modelName()).withData("context", e.contextSize()).withData("slots", e.stats().slots());
            } else if (holder.failure() != null) {
                b.withData("error", holder.failure());
            } else {
                b.withData("state", "loading");
            }
            return b.build();
        }
    }

    @Liveness
    @ApplicationScoped
    public static class Alive implements HealthCheck {
        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.up("server");
        }
    }
}
