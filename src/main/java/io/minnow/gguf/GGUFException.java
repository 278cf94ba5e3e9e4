package io.minnow.gguf;

import java.nio.file.Path;

/** A GGUF file that cannot be used, with the file's name and what is wrong with it. */
public class GGUFException extends RuntimeException {
    private final Path file;

    public GGUFException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public GGUFException(Path file, String problem, Throwable cause) {
        super(file + ": " + problem, cause);
        this.file = file;
    }

    /** The file this is about. */
    public Path file() {
        return file;
    }
}
