package io.minnow.api;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import com.hubspot.jinjava.interpret.RenderResult;
import com.hubspot.jinjava.interpret.TemplateError;
import com.hubspot.jinjava.lib.fn.ELFunctionDefinition;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders chat messages into a prompt with the model's own {@code tokenizer.chat_template} (Jinja, rendered by
 * Jinjava with Hugging Face's settings: {@code trim_blocks} and {@code lstrip_blocks}; variables {@code messages},
 * {@code add_generation_prompt}, {@code bos_token}, {@code eos_token}; functions {@code raise_exception} and, as in
 * llama.cpp's server, {@code strftime_now(format)}: the current local date and time in Python's {@code strftime}
 * format, which Llama 3.x templates use for "Today Date").
 *
 * <p>Models without a template use the plain fallback: one line {@code "<role>: <content>\n"} per message (no second space when the content starts with one) and, with
 * {@code add_generation_prompt}, a last {@code "assistant:"}. The fallback's prompt gets the BOS token from the
 * tokenizer, and generation also stops at a new {@code "\nuser:"} line.
 */
@RegisterForReflection(fields = false) // Jinjava calls raise_exception and strftime_now reflectively (native image)
public final class ChatTemplate {
    /** Stop strings the plain fallback adds so the model does not write the user's next turn. */
    public static final List<String> FALLBACK_STOPS = List.of("\nuser:", "\nsystem:");

    private static final Jinjava JINJAVA = newJinjava();
    private static final ThreadLocal<String> RAISED = new ThreadLocal<>();
    /** The clock of the render running on this thread (read by {@link #strftimeNow}). */
    private static final ThreadLocal<Clock> CLOCK = new ThreadLocal<>();

    private final String template;
    private final String bosToken;
    private final String eosToken;
    private final Clock clock;

    /** @param template the Jinja source, or null for the plain fallback */
    public ChatTemplate(String template, String bosToken, String eosToken) {
        this(template, bosToken, eosToken, Clock.systemDefaultZone());
    }

    /** As {@link #ChatTemplate(String, String, String)}, with the clock {@code strftime_now} reads. */
    public ChatTemplate(String template, String bosToken, String eosToken, Clock clock) {
        this.template = template == null || template.isBlank() ? null : applyWhitespaceControl(template);
        this.bosToken = bosToken == null ? "" : bosToken;
        this.eosToken = eosToken == null ? "" : eosToken;
        this.clock = clock;
    }

    /** One chat message after normalisation: role and plain text. */
    public record Turn(String role, String content) {}

    /**
     * The rendered prompt; {@code addSpecial} says whether the tokenizer should add BOS (the template writes it
     * itself), {@code stops} are extra stop strings.
     */
    public record Rendered(String text, boolean addSpecial, List<String> stops) {}

    public boolean isFallback() {
        return template == null;
    }

    public String source() {
        return template;
    }

    public Rendered render(List<Turn> turns, boolean addGenerationPrompt) {
        if (template == null) {
            StringBuilder sb = new StringBuilder();
            for (Turn t : turns) {
                // "role: content"; a reply that already starts with a space (as generated after "assistant:") keeps
                // its own, so that a follow-up turn re-tokenizes to the cached tokens
                sb.append(t.role()).append(':').append(t.content().startsWith(" ") ? "" : " ").append(t.content()).append('\n');
            }
            if (addGenerationPrompt) sb.append("assistant:");
            return new Rendered(sb.toString(), true, FALLBACK_STOPS);
        }
        Map<String, Object> ctx = new HashMap<>();
        ctx.put("messages", turns.stream().map(t -> {
            Map<String, Object> m = new HashMap<>();
            m.put("role", t.role());
            m.put("content", t.content());
            return m;
        }).toList());
        ctx.put("add_generation_prompt", addGenerationPrompt);
        ctx.put("bos_token", bosToken);
        ctx.put("eos_token", eosToken);
        ctx.put("strftime_now", true); // so that "strftime_now is defined" holds; calls resolve to the function
        RAISED.remove();
        CLOCK.set(clock);
        RenderResult r;
        try {
            r = JINJAVA.renderForResult(template, ctx);
        } finally {
            CLOCK.remove();
            String raised = RAISED.get();
            RAISED.remove();
            if (raised != null) throw ApiException.invalid("messages", raised);
        }
        List<TemplateError> fatal = r.getErrors().stream().filter(e -> e.getSeverity() == TemplateError.ErrorType.FATAL).toList();
        if (!fatal.isEmpty()) {
            String msg = fatal.stream().map(TemplateError::getMessage).collect(Collectors.joining("; "));
            throw ApiException.invalid("messages", "the chat template refused the messages: " + msg);
        }
        return new Rendered(r.getOutput(), false, List.of());
    }

    private static final java.util.regex.Pattern STRIP_BEFORE = java.util.regex.Pattern.compile("\\s*(\\{[{%#])-");
    private static final java.util.regex.Pattern STRIP_AFTER = java.util.regex.Pattern.compile("-([}%#]\\})\\s*");

    /**
     * Applies Jinja's explicit whitespace control ({@code {{-}, {@code -}}}, {@code {%-}, {@code -%}},
     * {@code {#-}, {@code -#}}) to the source text: the dash removes all whitespace on its side of the tag.
     * Jinjava ignores the dash on expression tags, which real templates (Qwen2.5, Llama 3.x) rely on.
     */
    static String applyWhitespaceControl(String source) {
        String s = STRIP_BEFORE.matcher(source).replaceAll("$1");
        return STRIP_AFTER.matcher(s).replaceAll("$1");
    }

    /** Jinja's {@code raise_exception(message)} as chat templates use it. */
    public static String raiseException(String message) {
        if (RAISED.get() == null) {
            RAISED.set(message); // Jinjava keeps only "Error invoking function": remember the template's first words
        }
        throw new TemplateRaised(message);
    }

    /** llama.cpp's {@code strftime_now(format)}: now, on the render's clock, in Python's strftime format. */
    public static String strftimeNow(String format) {
        Clock c = CLOCK.get();
        return strftime(format, ZonedDateTime.now(c == null ? Clock.systemDefaultZone() : c));
    }

    /**
     * Python's {@code strftime} for the directives date strings use ({@code %d %e %m %y %Y %b %B %a %A %H %I %M %S %p
     * %j %Z %z %%}), in English as C's default locale; other directives are kept as written.
     */
    static String strftime(String format, ZonedDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char ch = format.charAt(i);
            if (ch != '%' || i + 1 == format.length()) {
                sb.append(ch);
                continue;
            }
            char d = format.charAt(++i);
            String pattern = switch (d) {
                case 'd' -> "dd";
                case 'm' -> "MM";
                case 'y' -> "yy";
                case 'Y' -> "yyyy";
                case 'b' -> "MMM";
                case 'B' -> "MMMM";
                case 'a' -> "EEE";
                case 'A' -> "EEEE";
                case 'H' -> "HH";
                case 'I' -> "hh";
                case 'M' -> "mm";
                case 'S' -> "ss";
                case 'p' -> "a";
                case 'j' -> "DDD";
                case 'Z' -> "zzz";
                case 'z' -> "xx";
                default -> null;
            };
            if (d == '%') {
                sb.append('%');
            } else if (d == 'e') {
                sb.append(String.format("%2d", t.getDayOfMonth()));
            } else if (pattern == null) {
                sb.append('%').append(d);
            } else {
                sb.append(DateTimeFormatter.ofPattern(pattern, Locale.ENGLISH).format(t));
            }
        }
        return sb.toString();
    }

    static final class TemplateRaised extends RuntimeException {
        TemplateRaised(String message) {
            super(message);
        }
    }

    private static Jinjava newJinjava() {
        JinjavaConfig config = JinjavaConfig.newBuilder()
                .withTrimBlocks(true)
                .withLstripBlocks(true)
                .withFailOnUnknownTokens(false)
                .build();
        Jinjava j = new Jinjava(config);
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "raise_exception", ChatTemplate.class, "raiseException", String.class));
        j.getGlobalContext().registerFunction(new ELFunctionDefinition("", "strftime_now", ChatTemplate.class, "strftimeNow", String.class));
        return j;
    }
}
