package io.minnow.tokenizer;

import io.minnow.gguf.GGUFFile;
import io.minnow.gguf.Names;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The vocabulary of a GGUF model as llama.cpp's {@code llama_vocab::impl::load} sees it: token texts, scores, token
 * types turned into attribute bits, the special token ids, the add-BOS/EOS flags and the end-of-generation set,
 * including llama.cpp's detection of special tokens by their text.
 */
public final class Vocabulary {
    // token types as stored in GGUF (llama_token_type)
    public static final int TYPE_UNDEFINED = 0;
    public static final int TYPE_NORMAL = 1;
    public static final int TYPE_UNKNOWN = 2;
    public static final int TYPE_CONTROL = 3;
    public static final int TYPE_USER_DEFINED = 4;
    public static final int TYPE_UNUSED = 5;
    public static final int TYPE_BYTE = 6;

    // token attributes (llama_token_attr bits)
    static final int ATTR_UNKNOWN = 1;
    static final int ATTR_UNUSED = 1 << 1;
    static final int ATTR_NORMAL = 1 << 2;
    static final int ATTR_CONTROL = 1 << 3;
    static final int ATTR_USER_DEFINED = 1 << 4;
    static final int ATTR_BYTE = 1 << 5;
    static final int ATTR_LSTRIP = 1 << 7;
    static final int ATTR_RSTRIP = 1 << 8;

    /** The tokenizer families this runtime implements. */
    public enum Kind { SPM, BPE }

    final Path source;
    final Kind kind;
    final String model;
    final String pre;
    final String[] tokens;
    final float[] scores;
    final int[] types;
    final int[] attrs;
    final Map<String, Integer> tokenToId;

    int bos = -1, eos = -1, eot = -1, eom = -1, unk = -1, sep = -1, pad = -1, mask = -1;
    int fimPre = -1, fimSuf = -1, fimMid = -1, fimPad = -1, fimRep = -1, fimSep = -1;
    boolean addBos, addEos, addSpacePrefix, cleanSpaces, ignoreMerges;
    final Set<Integer> eog = new LinkedHashSet<>();
    /** Control, user-defined and unknown tokens, longest (in UTF-8 bytes) first: the texts st_partition looks for. */
    final int[] specialCache;

    private Vocabulary(GGUFFile file, Kind kind, String model) {
        this.source = file.path();
        this.kind = kind;
        this.model = model;
        String preKey = file.has(Names.TOKENIZER_PRE) ? file.getString(Names.TOKENIZER_PRE) : "";
        this.pre = preKey;

        if (kind == Kind.SPM) {
            bos = 1;
            eos = 2;
            unk = 0;
            addSpacePrefix = true;
            cleanSpaces = false;
            addBos = true;
            addEos = false;
        } else {
            bos = 11;
            eos = 11;
            addSpacePrefix = false;
            cleanSpaces = true;
            PreTokenizer.Flags f = PreTokenizer.flagsFor(preKey);
            if (f == null) {
                throw new IllegalArgumentException(source + ": unsupported BPE pre-tokenizer '" + preKey + "'");
            }
            if (!f.cleanSpaces()) cleanSpaces = false;
            if (f.ignoreMerges()) ignoreMerges = true;
            if (f.addBos()) addBos = true;
            if (f.noBos()) bos = -1;
        }
        addSpacePrefix = file.getBoolean(Names.TOKENIZER_ADD_SPACE_PREFIX, addSpacePrefix);

        String[] raw = file.getStringArray(Names.TOKENIZER_TOKENS);
        int n = raw.length;
        tokens = new String[n];
        tokenToId = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            String w = raw[i].isEmpty() ? "[EMPTY_" + i + "]" : raw[i];
            tokens[i] = w;
            if (tokenToId.putIfAbsent(w, i) != null) {
                throw new IllegalArgumentException(source + ": duplicate token in vocabulary: '" + w + "' has ids "
                        + tokenToId.get(w) + " and " + i);
            }
        }
        scores = new float[n];
        if (file.has(Names.TOKENIZER_SCORES)) {
            Object s = file.get(Names.TOKENIZER_SCORES);
            if (s instanceof float[] fs) {
                System.arraycopy(fs, 0, scores, 0, Math.min(n, fs.length));
            } else {
                int[] is = file.getIntArray(Names.TOKENIZER_SCORES);
                for (int i = 0; i < Math.min(n, is.length); i++) scores[i] = is[i];
            }
        }
        types = new int[n];
        attrs = new int[n];
        int[] tt = file.has(Names.TOKENIZER_TOKEN_TYPE) ? file.getIntArray(Names.TOKENIZER_TOKEN_TYPE) : null;
        for (int i = 0; i < n; i++) {
            int t = tt == null ? TYPE_NORMAL : (i < tt.length ? tt[i] : TYPE_UNDEFINED);
            types[i] = t;
            attrs[i] = switch (t) {
                case TYPE_UNKNOWN -> ATTR_UNKNOWN;
                case TYPE_UNUSED -> ATTR_UNUSED;
                case TYPE_NORMAL -> ATTR_NORMAL;
                case TYPE_CONTROL -> ATTR_CONTROL;
                case TYPE_USER_DEFINED -> ATTR_USER_DEFINED;
                case TYPE_BYTE -> ATTR_BYTE;
                default -> 0;
            };
        }

        readSpecialIds(file);
        addBos = file.getBoolean(Names.TOKENIZER_ADD_BOS, addBos);
        addEos = file.getBoolean(Names.TOKENIZER_ADD_EOS, addEos);
        detectSpecialByText();
        buildEog();
        specialCache = buildSpecialCache();
        String name = file.has(Names.GENERAL_NAME) ? file.getString(Names.GENERAL_NAME).toLowerCase(Locale.ROOT) : "";
        if (name.contains("phi-3") || name.contains("phi3")) {
            for (int id : specialCache) attrs[id] |= ATTR_RSTRIP;
            setAttr("</s>", ATTR_RSTRIP, true);
            for (String t : new String[] {"<unk>", "<s>", "<|endoftext|>"}) setAttr(t, ATTR_RSTRIP, false);
        }
    }

    /** Loads the vocabulary of a GGUF file whose {@code tokenizer.ggml.model} is {@code llama} or {@code gpt2}. */
    public static Vocabulary load(GGUFFile file) {
        if (!file.has(Names.TOKENIZER_MODEL)) {
            throw new IllegalArgumentException(file.path() + ": no tokenizer in this file (missing '"
                    + Names.TOKENIZER_MODEL + "')");
        }
        String model = file.getString(Names.TOKENIZER_MODEL);
        Kind kind = switch (model) {
            case "llama" -> Kind.SPM;
            case "gpt2" -> Kind.BPE;
            default -> throw new IllegalArgumentException(file.path() + ": unsupported tokenizer model '" + model
                    + "' (supported: 'llama' SentencePiece, 'gpt2' byte-level BPE)");
        };
        return new Vocabulary(file, kind, model);
    }

    private void readSpecialIds(GGUFFile f) {
        bos = specialId(f, Names.TOKENIZER_BOS_ID, bos);
        eos = specialId(f, Names.TOKENIZER_EOS_ID, eos);
        eot = specialId(f, Names.TOKENIZER_EOT_ID, eot);
        eom = specialId(f, Names.TOKENIZER_EOM_ID, eom);
        unk = specialId(f, Names.TOKENIZER_UNK_ID, unk);
        sep = specialId(f, Names.TOKENIZER_SEP_ID, sep);
        pad = specialId(f, Names.TOKENIZER_PAD_ID, pad);
        mask = specialId(f, Names.TOKENIZER_MASK_ID, mask);
        fimPre = specialId(f, Names.TOKENIZER_FIM_PRE_ID, fimPre);
        fimSuf = specialId(f, Names.TOKENIZER_FIM_SUF_ID, fimSuf);
        fimMid = specialId(f, Names.TOKENIZER_FIM_MID_ID, fimMid);
        fimPad = specialId(f, Names.TOKENIZER_FIM_PAD_ID, fimPad);
        fimRep = specialId(f, Names.TOKENIZER_FIM_REP_ID, fimRep);
        fimSep = specialId(f, Names.TOKENIZER_FIM_SEP_ID, fimSep);
        fimPre = specialId(f, Names.TOKENIZER_PREFIX_ID, fimPre);
        fimSuf = specialId(f, Names.TOKENIZER_SUFFIX_ID, fimSuf);
        fimMid = specialId(f, Names.TOKENIZER_MIDDLE_ID, fimMid);
    }

    /** llama.cpp: a default out of range is disabled; a stored id out of range is ignored. */
    private int specialId(GGUFFile f, String key, int dflt) {
        int id = dflt >= tokens.length ? -1 : dflt;
        if (!f.has(key)) return id;
        long v = f.getLong(key);
        return (v >= 0 && v < tokens.length) ? (int) v : id;
    }

    private static final Set<String> EOT_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>",
            "<|endoftext|>", "<|end_of_text|>", "<EOT>", "_<EOT>", "[EOT]", "<｜end▁of▁sentence｜>",
            "<end_of_utterance>");
    private static final Set<String> FIM_PRE_TEXTS = Set.of("<|fim_prefix|>", "<fim-prefix>", "<fim_prefix>",
            "<｜fim▁begin｜>", "<PRE>", "▁<PRE>", "<|code_prefix|>", "<|prefix|>");
    private static final Set<String> FIM_SUF_TEXTS = Set.of("<|fim_suffix|>", "<fim-suffix>", "<fim_suffix>",
            "<｜fim▁hole｜>", "<SUF>", "▁<SUF>", "<|code_suffix|>", "<|suffix|>");
    private static final Set<String> FIM_MID_TEXTS = Set.of("<|fim_middle|>", "<fim-middle>", "<fim_middle>",
            "<｜fim▁end｜>", "<MID>", "▁<MID>", "<|code_middle|>", "<|middle|>");
    private static final Set<String> FIM_PAD_TEXTS = Set.of("<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>", "[PAD]");
    private static final Set<String> FIM_REP_TEXTS = Set.of("<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>",
            "<reponame>");
    private static final Set<String> EOG_TEXTS = Set.of("<|eot_id|>", "<|im_end|>", "<|end|>", "<|return|>",
            "<|call|>", "<|flush|>", "<|calls|>", "<end_of_turn>", "<|endoftext|>", "</s>", "<|eom_id|>", "<EOT>",
            "_<EOT>", "[EOT]", "[EOS]", "<|end_of_text|>", "<end_of_utterance>", "<eos>", "<turn|>",
            "<|tool_response>", "<｜end▁of▁sentence｜>", "[e~[");

    /** The text-based detection of EOT/EOM/FIM tokens (ids scanned in order; llama.cpp scans a hash map). */
    private void detectSpecialByText() {
        for (int id = 0; id < tokens.length; id++) {
            String t = tokens[id];
            if (eot < 0 && EOT_TEXTS.contains(t)) { eot = id; attrs[id] |= ATTR_CONTROL; }
            if (eom < 0 && t.equals("<|eom_id|>")) { eom = id; attrs[id] |= ATTR_CONTROL; }
            if (fimPre < 0 && FIM_PRE_TEXTS.contains(t)) { fimPre = id; attrs[id] |= ATTR_CONTROL; }
            if (fimSuf < 0 && FIM_SUF_TEXTS.contains(t)) { fimSuf = id; attrs[id] |= ATTR_CONTROL; }
            if (fimMid < 0 && FIM_MID_TEXTS.contains(t)) { fimMid = id; attrs[id] |= ATTR_CONTROL; }
            if (fimPad < 0 && FIM_PAD_TEXTS.contains(t)) { fimPad = id; attrs[id] |= ATTR_CONTROL; }
            if (fimRep < 0 && FIM_REP_TEXTS.contains(t)) { fimRep = id; attrs[id] |= ATTR_CONTROL; }
            if (fimSep < 0 && t.equals("<|file_sep|>")) { fimSep = id; attrs[id] |= ATTR_CONTROL; }
        }
        for (int id = 0; id < tokens.length; id++) {
            if ((attrs[id] & ATTR_CONTROL) != 0 && tokens[id].contains("unused")) attrs[id] |= ATTR_UNUSED;
        }
    }

    private void buildEog() {
        if (fimPad >= 0) eog.add(fimPad);
        if (fimRep >= 0) eog.add(fimRep);
        if (fimSep >= 0) eog.add(fimSep);
        for (int id = 0; id < tokens.length; id++) {
            if (EOG_TEXTS.contains(tokens[id])) {
                eog.add(id);
                attrs[id] |= ATTR_CONTROL;
            }
        }
        // gpt-oss: always render these
        for (String t : new String[] {"<|channel|>", "<|message|>", "<|start|>", "<|constrain|>"}) {
            Integer id = tokenToId.get(t);
            if (id != null) attrs[id] = ATTR_USER_DEFINED;
        }
        if (eos >= 0) eog.add(eos);
        if (eot >= 0) eog.add(eot);
        if (eom >= 0) eog.add(eom);
        // o200k_harmony / solar-open: "<|end|>" is not EOG when "<|return|>"+"<|call|>" or "<|calls|>"+"<|flush|>" exist
        boolean hasReturn = false, hasCall = false, hasFlush = false, hasToolResponse = false;
        int endId = -1, sId = -1;
        for (int tid : eog) {
            switch (tokens[tid]) {
                case "<|return|>" -> hasReturn = true;
                case "<|call|>", "<|calls|>" -> hasCall = true;
                case "<|flush|>" -> hasFlush = true;
                case "<|end|>" -> endId = tid;
                case "<|tool_response>" -> hasToolResponse = true;
                case "</s>" -> sId = tid;
                default -> { }
            }
        }
        if (endId >= 0 && ((hasReturn && hasCall) || (hasCall && hasFlush))) {
            eog.remove(endId);
            attrs[endId] = ATTR_USER_DEFINED;
        }
        if (hasToolResponse && sId >= 0) {
            eog.remove(sId);
            attrs[sId] = ATTR_NORMAL;
        }
    }

    private int[] buildSpecialCache() {
        List<Integer> ids = new ArrayList<>();
        for (int id = 0; id < tokens.length; id++) {
            if ((attrs[id] & (ATTR_CONTROL | ATTR_USER_DEFINED | ATTR_UNKNOWN)) != 0) ids.add(id);
        }
        int[] len = new int[tokens.length];
        for (int id : ids) len[id] = tokens[id].getBytes(StandardCharsets.UTF_8).length;
        ids.sort((a, b) -> Integer.compare(len[b], len[a]));
        return ids.stream().mapToInt(Integer::intValue).toArray();
    }

    private void setAttr(String token, int attr, boolean value) {
        Integer id = tokenToId.get(token);
        if (id == null) return;
        attrs[id] = value ? (attrs[id] | attr) : (attrs[id] & ~attr);
    }

    // ---- special-token partition (llama.cpp tokenizer_st_partition) -----------------------------------------

    /**
     * Splits {@code text} into raw-text fragments ({@link String}) and special tokens ({@link Integer}). User-defined
     * tokens are always split out; control and unknown tokens only when {@code parseSpecial}.
     */
    List<Object> partition(String text, boolean parseSpecial) {
        List<Object> frags = new ArrayList<>();
        if (text.isEmpty()) return frags;
        frags.add(text);
        for (int id : specialCache) {
            int attr = attrs[id];
            if (!parseSpecial && (attr & (ATTR_CONTROL | ATTR_UNKNOWN)) != 0) continue;
            String st = tokens[id];
            boolean any = false;
            for (Object f : frags) {
                if (f instanceof String s && s.contains(st)) { any = true; break; }
            }
            if (!any) continue;
            List<Object> out = new ArrayList<>(frags.size() + 2);
            for (Object f : frags) {
                if (!(f instanceof String s)) { out.add(f); continue; }
                int from = 0;
                while (true) {
                    int m = s.indexOf(st, from);
                    if (m < 0) {
                        if (from < s.length()) out.add(from == 0 ? s : s.substring(from));
                        break;
                    }
                    int leftEnd = m;
                    if ((attr & ATTR_LSTRIP) != 0) {
                        while (leftEnd > from && isSpace(s.charAt(leftEnd - 1))) leftEnd--;
                    }
                    if (leftEnd > from) out.add(s.substring(from, leftEnd));
                    out.add(id);
                    from = m + st.length();
                    if ((attr & ATTR_RSTRIP) != 0) {
                        while (from < s.length() && isSpace(s.charAt(from))) from++;
                    }
                }
            }
            frags = out;
        }
        return frags;
    }

    /** C {@code isspace} in the "C" locale. */
    static boolean isSpace(int c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    // ---- accessors -----------------------------------------------------------------------------------------

    public Kind kind() { return kind; }
    public String model() { return model; }
    /** {@code tokenizer.ggml.pre}, or "" when absent. */
    public String pre() { return pre; }
    public int size() { return tokens.length; }
    public String text(int id) { return tokens[id]; }
    public float score(int id) { return scores[id]; }
    /** The GGUF token type (1 normal, 2 unknown, 3 control, 4 user-defined, 5 unused, 6 byte). */
    public int type(int id) { return types[id]; }
    /** The id of a token text, or -1. */
    public int id(String text) {
        Integer id = tokenToId.get(text);
        return id == null ? -1 : id;
    }
    public boolean isControl(int id) { return (attrs[id] & ATTR_CONTROL) != 0; }
    public boolean isUserDefined(int id) { return (attrs[id] & ATTR_USER_DEFINED) != 0; }
    public boolean isByte(int id) { return (attrs[id] & ATTR_BYTE) != 0; }
    public int bos() { return bos; }
    public int eos() { return eos; }
    public int eot() { return eot; }
    public int eom() { return eom; }
    public int unk() { return unk; }
    public int pad() { return pad; }
    public boolean addBos() { return addBos; }
    public boolean addEos() { return addEos; }
    public boolean addSpacePrefix() { return addSpacePrefix; }
    public boolean cleanSpaces() { return cleanSpaces; }
    public Set<Integer> endOfGeneration() { return Collections.unmodifiableSet(eog); }
    public Path source() { return source; }
}
