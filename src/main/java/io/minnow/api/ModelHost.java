package io.minnow.api;

import io.minnow.engine.Engine;

/** What the API needs from the server: the loaded engine and the request limits. */
public interface ModelHost {
    /**
     * The loaded engine.
     *
     * @throws ApiException 503 while the model is still loading or failed to load
     */
    Engine engine();

    /** Most choices ({@code n}) in one request. */
    int maxChoices();
}
