// Compiles many main.ts files in ONE node process, each as its own program with the reference's
// options (`tsc --target esnext main.ts`), so diagnostics and emitted JS equal a lone tsc run.
// The parsed lib .d.ts files are shared between programs (the expensive part of tsc's startup).
// Usage: node batch_tsc.js DIR...   (writes DIR/main.js and DIR/compile.json)
"use strict";
const fs = require("fs");
const path = require("path");
let ts;
try { ts = require("typescript"); } catch (e) { ts = require("/usr/share/nodejs/typescript"); }

const options = { target: ts.ScriptTarget.ESNext };
const base = ts.createCompilerHost(options);
const libDir = path.dirname(base.getDefaultLibFileName(options));
const shared = new Map();
const host = Object.assign({}, base, {
  getSourceFile(fileName, languageVersion, onError, shouldCreate) {
    if (!fileName.startsWith(libDir)) return base.getSourceFile(fileName, languageVersion, onError, shouldCreate);
    const key = fileName + "|" + JSON.stringify(languageVersion);
    if (!shared.has(key)) shared.set(key, base.getSourceFile(fileName, languageVersion, onError, shouldCreate));
    return shared.get(key);
  },
});
const formatHost = {
  getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n",
};

for (const dir of process.argv.slice(2)) {
  const start = process.hrtime.bigint();
  let code = 0, text = "";
  try {
    const file = path.join(dir, "main.ts");
    const program = ts.createProgram([file], options, host);
    const diagnostics = [...ts.getPreEmitDiagnostics(program)];
    const emitted = program.emit();
    diagnostics.push(...emitted.diagnostics);
    if (diagnostics.length) {
      code = emitted.emitSkipped ? 1 : 2;  // tsc's exit statuses
      text = ts.formatDiagnostics(diagnostics, formatHost).split(dir + "/").join("");
    }
  } catch (e) {
    continue;  // no compile.json: the host compiles this program alone
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  fs.writeFileSync(path.join(dir, "compile.json"), JSON.stringify({
    name: "compile", exit_code: code, signal: null, timed_out: false, output_exceeded: false,
    duration_s: seconds, stdout: text.slice(0, 65536), stderr: "", batched: true,
  }));
}
