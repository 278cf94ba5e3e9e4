package io.minnow;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Entry point. With a command name as first argument ({@code generate}, {@code score}, ...) it runs that
 * command on the core without starting the HTTP server; otherwise it starts the server.
 */
@QuarkusMain
public final class Main {
    Main() {}

    public static void main(String... args) {
        if (args.length > 0 && io.minnow.cli.Commands.isCommand(args[0])) {
            System.exit(io.minnow.cli.Commands.run(args));
        }
        Quarkus.run(args);
    }
}
