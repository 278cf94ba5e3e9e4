package io.minnow.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.minnow.api.ApiException;
import io.minnow.api.ModelHost;
import io.minnow.engine.Engine;
import io.minnow.engine.EngineOptions;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jboss.logging.Logger;

/**
 * Loads the engine at startup on its own thread (so health answers while it loads: ready is DOWN until the model is
 * loaded and warm), hands it to the API, and closes it at shutdown. A model that cannot be loaded is logged with its
 * path and the process exits with status 1 instead of serving nothing.
 */
@Singleton
public class EngineHolder implements ModelHost {
    private static final Logger LOG = Logger.getLogger(EngineHolder.class);

    private final MinnowConfig config;
    private final MeterRegistry registry;
    private volatile Engine engine;
    private volatile String failure;
    private volatile EngineMetrics metrics;
    private Thread loader;

    public EngineHolder(MinnowConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
    }

    void start(@Observes StartupEvent ev) {
        loader = Thread.ofPlatform().name("minnow-model-loader").daemon().start(this::load);
    }

    public Path modelPath() {
        return config.model().path().filter(s -> !s.isBlank()).map(Path::of).orElseGet(Engine::bundledModel);
    }

    EngineOptions options() {
        EngineOptions o = EngineOptions.defaults()
                .withContextSize(config.contextSize())
                .withSlots(config.slots())
                .withBatchTokens(config.batchTokens())
                .withQueue(config.maxQueue(), config.queueTimeout())
                .withBatchWindow(config.batchWindow())
                .withWarmup(config.warmup());
        if (config.threads().isPresent()) o = o.withThreads(config.threads().getAsInt());
        if (config.kvBudget().isPresent()) o = o.withKvBudget(config.kvBudget().get().asLongValue());
        o = o.withKvType(config.kvCacheType());
        return o;
    }

    private void load() {
        Path path = modelPath();
        try {
            EngineOptions options = options();
            if (!Files.isRegularFile(path)) {
                throw new IllegalArgumentException("no such file (set minnow.model.path or MINNOW_MODEL_PATH)");
            }
            LOG.infof("Loading model %s (%d threads, %d slots, context %s)", path.toAbsolutePath(), options.threads(), options.slots(),
                    options.contextSize() == 0 ? "from the model" : Integer.toString(options.contextSize()));
            EngineMetrics m = new EngineMetrics(registry, nameOf(path), this::stats);
            Engine e = Engine.load(path, options, m);
            metrics = m;
            engine = e;
            LOG.infof("Model %s ready in %.1f s: %d layers, vocabulary %d, context %d, %d slots", e.modelName(), e.loadNanos() / 1e9,
                    e.config().nLayer, e.config().nVocab, e.contextSize(), e.stats().slots());
        } catch (Throwable t) {
            failure = t.getMessage() == null ? t.toString() : t.getMessage();
            LOG.errorf("Could not load the model %s: %s", path.toAbsolutePath(), failure);
            LOG.debug("Model load failure", t);
            Quarkus.asyncExit(1);
        }
    }

    /** The model name the engine will give: the file name without ".gguf". */
    static String nameOf(Path path) {
        String f = path.getFileName().toString();
        return f.endsWith(".gguf") ? f.substring(0, f.length() - 5) : f;
    }

    private Engine.Stats stats() {
        Engine e = engine;
        return e == null ? null : e.stats();
    }

    /** Loaded and warmed up. */
    public boolean ready() {
        return engine != null;
    }

    /** Why loading failed, or null. */
    public String failure() {
        return failure;
    }

    @Override
    public Engine engine() {
        Engine e = engine;
        if (e != null) return e;
        String why = failure != null ? "the model could not be loaded: " + failure : "the model is still loading";
        throw new ApiException(503, "server_error", "model_not_ready", null, why, 5);
    }

    @Override
    public int maxChoices() {
        return config.nMax();
    }

    void stop(@Observes ShutdownEvent ev) {
        Engine e = engine;
        engine = null;
        if (e != null) {
            e.close();
        }
    }
}
