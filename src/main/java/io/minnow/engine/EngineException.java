package io.minnow.engine;

/** A request the engine refuses or cannot finish; {@link #kind} says why, for the API's status codes. */
public class EngineException extends RuntimeException {
    public enum Kind {
        /** The prompt does not fit the context. */
        CONTEXT_LENGTH_EXCEEDED,
        /** The waiting queue is full. */
        OVERLOADED,
        /** The request waited longer than the queue timeout. */
        QUEUE_TIMEOUT,
        /** The request is invalid (e.g. a token id outside the vocabulary). */
        INVALID,
        /** The engine is shutting down. */
        UNAVAILABLE
    }

    private final Kind kind;

    public EngineException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
