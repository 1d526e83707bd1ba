package hl7lake.local.s3;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * S3 keys to file paths and back. Each "/"-separated part of a key becomes a directory, and the
 * object itself a file with the suffix {@value #SUFFIX}, so that keys {@code a} and {@code a/b} can
 * both exist (a file {@code a.o} beside a directory {@code a}). Bytes outside a safe set, a leading
 * dot (so "." and ".." never appear) and a part's own ".o" ending are percent-encoded, so no key
 * can leave the store or collide with another.
 */
final class KeyPaths {

    static final String SUFFIX = ".o";

    private KeyPaths() {
    }

    static Path toPath(Path root, String key) {
        String[] parts = key.split("/", -1);
        Path path = root;
        for (int i = 0; i < parts.length; i++) {
            String encoded = encode(parts[i]);
            path = path.resolve(i == parts.length - 1 ? encoded + SUFFIX : encoded);
        }
        return path;
    }

    /** The key of a file under {@code root}, or null when the file is not an object (temp files, directories). */
    static String toKey(Path root, Path file) {
        String name = file.getFileName().toString();
        if (!name.endsWith(SUFFIX)) {
            return null;
        }
        StringBuilder key = new StringBuilder();
        Path relative = root.relativize(file);
        for (int i = 0; i < relative.getNameCount(); i++) {
            String part = relative.getName(i).toString();
            if (i == relative.getNameCount() - 1) {
                part = part.substring(0, part.length() - SUFFIX.length());
            }
            if (i > 0) {
                key.append('/');
            }
            key.append(decode(part));
        }
        return key.toString();
    }

    private static String encode(String part) {
        if (part.isEmpty()) {
            return "%"; // "a//b": an empty part; "%" alone never comes out of the encoding below
        }
        StringBuilder out = new StringBuilder(part.length());
        for (byte b : part.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            boolean safe = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_' || c == '=' || (c == '.' && out.length() > 0);
            if (safe) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        String encoded = out.toString();
        // a part ending in the object suffix would read back as an object file: encode its dot
        return encoded.endsWith(SUFFIX) ? encoded.substring(0, encoded.length() - SUFFIX.length()) + "%2Eo" : encoded;
    }

    static String decode(String part) {
        if (part.equals("%")) {
            return "";
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%' && i + 2 < part.length()) {
                out.write(Integer.parseInt(part.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
