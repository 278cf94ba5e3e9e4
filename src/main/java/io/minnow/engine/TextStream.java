package io.minnow.engine;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns a sequence's token bytes into text that is safe to send: only complete UTF-8 characters, and nothing
 * that might be the start of a stop string. When a stop string appears, the text before it is released and the
 * rest is dropped.
 */
final class TextStream {
    private final List<String> stops;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    TextStream(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    boolean stopped() {
        return stopped;
    }

    /** Adds a token's bytes; returns the text that can be released now. */
    String append(byte[] bytes) {
        if (stopped) {
            return "";
        }
        pending.writeBytes(bytes);
        byte[] all = pending.toByteArray();
        int complete = completePrefix(all);
        if (complete == 0) {
            return "";
        }
        held.append(new String(all, 0, complete, StandardCharsets.UTF_8));
        pending.reset();
        pending.write(all, complete, all.length - complete);
        return release();
    }

    /** Everything still held, at the end of the sequence (an incomplete character becomes U+FFFD). */
    String flush() {
        if (stopped) {
            return "";
        }
        held.append(new String(pending.toByteArray(), StandardCharsets.UTF_8));
        pending.reset();
        String s = held.toString();
        held.setLength(0);
        return s;
    }

    private String release() {
        String text = held.toString();
        int cut = -1;
        for (String s : stops) {
            int i = text.indexOf(s);
            if (i >= 0 && (cut < 0 || i < cut)) cut = i;
        }
        if (cut >= 0) {
            stopped = true;
            held.setLength(0);
            return text.substring(0, cut);
        }
        int keep = 0; // longest suffix of text that is a proper prefix of a stop string
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length()); len > keep; len--) {
                if (text.regionMatches(text.length() - len, s, 0, len)) {
                    keep = len;
                    break;
                }
            }
        }
        held.setLength(0);
        held.append(text, text.length() - keep, text.length());
        return text.substring(0, text.length() - keep);
    }

    /** Length of the longest prefix that does not end inside a multi-byte character. */
    static int completePrefix(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xff;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead
            }
            int need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
            return need > back ? n - back : n;
        }
        return n;
    }
}
