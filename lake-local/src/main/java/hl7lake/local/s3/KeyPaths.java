package hl7lake.local.s3;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * S3 keys to file paths. Each "/"-separated part of a key becomes a directory, and the object itself
 * a file with the suffix {@value #SUFFIX}, so that keys {@code a} and {@code a/b} can both exist (a
 * file {@code a.o} beside a directory {@code a}). Bytes outside a safe set, a leading dot (so "." and
 * ".." never appear) and a part's own ".o" ending are percent-encoded, so no key can leave the store
 * or collide with another.
 *
 * <p>A part whose encoding would be longer than {@value #MAX_NAME} characters (file systems take 255
 * bytes a name; S3 takes 1,024 bytes a key, in any number of parts) is stored under {@code ~} and the
 * SHA-256 of the part instead ({@code ~} never comes out of the encoding). The part itself is then
 * kept beside it for listings: in the object's trailer for the last part, in a file {@value #PART}
 * inside the directory for the others (a name starting with a dot, which the encoding never makes).
 */
final class KeyPaths {

    static final String SUFFIX = ".o";
    static final String PART = ".part";
    static final int MAX_NAME = 200;
    private static final String HASHED = "~";

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

    /** Creates the directories of {@code key}'s object file, each hashed one with its part beside it. */
    static void createParents(Path root, String key) throws IOException {
        String[] parts = key.split("/", -1);
        Path path = root;
        for (int i = 0; i < parts.length - 1; i++) {
            String encoded = encode(parts[i]);
            path = path.resolve(encoded);
            if (Files.isDirectory(path)) {
                continue;
            }
            try {
                Files.createDirectories(path);
            } catch (FileAlreadyExistsException raced) {
                // another put created it
            }
            if (hashed(encoded)) {
                Path temp = path.resolve(PART + "." + UUID.randomUUID());
                Files.write(temp, parts[i].getBytes(StandardCharsets.UTF_8));
                Files.move(temp, path.resolve(PART), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }

    static boolean hashed(String name) {
        return name.startsWith(HASHED);
    }

    /** The key part a hashed directory stands for, or null while it is being created. */
    static String hashedPart(Path directory) throws IOException {
        try {
            return new String(Files.readAllBytes(directory.resolve(PART)), StandardCharsets.UTF_8);
        } catch (NoSuchFileException notYet) {
            return null;
        }
    }

    static String encode(String part) {
        if (part.isEmpty()) {
            return "%"; // "a//b": an empty part; "%" alone never comes out of the encoding below
        }
        byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(bytes.length);
        for (byte b : bytes) {
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
        if (encoded.length() > MAX_NAME) {
            return HASHED + sha256(bytes);
        }
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

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
