package io.minnow.cli;

import java.io.PrintStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The command-line entry: {@code generate}, {@code score} and the other commands run the core directly, without
 * starting the HTTP server. Each command prints to stdout and returns an exit status.
 */
public final class Commands {
    private Commands() {}

    private static final Map<String, Function<Args, Integer>> COMMANDS = new TreeMap<>(Map.of(
            "generate", GenerateCommand::run,
            "score", ScoreCommand::run,
            "bench-serve", BenchServeCommand::run,
            "make-model", ToolCommands::makeModel,
            "quantize", ToolCommands::quantize,
            "bench", ToolCommands::bench));

    public static boolean isCommand(String name) {
        return COMMANDS.containsKey(name) || "help".equals(name) || "--help".equals(name);
    }

    public static int run(String... argv) {
        return run(System.out, System.err, argv);
    }

    public static int run(PrintStream out, PrintStream err, String... argv) {
        String name = argv[0];
        var command = COMMANDS.get(name);
        if (command == null) {
            err.println("usage: minnow <command> [options]; commands: " + String.join(", ", COMMANDS.keySet())
                    + "\nwithout a command, minnow starts the HTTP server");
            return "help".equals(name) || "--help".equals(name) ? 0 : 2;
        }
        try {
            return command.apply(Args.parse(out, err, argv));
        } catch (Args.UsageException e) {
            err.println("minnow " + name + ": " + e.getMessage());
            return 2;
        } catch (RuntimeException e) {
            err.println("minnow " + name + ": " + e.getMessage());
            return 1;
        }
    }
}
