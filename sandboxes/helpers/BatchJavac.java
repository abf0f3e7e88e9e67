// Compiles many Problem.java files in ONE JVM, each by its own javac task with the reference's
// flags, so each program gets exactly the diagnostics and class files it would get alone.
// Usage: java BatchJavac.java DIR...   (writes DIR/compile.json; skips DIR on an internal error,
// and the host then compiles that program alone).
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

public class BatchJavac {
    static final int CAP = 64 * 1024;

    static String quote(String text) {
        if (text.length() > CAP) text = text.substring(0, CAP);
        StringBuilder b = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"': b.append("\\\""); break;
                case '\\': b.append("\\\\"); break;
                case '\n': b.append("\\n"); break;
                case '\r': b.append("\\r"); break;
                case '\t': b.append("\\t"); break;
                default:
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c)); else b.append(c);
            }
        }
        return b.append('"').toString();
    }

    public static void main(String[] args) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String classpath = System.getenv().getOrDefault("BATCH_CLASSPATH", "/usr/share/java/javatuples.jar");
        for (String dir : args) {
            long start = System.nanoTime();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            int code;
            try {
                code = javac.run(null, out, err, "-encoding", "UTF8", "-cp", classpath, "-d", dir,
                                 dir + "/Problem.java");
            } catch (Throwable t) {
                continue;
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            String json = "{\"name\": \"compile\", \"exit_code\": " + code + ", \"signal\": null, "
                + "\"timed_out\": false, \"output_exceeded\": false, \"duration_s\": " + seconds + ", "
                + "\"stdout\": " + quote(out.toString(StandardCharsets.UTF_8)) + ", "
                + "\"stderr\": " + quote(err.toString(StandardCharsets.UTF_8)) + ", \"batched\": true}";
            Files.writeString(Path.of(dir, "compile.json"), json);
        }
    }
}
