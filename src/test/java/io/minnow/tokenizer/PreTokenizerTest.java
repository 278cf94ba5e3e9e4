package io.minnow.tokenizer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The ports of llama.cpp's hand-written GPT-2 and Llama-3 matchers must split like the regexes they stand for
 * (run through the collapsed-category regex path), on every test-vector input.
 */
class PreTokenizerTest {

    static Stream<Arguments> texts() {
        return TokenizerVectorsTest.cases("gpt-2").stream().map(a -> Arguments.of(a.get()[1], a.get()[2]));
    }

    @ParameterizedTest(name = "#{0}")
    @MethodSource("texts")
    void customMatchersAgreeWithTheirRegexes(int index, String text) {
        for (String re : new String[] {PreTokenizer.GPT2, PreTokenizer.LLAMA3}) {
            List<String> custom = new PreTokenizer(new String[] {re}, true).split(text);
            List<String> regex = new PreTokenizer(new String[] {re}, false).split(text);
            assertEquals(regex, custom, re);
        }
    }

    @Test
    void llama3SplitsNumbersInThrees() {
        List<String> w = new PreTokenizer(new String[] {PreTokenizer.LLAMA3}).split("1234567 it's");
        assertEquals(List.of("123", "456", "7", "Ġit", "'s"), w);
        List<String> q = new PreTokenizer(PreTokenizer.flagsFor("qwen2").regexes()).split("12 ab");
        assertEquals(List.of("1", "2", "Ġab"), q);
    }
}
