package hl7lake.schema;

import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.v25.message.ADT_A01;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The message structures of HAPI's v2.5 model: the classes of {@code ca.uhn.hl7v2.model.v25.message}. */
public final class Structures {

    private static final String PACKAGE = "ca.uhn.hl7v2.model.v25.message";
    private static final Pattern NAME = Pattern.compile("[A-Z0-9_]{3,16}");
    private static volatile List<String> all;

    private Structures() {
    }

    /** Every v2.5 structure name, sorted, read once from the jar (or class folder) that holds HAPI's v2.5 model. */
    public static List<String> all() {
        List<String> found = all;
        if (found == null) {
            found = scan();
            all = found;
        }
        return found;
    }

    /** A new, empty instance of the structure's class; IllegalArgumentException when v2.5 has no such structure. */
    public static Message instance(String structure) {
        if (!NAME.matcher(structure).matches() || !all().contains(structure)) {
            throw new IllegalArgumentException("no message structure " + structure + " in HL7 v2.5");
        }
        try {
            return (Message) Class.forName(PACKAGE + "." + structure).getConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("HAPI's v2.5 class for " + structure + " cannot be made", e);
        }
    }

    private static List<String> scan() {
        String folder = PACKAGE.replace('.', '/');
        try {
            Path location = Path.of(ADT_A01.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isDirectory(location)) {
                return names(location.resolve(folder));
            }
            try (FileSystem jar = FileSystems.newFileSystem(location, Map.of())) {
                return names(jar.getPath(folder));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<String> names(Path folder) throws IOException {
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.endsWith(".class") && !name.contains("$"))
                    .map(name -> name.substring(0, name.length() - ".class".length()))
                    .filter(name -> NAME.matcher(name).matches())
                    .sorted().toList();
        }
    }
}
