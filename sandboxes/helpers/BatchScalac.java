// Compiles many Problem.scala files in ONE JVM, each by its own scalac run (a fresh compiler
// Global per program, like `scalac -d DIR DIR/Problem.scala`), so the per-program verdict equals
// a lone scalac run while the JVM and the compiler's classes are loaded and JIT-warmed once.
// Usage: java -cp SCALA_JARS BatchScalac.java DIR...   (writes DIR/compile.json)
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

public class BatchScalac {
    static final int CAP = 64 * 1024;
    static ByteArrayOutputStream current = new ByteArrayOutputStream();

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
        PrintStream realErr = System.err;
        // scala.Console captures System.out/err when first loaded: give it a switchable sink
        PrintStream sink = new PrintStream(new OutputStream() {
            public void write(int b) { current.write(b); }
            public void write(byte[] b, int off, int len) { current.write(b, off, len); }
        }, true, "UTF-8");
        System.setOut(sink);
        System.setErr(sink);
        Class<?> main = Class.forName("scala.tools.nsc.Main");
        Method process = main.getMethod("process", String[].class);
        for (String dir : args) {
            current = new ByteArrayOutputStream();
            long start = System.nanoTime();
            boolean ok;
            try {
                process.invoke(null, (Object) new String[] {
                    "-usejavacp", "-d", dir, dir + "/Problem.scala"});
                Object reporter = main.getMethod("reporter").invoke(null);
                ok = !(Boolean) reporter.getClass().getMethod("hasErrors").invoke(reporter);
            } catch (Throwable t) {
                realErr.println("BatchScalac: " + dir + ": " + t);
                continue;  // no compile.json: the host compiles this program alone
            }
            sink.flush();
            double seconds = (System.nanoTime() - start) / 1e9;
            String json = "{\"name\": \"compile\", \"exit_code\": " + (ok ? 0 : 1) + ", \"signal\": null, "
                + "\"timed_out\": false, \"output_exceeded\": false, \"duration_s\": " + seconds + ", "
                + "\"stdout\": \"\", \"stderr\": " + quote(current.toString(StandardCharsets.UTF_8))
                + ", \"batched\": true}";
            Files.writeString(Path.of(dir, "compile.json"), json);
        }
    }
}
