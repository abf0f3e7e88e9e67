"""One table of language specs: how each CRUXEval-X / MultiPL-E language is compiled, run and judged.

Keys are the dataset's file names (`cruxeval_preprocessed/{key}.jsonl`). Commands are argv lists
run inside the program's scratch directory, where the source is written as `source_file`.

The verdict rules follow the reference harness (MultiPL-E `evaluation/src/eval_*.py`, which
CRUXEval-X ships in `MutiPL-E/evaluation/src/`):
- exit status first: a non-zero exit (or a signal) fails, in every language;
- then per-language extra failure signals, because some runtimes exit 0 on a failed test:
  Racket's rackunit and Scala print to stderr (any stderr fails), C# under mono prints
  `DefaultTraceListener.Fail` / `Unhandled Exception` (a failed Debug.Assert exits 0), Perl's
  harness prints `ERROR`;
- compile errors: non-zero compiler exit, or an interpreter's syntax-error marker.
Asserts are never compiled out: no -O / -release / NDEBUG for C++, D, Swift; Java runs with -ea;
C# is compiled with DEBUG defined (Debug.Assert is [Conditional("DEBUG")]).
Deviation: the reference judges Go by `FAIL` in `go test`'s stdout; we use its exit status (the
same on every reference program; a program printing `FAIL` itself cannot fake a failure here).

`proof` is the language's completion-proof statement (judge.py): it copies the per-run secret from
fd 3 to fd 4. A caller puts it where the program's check has ended (`with_proof`); `proof_prologue`
is what it needs at the top of the file (after `prologue_after`, e.g. Go's package clause).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from harness.errors import HarnessError

# Pinned for every program: the reference runs under C.UTF-8 in its container (ENV LANG=C.UTF-8).
BASE_ENV: dict[str, str] = {
    "LANG": "C.UTF-8",
    "LC_ALL": "C.UTF-8",
    "TZ": "UTC",
    "PATH": "/usr/local/bin:/usr/bin:/bin",
    "HOME": "/tmp/home",
}

JAVATUPLES_JAR = "/usr/share/java/javatuples.jar"  # Debian libjavatuples-java (javatuples 1.2)
SCALA_CLASSPATH = "/usr/share/scala-2.11/lib/*"  # Debian's scala package (scala 2.11)


@dataclass(frozen=True)
class LanguageSpec:
    key: str                         # dataset key (file name), e.g. "rkt"
    name: str                        # human name
    source_file: str                 # the program is written to this name in its scratch dir
    run: tuple[str, ...]             # argv run in the scratch dir
    compile: tuple[str, ...] | None = None  # argv; None for interpreted languages
    aliases: tuple[str, ...] = ()
    run_timeout_s: float = 15.0      # MultiPL-E's safe_subprocess default
    compile_timeout_s: float = 45.0
    debian_packages: tuple[str, ...] = ()
    image: str = ""                  # docker image group (sandboxes/images/Dockerfile.<image>)
    official_image: str = ""         # where Debian has no toolchain: the registry image to start from
    version_command: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    # verdict rules beyond the exit status
    fail_on_stderr: bool = False              # any stderr output fails (rackunit, scala)
    fail_markers: tuple[str, ...] = ()        # in stdout or stderr: the test failed
    stderr_fail_markers: tuple[str, ...] = ()  # in stderr: the test failed (exit status may be 0)
    syntax_markers: tuple[str, ...] = ()      # in stdout/stderr of a failed run: compile error
    batch: str = ""                  # batched-compile strategy name (sandboxes/batching.py), "" = none
    proof: str = ""                  # the completion-proof statement: fd 3 -> fd 4
    proof_prologue: str = ""         # what it needs at the top (an #include, an import)
    prologue_after: str = ""         # regex: the prologue goes after its first match ("" = first line)

    @property
    def compiled(self) -> bool:
        return self.compile is not None


_T = tuple

LANGUAGES: dict[str, LanguageSpec] = {s.key: s for s in [
    LanguageSpec(
        "cpp", "C++", "main.cpp", run=("./main",),
        compile=("g++", "-std=c++17", "-o", "main", "main.cpp"),  # no -O, no -DNDEBUG
        aliases=("c++", "cxx"), debian_packages=("g++",), image="cxx",
        version_command=("g++", "--version"), batch="cpp"),
    LanguageSpec(
        "cs", "C#", "main.cs", run=("mono", "main.exe"),
        compile=("mcs", "-d:DEBUG", "-r:System.Numerics.dll", "-out:main.exe", "main.cs"),
        aliases=("csharp", "c#"),
        debian_packages=("mono-mcs", "mono-runtime", "libmono-system4.0-cil",
                         "libmono-system-core4.0-cil", "libmono-system-numerics4.0-cil"),
        image="dotnet", version_command=("mono", "--version"),
        env={"MONO_TRACE_LISTENER": "Console.Error"},  # failed Debug.Assert goes to stderr
        stderr_fail_markers=("System.Diagnostics.DefaultTraceListener.Fail", "Unhandled Exception")),
    LanguageSpec(
        "d", "D", "main.d", run=("./main",),
        # reference: rdmd -unittest -main (ldc2 adds main only when absent). No -release, no -O.
        compile=("ldc2", "-unittest", "-main", "-of=main", "main.d"),
        aliases=("dlang",), debian_packages=("ldc", "gcc", "libc6-dev"), image="dlang",  # ldc2 links with cc
        version_command=("ldc2", "--version"), syntax_markers=("Error:",)),
    LanguageSpec(
        "go", "Go", "f_test.go", run=("go", "test", "f_test.go"), compile=None,
        aliases=("golang", "go_test.go"), run_timeout_s=30.0, debian_packages=("golang-go",),
        image="go", version_command=("go", "version"),
        env={"GOCACHE": "/tmp/gocache", "GOPATH": "/tmp/gopath", "GOFLAGS": "-count=1",
             "CGO_ENABLED": "0", "GOTOOLCHAIN": "local", "GOTELEMETRY": "off"},
        syntax_markers=("[build failed]", "[setup failed]")),
    LanguageSpec(
        "java", "Java", "Problem.java",
        run=("java", "-ea", "-cp", f".:{JAVATUPLES_JAR}", "Problem"),
        compile=("javac", "-encoding", "UTF8", "-cp", JAVATUPLES_JAR, "-d", ".", "Problem.java"),
        debian_packages=("default-jdk-headless", "libjavatuples-java"), image="jvm",
        version_command=("javac", "-version"), batch="java"),
    LanguageSpec(
        "js", "JavaScript", "main.js", run=("node", "main.js"),
        aliases=("javascript", "node"), debian_packages=("nodejs",), image="node",
        version_command=("node", "--version")),
    LanguageSpec(
        "jl", "Julia", "main.jl", run=("julia", "main.jl"), aliases=("julia",),
        image="julia", official_image="julia:1.10", version_command=("julia", "--version")),
    LanguageSpec(
        "lua", "Lua", "main.lua", run=("lua5.3", "main.lua"),
        debian_packages=("lua5.3", "lua-unit"), image="scripts",
        version_command=("lua5.3", "-v")),
    LanguageSpec(
        "pl", "Perl", "main.pl", run=("perl", "main.pl"), aliases=("perl",),
        debian_packages=("perl", "libtest-deep-perl"), image="scripts",
        version_command=("perl", "-e", "print $^V"), fail_markers=("ERROR",)),
    LanguageSpec(
        "php", "PHP", "main.php", run=("php", "main.php"),
        debian_packages=("php-cli",), image="scripts", version_command=("php", "--version"),
        syntax_markers=("PHP Parse error",)),
    LanguageSpec(
        "py", "Python", "main.py", run=("python3", "main.py"), aliases=("python", "python3"),
        debian_packages=("python3",), image="base", version_command=("python3", "--version")),
    LanguageSpec(
        "r", "R", "main.r", run=("Rscript", "main.r"), aliases=("R",),
        debian_packages=("r-base-core",), image="r", version_command=("Rscript", "--version")),
    LanguageSpec(
        "rkt", "Racket", "main.rkt", run=("racket", "main.rkt"), aliases=("racket",),
        debian_packages=("racket",), image="racket", version_command=("racket", "--version"),
        fail_on_stderr=True,  # rackunit exits 0 on a failed check; it prints to stderr
        syntax_markers=("read-syntax",)),
    LanguageSpec(
        "rb", "Ruby", "main.rb", run=("ruby", "main.rb"), aliases=("ruby",),
        debian_packages=("ruby", "ruby-test-unit"), image="scripts",
        version_command=("ruby", "--version")),
    LanguageSpec(
        # The reference runs `rustc -o main main.rs`. prefer-dynamic links the same std as a shared
        # library instead of copying it in: a third less time, the same verdicts (bench/rust_prefer_dynamic.py).
        "rs", "Rust", "main.rs", run=("./main",),
        compile=("rustc", "-C", "prefer-dynamic", "-o", "main", "main.rs"),
        aliases=("rust",), debian_packages=("rustc",), image="rust",
        version_command=("rustc", "--version")),
    LanguageSpec(
        # The reference runs `scala -cp . Problem`. That script starts the JVM with the scala jars
        # and -Xmx256M -Xms32M, then MainGenericRunner, which loads compiler classes only to start
        # Problem.main (0.85 CPU-s a program here). The same JVM, heap and classpath without it:
        # 0.3 s, with the same verdict on every reference and wrong-answer program (README).
        "scala", "Scala", "Problem.scala",
        run=("java", "-Xmx256M", "-Xms32M", "-cp", f".:{SCALA_CLASSPATH}", "Problem"),
        compile=("scalac", "-d", ".", "Problem.scala"), debian_packages=("scala",), image="jvm",
        version_command=("scala", "-version"), fail_on_stderr=True, batch="scala"),
    LanguageSpec(
        "sh", "Bash", "main.sh", run=("bash", "main.sh"), aliases=("bash", "shell"),
        debian_packages=("bash",), image="base", version_command=("bash", "--version"),
        syntax_markers=("syntax error",)),
    LanguageSpec(
        "swift", "Swift", "main.swift", run=("./main",),
        compile=("swiftc", "main.swift", "-o", "main"),  # -Onone: assert() stays active
        image="swift", official_image="swift:5.10", version_command=("swiftc", "--version")),
    LanguageSpec(
        "ts", "TypeScript", "main.ts", run=("node", "main.js"),
        compile=("tsc", "--target", "esnext", "main.ts"), aliases=("typescript",),
        debian_packages=("node-typescript", "nodejs"), image="node",
        version_command=("tsc", "--version"), compile_timeout_s=45.0, batch="ts"),
]}

# The completion-proof statement per language (judge.py): read the secret on fd 3, write it to fd 4,
# self-contained (qualified names, prefixed locals) so it cannot clash with the program's names.
# (statement, prologue, prologue_after)
_PROOFS: dict[str, tuple[str, str, str]] = {
    "cpp": ('{ char harness_b[64]; FILE* harness_i = fopen("/dev/fd/3", "r"); '
            'FILE* harness_o = fopen("/dev/fd/4", "w"); '
            'size_t harness_n = harness_i ? fread(harness_b, 1, sizeof harness_b, harness_i) : 0; '
            'if (harness_o) { fwrite(harness_b, 1, harness_n, harness_o); fclose(harness_o); } }',
            "#include <cstdio>\n", ""),
    "cs": ('{ var harness_s = new global::System.IO.StreamReader("/dev/fd/3").ReadToEnd(); '
           'using (var harness_o = new global::System.IO.StreamWriter(new global::System.IO.FileStream('
           '"/dev/fd/4", global::System.IO.FileMode.Open, global::System.IO.FileAccess.Write))) '
           '{ harness_o.Write(harness_s); } }', "", ""),
    "d": ('{ import std.file : harness_read = read, harness_write = write; '
          'harness_write("/dev/fd/4", harness_read("/dev/fd/3")); }', "", ""),
    "go": ('{ harness_b, _ := harness_os.ReadFile("/dev/fd/3"); '
           '_ = harness_os.WriteFile("/dev/fd/4", harness_b, 0o600) }',
           'import harness_os "os"\n', r"(?m)^package\b.*\n"),
    "java": ('try { java.nio.file.Files.write(java.nio.file.Paths.get("/dev/fd/4"), '
             'java.nio.file.Files.readAllBytes(java.nio.file.Paths.get("/dev/fd/3"))); } '
             'catch (java.io.IOException harness_e) { throw new RuntimeException(harness_e); }', "", ""),
    "jl": 'write("/dev/fd/4", read("/dev/fd/3"))',
    "js": "require('fs').writeSync(4, require('fs').readFileSync(3));",
    "lua": ("do local harness_i = io.open('/dev/fd/3'); local harness_o = io.open('/dev/fd/4', 'w'); "
            "harness_o:write(harness_i:read('a')); harness_o:close() end"),
    "pl": ("{ open(my $harness_i, '<', '/dev/fd/3'); open(my $harness_o, '>', '/dev/fd/4'); "
           "local $/; print {$harness_o} scalar(<$harness_i>); close($harness_o); }"),
    # `?>` ends PHP mode whatever came before (a // comment too), `<?php` starts it again
    "php": "?><?php file_put_contents('php://fd/4', file_get_contents('php://fd/3'));",
    "py": "import os as _harness_os; _harness_os.write(4, _harness_os.read(3, 64))",
    "r": "writeLines(readLines(file('/dev/fd/3', raw = TRUE)), '/dev/fd/4')",
    "rb": "File.write('/dev/fd/4', File.read('/dev/fd/3'))",
    "rkt": ("(let ([harness-nonce (call-with-input-file \"/dev/fd/3\" read-line)]) "
            "(call-with-output-file \"/dev/fd/4\" #:exists 'append "
            "(lambda (harness-o) (write-string harness-nonce harness-o))))"),
    # the leading `;` ends a tail-expression macro call (`assert_eq!(..)` without one)
    "rs": ';{ let harness_b = std::fs::read("/dev/fd/3").unwrap(); '
          'std::fs::write("/dev/fd/4", harness_b).unwrap(); }',
    # a Unit block: main's inferred result type stays Unit
    "scala": ('{ _root_.java.nio.file.Files.write(_root_.java.nio.file.Paths.get("/dev/fd/4"), '
              '_root_.java.nio.file.Files.readAllBytes(_root_.java.nio.file.Paths.get("/dev/fd/3"))); () }'),
    "sh": "IFS= read -r harness_nonce <&3; printf '%s\\n' \"$harness_nonce\" >&4",
    "swift": ("FileHandle(fileDescriptor: 4).write(FileHandle(fileDescriptor: 3).readDataToEndOfFile())",
              "import Foundation\n", ""),
    "ts": "require('fs').writeSync(4, require('fs').readFileSync(3));",
}
for _key, _proof in _PROOFS.items():
    _statement, _prologue, _after = _proof if isinstance(_proof, tuple) else (_proof, "", "")
    LANGUAGES[_key] = replace(LANGUAGES[_key], proof=_statement, proof_prologue=_prologue,
                              prologue_after=_after)


def with_proof(language: str, source: str, at: int) -> str:
    """`source` with the language's proof statement inserted at offset `at` (where the program's
    check has ended, on every path that passes) and its prologue at the top."""
    spec = get_language(language)
    text = source[:at] + "\n" + spec.proof + "\n" + source[at:]
    if not spec.proof_prologue:
        return text
    match = re.search(spec.prologue_after, text) if spec.prologue_after else None
    head = match.end() if match else 0
    return text[:head] + spec.proof_prologue + text[head:]


_ALIASES: dict[str, str] = {}
for _spec in LANGUAGES.values():
    _ALIASES[_spec.key.lower()] = _spec.key
    for _alias in _spec.aliases:
        _ALIASES[_alias.lower()] = _spec.key


def get_language(name: str) -> LanguageSpec:
    """The spec for a dataset key or a common alias ("python", "c++", "racket", ...)."""
    key = _ALIASES.get(name.strip().lower())
    if key is None:
        raise HarnessError(f"unknown language '{name}'",
                           f"use one of: {', '.join(sorted(LANGUAGES))}")
    return LANGUAGES[key]


def debian_languages() -> list[str]:
    """Languages whose toolchain comes from Debian packages (all but Julia and Swift)."""
    return [k for k, s in LANGUAGES.items() if not s.official_image]


def parse_languages(text: str | None) -> list[str]:
    """'cpp,java' -> ['cpp', 'java'] (aliases resolved); None or 'all' -> every Debian language."""
    if not text or text.strip().lower() == "all":
        return debian_languages()
    return [get_language(part).key for part in text.split(",") if part.strip()]
