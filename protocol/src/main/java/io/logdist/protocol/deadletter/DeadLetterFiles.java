package io.logdist.protocol.deadletter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Turns a command-line argument naming dead-letter files into the files: a directory
 * stands for every {@code *.ldl} file directly in it, in name order (which is the order
 * they were opened in, within one process), and a file for itself.
 *
 * <p>Stateless; any thread.
 */
public final class DeadLetterFiles {
    private DeadLetterFiles() {
    }

    /**
     * @throws NoSuchFileException when {@code fileOrDir} does not exist
     * @throws IOException         when the directory cannot be listed
     */
    public static List<Path> list(Path fileOrDir) throws IOException {
        if (Files.isDirectory(fileOrDir)) {
            try (Stream<Path> entries = Files.list(fileOrDir)) {
                return entries
                    .filter(p -> p.getFileName().toString().endsWith(DeadLetterDescriptor.FILE_SUFFIX))
                    .filter(Files::isRegularFile)
                    .sorted()
                    .toList();
            }
        }
        if (!Files.exists(fileOrDir)) {
            throw new NoSuchFileException(fileOrDir.toString());
        }
        return List.of(fileOrDir);
    }
}
