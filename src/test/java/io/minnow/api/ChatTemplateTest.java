package io.minnow.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTemplateTest {
    static final List<ChatTemplate.Turn> TURNS = List.of(
            new ChatTemplate.Turn("system", "You are terse."),
            new ChatTemplate.Turn("user", "Hi!"),
            new ChatTemplate.Turn("assistant", "Hello."),
            new ChatTemplate.Turn("user", "Who begat Enos?"));

    /** Qwen2's ChatML template, as shipped in its GGUF files. */
    static final String CHATML = "{% for message in messages %}{% if loop.first and messages[0]['role'] != 'system' %}"
            + "{{ '<|im_start|>system\\nYou are a helpful assistant.<|im_end|>\\n' }}{% endif %}"
            + "{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    /** Meta Llama 3's template. */
    static final String LLAMA3 = "{% set loop_messages = messages %}{% for message in loop_messages %}"
            + "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n'+ message['content'] | trim + '<|eot_id|>' %}"
            + "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
            + "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\\n\\n' }}{% endif %}";

    /** A template in the style of Mistral's, with raise_exception and trim_blocks-sensitive blocks. */
    static final String ALTERNATING = """
            {{ bos_token }}
            {% for message in messages %}
            {% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}
            {{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}
            {% endif %}
            {% if message['role'] == 'user' %}
            {{ '[INST] ' + message['content'] + ' [/INST]' }}
            {% elif message['role'] == 'assistant' %}
            {{ message['content'] + eos_token }}
            {% endif %}
            {% endfor %}
            """;

    @Test
    void chatml() {
        var r = new ChatTemplate(CHATML, "", "<|im_end|>").render(TURNS, true);
        assertEquals("<|im_start|>system\nYou are terse.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
                + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nWho begat Enos?<|im_end|>\n<|im_start|>assistant\n", r.text());
        assertFalse(r.addSpecial());
    }

    @Test
    void chatmlAddsDefaultSystemWithoutGenerationPrompt() {
        var r = new ChatTemplate(CHATML, "", "").render(List.of(new ChatTemplate.Turn("user", "Hi!")), false);
        assertEquals("<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n", r.text());
    }

    @Test
    void llama3() {
        var r = new ChatTemplate(LLAMA3, "<|begin_of_text|>", "<|eot_id|>").render(TURNS, true);
        assertEquals("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are terse.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
                + "<|start_header_id|>user<|end_header_id|>\n\nWho begat Enos?<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", r.text());
    }

    @Test
    void trimBlocksAndRaiseException() {
        var t = new ChatTemplate(ALTERNATING, "<s>", "</s>");
        var ok = t.render(List.of(new ChatTemplate.Turn("user", "Hi"), new ChatTemplate.Turn("assistant", "Hello"),
                new ChatTemplate.Turn("user", "Bye")), true);
        // what Python's jinja2 renders with trim_blocks and lstrip_blocks (newlines after {{ }} stay)
        assertEquals("<s>\n[INST] Hi [/INST]\nHello</s>\n[INST] Bye [/INST]\n", ok.text());
        var e = assertThrows(ApiException.class, () -> t.render(List.of(new ChatTemplate.Turn("assistant", "x")), true));
        assertEquals(400, e.status());
        assertTrue(e.getMessage().contains("must alternate"), e.getMessage());
    }

    @Test
    void fallback() {
        var r = new ChatTemplate(null, "<s>", "</s>").render(TURNS, true);
        assertEquals("system: You are terse.\nuser: Hi!\nassistant: Hello.\nuser: Who begat Enos?\nassistant:", r.text());
        assertTrue(r.addSpecial());
        assertEquals(ChatTemplate.FALLBACK_STOPS, r.stops());
    }
}
