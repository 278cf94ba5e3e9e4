package io.minnow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The real chat templates of the supported families (as their GGUF files carry them in
 * {@code tokenizer.chat_template}) rendered through the server's Jinja engine, against the text each template
 * produces for a fixed conversation, written out by hand.
 */
class FamilyTemplatesTest {
    static final List<ChatTemplate.Turn> CHAT = List.of(
            new ChatTemplate.Turn("system", "You are terse."),
            new ChatTemplate.Turn("user", "Hi!"),
            new ChatTemplate.Turn("assistant", "Hello."),
            new ChatTemplate.Turn("user", "Who begat Enos?"));
    static final List<ChatTemplate.Turn> NO_SYSTEM = CHAT.subList(1, 4);

    static String template(String name) {
        try (InputStream in = FamilyTemplatesTest.class.getClassLoader().getResourceAsStream("templates/" + name + ".jinja")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static String render(String name, String bos, String eos, List<ChatTemplate.Turn> turns, boolean generationPrompt) {
        return new ChatTemplate(template(name), bos, eos).render(turns, generationPrompt).text();
    }

    @Test
    void qwenChatML() {
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n"
                + "<|im_start|>user\nHi!<|im_end|>\n"
                + "<|im_start|>assistant\nHello.<|im_end|>\n"
                + "<|im_start|>user\nWho begat Enos?<|im_end|>\n"
                + "<|im_start|>assistant\n", render("qwen2.5-instruct", "", "<|im_end|>", CHAT, true));
        // without a system message Qwen2.5 adds its own
        assertEquals("<|im_start|>system\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant.<|im_end|>\n"
                + "<|im_start|>user\nHi!<|im_end|>\n"
                + "<|im_start|>assistant\nHello.<|im_end|>\n"
                + "<|im_start|>user\nWho begat Enos?<|im_end|>\n", render("qwen2.5-instruct", "", "<|im_end|>", NO_SYSTEM, false));
    }

    @Test
    void phi3() {
        assertEquals("<|system|>\nYou are terse.<|end|>\n"
                + "<|user|>\nHi!<|end|>\n"
                + "<|assistant|>\nHello.<|end|>\n"
                + "<|user|>\nWho begat Enos?<|end|>\n"
                + "<|assistant|>\n", render("phi-3.5-mini-instruct", "<s>", "<|endoftext|>", CHAT, true));
        assertEquals("<|user|>\nHi!<|end|>\n<|assistant|>\nHello.<|end|>\n<|user|>\nWho begat Enos?<|end|>\n<|endoftext|>",
                render("phi-3.5-mini-instruct", "<s>", "<|endoftext|>", NO_SYSTEM, false));
    }

    @Test
    void gemma() {
        assertEquals("<bos><start_of_turn>user\nHi!<end_of_turn>\n"
                + "<start_of_turn>model\nHello.<end_of_turn>\n"
                + "<start_of_turn>user\nWho begat Enos?<end_of_turn>\n"
                + "<start_of_turn>model\n", render("gemma-2-it", "<bos>", "<eos>", NO_SYSTEM, true));
        ApiException e = assertThrows(ApiException.class, () -> render("gemma-2-it", "<bos>", "<eos>", CHAT, true));
        assertTrue(e.getMessage().contains("System role not supported"), e.getMessage());
    }

    @Test
    void llama3() {
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n"
                + "Cutting Knowledge Date: December 2023\n"
                + "Today Date: 05 Mar 2026\n\n"
                + "You are terse.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho begat Enos?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n",
                new ChatTemplate(template("llama-3.2-instruct"), "<|begin_of_text|>", "<|eot_id|>", MARCH_5)
                        .render(CHAT, true).text());
    }

    /** 5 March 2026, 14:07:09 in UTC+1. */
    static final Clock MARCH_5 = Clock.fixed(Instant.parse("2026-03-05T13:07:09Z"), ZoneOffset.ofHours(1));

    @Test
    void strftimeNowFormatsLikePython() {
        ZonedDateTime t = ZonedDateTime.now(MARCH_5);
        assertEquals("05 Mar 2026", ChatTemplate.strftime("%d %b %Y", t));
        assertEquals("Thursday, March  5 26 (064) 14:07:09 02 PM +0100 100%",
                ChatTemplate.strftime("%A, %B %e %y (%j) %H:%M:%S %I %p %z 100%%", t));
        assertEquals("%Q kept", ChatTemplate.strftime("%Q kept", t));
        // the template sees the function as defined and calls it on the template's clock
        assertEquals("Today 2026-03-05", new ChatTemplate("{% if strftime_now is defined %}Today {{ strftime_now('%Y-%m-%d') }}"
                + "{% else %}undefined{% endif %}", "", "", MARCH_5).render(List.of(), false).text());
    }
}
