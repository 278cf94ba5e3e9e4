package io.minnow.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte-level BPE pre-tokenization as in llama.cpp's {@code unicode_regex_split}: the regexes of the pre-tokenizer
 * type are applied in sequence, each one splitting every piece produced by the previous one (text between matches
 * is kept as its own piece). The GPT-2 and Llama-3 expressions use ports of llama.cpp's hand-written matchers; the
 * others run on java.util.regex over the same views llama.cpp's std::regex sees: the "collapsed" text (every code
 * point above 127 replaced by one placeholder per Unicode category) when the expression uses {@code \p{..}}, else
 * the code points with non-ASCII whitespace replaced by U+000B.
 */
final class PreTokenizer {

    /** Load-time flags of a pre-tokenizer type (llama.cpp {@code llama_vocab::impl::load}). */
    record Flags(String[] regexes, boolean cleanSpaces, boolean ignoreMerges, boolean addBos, boolean noBos) {}

    static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)";
    static final String LLAMA3 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String LLAMA3_ORIG = "(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String QWEN2 = "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+"
            + "|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";
    private static final String GPT4O = "[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))*((?=[\\p{L}])([^A-Z]))+"
            + "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|[^\\r\\n\\p{L}\\p{N}]?((?=[\\p{L}])([^a-z]))+"
            + "((?=[\\p{L}])([^A-Z]))*(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])?|\\p{N}{1,3}"
            + "| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+";

    private static final String[] R_DEFAULT = {"[\\p{P}\\$\\+<=>\\^~\\|]+", GPT2, "\\p{N}+", "[0-9][0-9][0-9]"};
    private static final String[] R_GPT2 = {GPT2};
    private static final String[] R_LLAMA3 = {LLAMA3};
    private static final String[] R_QWEN2 = {QWEN2};
    private static final String[] R_GPT4O = {GPT4O};
    private static final String[] R_STARCODER = {"\\p{N}", GPT2};
    private static final String[] R_FALCON = {"[\\p{P}\\$\\+<=>\\^~\\|`]+", GPT2, "[0-9][0-9][0-9]"};
    private static final String[] R_PORO = {" ?[^(\\s|.,!?\u2026\u3002\uFF0C\u3001\u0964\u06D4\u060C)]+"};
    private static final String[] R_DEEPSEEK_CODER = {"[\r\n]", "\\s?\\p{L}+", "\\s?\\p{P}+", "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
            "\\p{N}"};
    private static final String[] R_DEEPSEEK_LLM = {
            "[\r\n]",
            "\\s?[A-Za-z\u00B5\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u01BA\u01BC-\u01BF\u01C4-\u0293\u0295-\u02AF\u0370-\u0373\u0376\u0377\u037B-\u037D\u037F\u0386\u0388-\u038A\u038C\u038E-\u03A1\u03A3-\u03F5\u03F7-\u0481\u048A-\u052F\u0531-\u0556\u10A0-\u10C5\u13A0-\u13F5\u13F8-\u13FD\u1C90-\u1CBA\u1CBD-\u1CBF\u1D00-\u1D2B\u1D6B-\u1D77\u1D79-\u1D9A\u1E00-\u1F15\u1F18-\u1F1D\u1F20-\u1F45\u1F48-\u1F4D\u1F50-\u1F57\u1F59\u1F5B\u1F5D\u1F5F-\u1F7D\u1F80-\u1FB4\u1FB6-\u1FBC\u1FBE\u1FC2-\u1FC4\u1FC6-\u1FCC\u1FD0-\u1FD3\u1FD6-\u1FDB\u1FE0-\u1FEC\u1FF2-\u1FF4\u1FF6-\u1FFC\u2102\u2107\u210A-\u2113\u2115\u2119-\u211D\u2124\u2126\u2128\u212A-\u212D\u212F-\u2134\u2139\u213C-\u213F\u2145-\u2149\u214E\u2183\u2184\u2C00-\u2C7B\u2C7E-\u2CE4\u2CEB-\u2CEE\u2CF2\u2CF3\uA640-\uA66D\uA680-\uA69B\uA722-\uA76F\uA771-\uA787\uA78B-\uA78E\uAB70-\uABBF\uFB00-\uFB06\uFB13-\uFB17\uFF21-\uFF3A\uFF41-\uFF5A\uD801\uDC00-\uD801\uDC4F\uD801\uDCB0-\uD801\uDCD3\uD801\uDCD8-\uD801\uDCFB\uD803\uDC80-\uD803\uDCB2\uD803\uDCC0-\uD803\uDCF2\uD806\uDCA0-\uD806\uDCDF\uD83A\uDD00-\uD83A\uDD43]+",
            "\\s?[!-/:-~\uFF01-\uFF0F\uFF1A-\uFF5E\u2018-\u201F\u3000-\u3002]+",
            "\\s+$",
            "[\u4E00-\u9FA5\u0800-\u4E00\uAC00-\uD7FF]+",
            "\\p{N}+"};

    /** The flags for a {@code tokenizer.ggml.pre} value, or null when llama.cpp would reject it / it is not ported. */
    static Flags flagsFor(String pre) {
        return switch (pre) {
            case "", "default" -> new Flags(R_DEFAULT, true, false, false, false);
            case "llama3", "llama-v3", "llama-bpe", "falcon3", "falcon-h1", "pixtral", "midm-2.0", "lfm2",
                 "jina-v5-nano" -> new Flags(R_LLAMA3, true, true, true, false);
            case "dbrx", "smaug-bpe" -> new Flags(R_LLAMA3, true, false, false, false);
            case "glm4", "chatglm-bpe" -> new Flags(R_LLAMA3, true, false, false, true);
            case "deepseek-llm" -> new Flags(R_DEEPSEEK_LLM, false, false, false, false);
            case "deepseek-coder" -> new Flags(R_DEEPSEEK_CODER, false, false, false, false);
            case "falcon" -> new Flags(R_FALCON, true, false, false, false);
            case "mpt", "olmo", "gpt-2", "phi-2", "jina-es", "jina-de", "gigachat", "jina-v2-es", "jina-v2-de",
                 "a.x-4.0", "mellum", "modern-bert", "exaone4", "jina-v1-en", "jina-v2-code", "roberta-bpe" ->
                    new Flags(R_GPT2, true, false, false, false);
            case "starcoder", "refact", "codeshell", "exaone", "minerva-7b" ->
                    new Flags(R_STARCODER, true, false, false, false);
            case "smollm", "command-r" -> new Flags(R_STARCODER, false, false, false, false);
            case "qwen2", "deepseek-r1-qwen", "kormo", "f2llmv2", "hunyuan", "solar-open" ->
                    new Flags(R_QWEN2, false, false, false, false);
            case "megrez", "stablelm2" -> new Flags(R_QWEN2, true, false, false, false);
            case "gpt-4o", "llama4" -> new Flags(R_GPT4O, false, false, false, false);
            case "poro-chat" -> new Flags(R_PORO, false, false, false, false);
            case "bloom", "gpt3-finnish" -> new Flags(R_PORO, true, false, false, false);
            default -> null;
        };
    }

    private interface Splitter {
        /** Appends the lengths (in code points) of the pieces of cpts[start, end). */
        void split(int[] cpts, int start, int end, List<Integer> out);
    }

    private final Splitter[] splitters;

    PreTokenizer(String[] regexes) {
        this(regexes, true);
    }

    /** With {@code custom} false the GPT-2 and Llama-3 expressions also run as regexes (for cross-checking). */
    PreTokenizer(String[] regexes, boolean custom) {
        splitters = new Splitter[regexes.length];
        for (int i = 0; i < regexes.length; i++) splitters[i] = splitterFor(regexes[i], custom);
    }

    /** Splits {@code text} into words, each returned in GPT-2 byte-level form. */
    List<String> split(String text) {
        int[] cpts = text.codePoints().toArray();
        List<Integer> offsets = new ArrayList<>();
        offsets.add(cpts.length);
        for (Splitter s : splitters) {
            List<Integer> next = new ArrayList<>(offsets.size() * 2);
            int start = 0;
            for (int len : offsets) {
                s.split(cpts, start, start + len, next);
                start += len;
            }
            offsets = next;
        }
        List<String> words = new ArrayList<>(offsets.size());
        int start = 0;
        for (int len : offsets) {
            String w = new String(cpts, start, len);
            words.add(ByteLevel.encode(w.getBytes(StandardCharsets.UTF_8)));
            start += len;
        }
        return words;
    }

    // ---- Unicode flags as llama.cpp's unicode_cpt_flags ------------------------------------------------------

    static final int F_NUMBER = 1, F_LETTER = 2, F_PUNCT = 4, F_MARK = 8, F_SYMBOL = 16, F_SEPARATOR = 32,
            F_CONTROL = 64, F_UNDEFINED = 128, F_WHITESPACE = 256;
    static final int F_CATEGORIES = 255;

    static int flags(int cp) {
        int f = switch (Character.getType(cp)) {
            case Character.UPPERCASE_LETTER, Character.LOWERCASE_LETTER, Character.TITLECASE_LETTER,
                 Character.MODIFIER_LETTER, Character.OTHER_LETTER -> F_LETTER;
            case Character.DECIMAL_DIGIT_NUMBER, Character.LETTER_NUMBER, Character.OTHER_NUMBER -> F_NUMBER;
            case Character.NON_SPACING_MARK, Character.ENCLOSING_MARK, Character.COMBINING_SPACING_MARK -> F_MARK;
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> F_PUNCT;
            case Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL, Character.MODIFIER_SYMBOL,
                 Character.OTHER_SYMBOL -> F_SYMBOL;
            case Character.SPACE_SEPARATOR, Character.LINE_SEPARATOR, Character.PARAGRAPH_SEPARATOR -> F_SEPARATOR;
            case Character.CONTROL, Character.FORMAT, Character.PRIVATE_USE, Character.SURROGATE -> F_CONTROL;
            default -> F_UNDEFINED;
        };
        return isWhitespace(cp) ? f | F_WHITESPACE : f;
    }

    /** The Unicode White_Space property (llama.cpp's unicode_set_whitespace). */
    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F
                || cp == 0x3000;
    }

    // ---- splitters -----------------------------------------------------------------------------------------

    private static Splitter splitterFor(String regex, boolean custom) {
        if (custom && regex.equals(GPT2)) return PreTokenizer::splitGpt2;
        if (custom && (regex.equals(LLAMA3) || regex.equals(LLAMA3_ORIG))) return PreTokenizer::splitLlama3;
        boolean collapsed = regex.contains("\\p{");
        String javaRegex = collapsed ? collapseRegex(regex) : regex;
        // ECMAScript '$' (no multiline) is the end of the input only
        javaRegex = javaRegex.replace("+$", "+\\z");
        Pattern p = Pattern.compile(javaRegex);
        return collapsed ? (c, s, e, out) -> splitCollapsed(p, c, s, e, out) : (c, s, e, out) -> splitWide(p, c, s, e, out);
    }

    /** A cursor over one piece: code points outside [ini, end) read as OUT_OF_RANGE with flags 0. */
    private static final int OUT = -1;

    private static int cpt(int[] c, int ini, int end, int pos) {
        return pos >= ini && pos < end ? c[pos] : OUT;
    }

    private static int fl(int[] c, int ini, int end, int pos) {
        return pos >= ini && pos < end ? flags(c[pos]) : 0;
    }

    /** llama.cpp unicode_regex_split_custom_gpt2. */
    private static void splitGpt2(int[] c, int ini, int end, List<Integer> out) {
        int prev = ini;
        int pos = ini;
        while (pos < end) {
            int cp = c[pos];
            int f = flags(cp);
            if (cp == '\'' && pos + 1 < end) {
                int n1 = c[pos + 1];
                if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
                    pos = add(out, prev, pos + 2); prev = pos;
                    continue;
                }
                if (pos + 2 < end) {
                    int n2 = c[pos + 2];
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
                        pos = add(out, prev, pos + 3); prev = pos;
                        continue;
                    }
                }
            }
            int f2 = cp == ' ' ? fl(c, ini, end, pos + 1) : f;
            if ((f2 & F_LETTER) != 0) {
                if (cp == ' ') pos++;
                while ((f2 & F_LETTER) != 0) f2 = fl(c, ini, end, ++pos);
                prev = add(out, prev, pos);
                continue;
            }
            if ((f2 & F_NUMBER) != 0) {
                if (cp == ' ') pos++;
                while ((f2 & F_NUMBER) != 0) f2 = fl(c, ini, end, ++pos);
                prev = add(out, prev, pos);
                continue;
            }
            if ((f2 & (F_WHITESPACE | F_LETTER | F_NUMBER)) == 0 && f2 != 0) {
                if (cp == ' ') pos++;
                while ((f2 & (F_WHITESPACE | F_LETTER | F_NUMBER)) == 0 && f2 != 0) f2 = fl(c, ini, end, ++pos);
                prev = add(out, prev, pos);
                continue;
            }
            int nws = 0;
            while ((fl(c, ini, end, pos + nws) & F_WHITESPACE) != 0) nws++;
            if (nws > 1 && cpt(c, ini, end, pos + nws) != OUT) {
                pos += nws - 1;
                prev = add(out, prev, pos);
                continue;
            }
            if (nws > 0) {
                pos += nws;
                prev = add(out, prev, pos);
                continue;
            }
            prev = add(out, prev, ++pos);
        }
    }

    /** llama.cpp unicode_regex_split_custom_llama3. */
    private static void splitLlama3(int[] c, int ini, int end, List<Integer> out) {
        int prev = ini;
        int pos = ini;
        while (pos < end) {
            int cp = c[pos];
            int f = flags(cp);
            if (cp == '\'' && pos + 1 < end) {
                int n1 = Character.toLowerCase(c[pos + 1]);
                if (n1 == 's' || n1 == 't' || n1 == 'm' || n1 == 'd') {
                    pos = add(out, prev, pos + 2); prev = pos;
                    continue;
                }
                if (pos + 2 < end) {
                    int n2 = Character.toLowerCase(c[pos + 2]);
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l')) {
                        pos = add(out, prev, pos + 3); prev = pos;
                        continue;
                    }
                }
            }
            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cp == '\r' || cp == '\n' || (f & F_NUMBER) != 0)) {
                if ((f & F_LETTER) != 0 || (fl(c, ini, end, pos + 1) & F_LETTER) != 0) {
                    pos++;
                    while ((fl(c, ini, end, pos) & F_LETTER) != 0) pos++;
                    prev = add(out, prev, pos);
                    continue;
                }
            }
            // \p{N}{1,3}
            if ((f & F_NUMBER) != 0) {
                int i0 = pos;
                while ((fl(c, ini, end, pos) & F_NUMBER) != 0) {
                    if (++pos - i0 >= 3) {
                        prev = add(out, prev, pos);
                        i0 = pos;
                    }
                }
                prev = add(out, prev, pos);
                continue;
            }
            // <space>?[^\s\p{L}\p{N}]+[\r\n]*   (llama.cpp tests the first flags of the current code point)
            int f2 = cp == ' ' ? fl(c, ini, end, pos + 1) : f;
            if ((f2 & (F_WHITESPACE | F_LETTER | F_NUMBER)) == 0 && f != 0) {
                if (cp == ' ') pos++;
                while ((f2 & (F_WHITESPACE | F_LETTER | F_NUMBER)) == 0 && f2 != 0) f2 = fl(c, ini, end, ++pos);
                int c2 = cpt(c, ini, end, pos);
                while (c2 == '\r' || c2 == '\n') c2 = cpt(c, ini, end, ++pos);
                prev = add(out, prev, pos);
                continue;
            }
            int nws = 0;
            int lastRN = 0;
            while ((fl(c, ini, end, pos + nws) & F_WHITESPACE) != 0) {
                int c2 = cpt(c, ini, end, pos + nws);
                if (c2 == '\r' || c2 == '\n') lastRN = pos + nws + 1;
                nws++;
            }
            if (lastRN > 0) {
                pos = lastRN;
                prev = add(out, prev, pos);
                continue;
            }
            if (nws > 1 && cpt(c, ini, end, pos + nws) != OUT) {
                pos += nws - 1;
                prev = add(out, prev, pos);
                continue;
            }
            if (nws > 0) {
                pos += nws;
                prev = add(out, prev, pos);
                continue;
            }
            prev = add(out, prev, ++pos);
        }
    }

    /** Adds the piece [prev, end) when not empty; returns end. */
    private static int add(List<Integer> out, int prev, int end) {
        if (end > prev) out.add(end - prev);
        return end;
    }

    /** One char per code point: ASCII as is, else a category placeholder (llama.cpp's text_collapsed). */
    private static String collapse(int[] c, int start, int end) {
        char[] v = new char[end - start];
        for (int i = start; i < end; i++) {
            int cp = c[i];
            char ch;
            if (cp < 128) {
                ch = (char) cp;
            } else {
                int f = flags(cp);
                if ((f & F_WHITESPACE) != 0) ch = 0x0B;
                else ch = switch (f & F_CATEGORIES) {
                    case F_NUMBER -> 0xD1;
                    case F_LETTER -> 0xD2;
                    case F_PUNCT -> 0xD3;
                    case F_MARK -> 0xD4;
                    case F_SYMBOL -> 0xD5;
                    default -> 0xD0;
                };
            }
            v[i - start] = ch;
        }
        return new String(v);
    }

    private static void splitCollapsed(Pattern p, int[] c, int start, int end, List<Integer> out) {
        String view = collapse(c, start, end);
        Matcher m = p.matcher(view);
        int last = 0;
        while (m.find()) {
            if (m.start() > last) out.add(m.start() - last);
            out.add(m.end() - m.start());
            last = m.end();
        }
        if (last < view.length()) out.add(view.length() - last);
    }

    private static void splitWide(Pattern p, int[] c, int start, int end, List<Integer> out) {
        StringBuilder sb = new StringBuilder(end - start);
        for (int i = start; i < end; i++) {
            int cp = c[i];
            sb.appendCodePoint(cp > 0x7F && isWhitespace(cp) ? 0x0B : cp);
        }
        String view = sb.toString();
        // char index -> code point index
        int[] cpIndex = new int[view.length() + 1];
        for (int i = 0, k = 0; i <= view.length(); k++) {
            if (i == view.length()) { cpIndex[i] = k; break; }
            int n = Character.charCount(view.codePointAt(i));
            for (int j = 0; j < n; j++) cpIndex[i + j] = k;
            i += n;
        }
        Matcher m = p.matcher(view);
        int last = 0;
        while (m.find()) {
            int ms = cpIndex[m.start()], me = cpIndex[m.end()];
            if (ms > last) out.add(ms - last);
            out.add(me - ms);
            last = me;
        }
        int total = end - start;
        if (last < total) out.add(total - last);
    }

    private static final String CLASS_N = "\u00D10-9";
    private static final String CLASS_L = "\u00D2A-Za-z";
    private static final String CLASS_P = "\u00D3!-#%-*,-/:-;?-@\\[-\\]_\\{\\}";
    private static final String CLASS_M = "\u00D4";
    private static final String CLASS_S = "\u00D5\\$\\+<->\\^`\\|";

    private static String categoryClass(String pat) {
        return switch (pat) {
            case "\\p{N}" -> CLASS_N;
            case "\\p{L}", "\\p{Lu}", "\\p{Ll}", "\\p{Lt}", "\\p{Lm}", "\\p{Lo}" -> CLASS_L;
            case "\\p{P}" -> CLASS_P;
            case "\\p{M}" -> CLASS_M;
            case "\\p{S}" -> CLASS_S;
            default -> null;
        };
    }

    /** Rewrites \p{..} categories into classes over the collapsed text (llama.cpp regex_expr_collapsed). */
    static String collapseRegex(String re) {
        StringBuilder sb = new StringBuilder();
        boolean inside = false;
        for (int i = 0; i < re.length(); i++) {
            char ch = re.charAt(i);
            if (ch == '[' && (i == 0 || re.charAt(i - 1) != '\\')) {
                sb.append('[');
                inside = true;
                continue;
            }
            if (inside && ch == ']' && re.charAt(i - 1) != '\\') {
                sb.append(']');
                inside = false;
                continue;
            }
            if (ch == '\\' && i + 3 < re.length() && re.charAt(i + 1) == 'p' && re.charAt(i + 2) == '{') {
                int close = re.indexOf('}', i + 3);
                if (close >= 0 && close <= i + 10) {
                    String cls = categoryClass(re.substring(i, close + 1));
                    if (cls != null) {
                        if (!inside) sb.append('[');
                        sb.append(cls);
                        if (!inside) sb.append(']');
                        i = close;
                        continue;
                    }
                }
            }
            sb.append(ch);
        }
        return sb.toString();
    }
}
