package io.minnow.cli;

public final class Commands {
    private Commands() {}
    public static boolean isCommand(String name) { return false; }
    public static int run(String... args) { return 0; }
}
