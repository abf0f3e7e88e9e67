// Compiles many main.ts files in ONE node process, each as its own program with the reference's
// options (`tsc --target esnext main.ts`), so diagnostics and emitted JS equal a lone tsc run.
// The parsed lib .d.ts files are shared between programs (the expensive part of tsc's startup).
// Checking the libs again for every program (most of the remaining time) is skipped where it
// cannot change anything: a script (no import/export, no /// reference) whose program is just
// itself plus the default libs, declaring no name the libs declare globally. Its global
// declarations then merge with nothing of the libs, so their diagnostics are the ones of the libs
// alone, checked once at start (none); any other program is checked in full.
// Usage: node batch_tsc.js DIR...   (writes DIR/main.js and DIR/compile.json)
"use strict";
const fs = require("fs");
const path = require("path");
let ts;
try { ts = require("typescript"); } catch (e) { ts = require("/usr/share/nodejs/typescript"); }

const options = { target: ts.ScriptTarget.ESNext };
const skipLibs = Object.assign({}, options, { skipLibCheck: true });
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
// The libs' own diagnostics and global names, from a program of one empty script.
const libNames = new Set();
let libsClean = false;
try {
  const probe = ts.createProgram(["/dev/null/probe.ts"], options, Object.assign({}, host, {
    getSourceFile: (f, v, e, c) => f === "/dev/null/probe.ts" ? ts.createSourceFile(f, "", v) : host.getSourceFile(f, v, e, c),
    fileExists: (f) => f === "/dev/null/probe.ts" || host.fileExists(f),
  }));
  libsClean = ts.getPreEmitDiagnostics(probe).length === 0;
  for (const sf of probe.getSourceFiles()) {
    if (sf.fileName.startsWith(libDir)) declaredNames(sf).forEach((n) => libNames.add(n));
  }
} catch (e) {
  libsClean = false;
}

// Names a file declares in its outermost scope (var hoisted out of blocks included).
function declaredNames(sf) {
  const names = [];
  const bind = (n) => {
    if (ts.isIdentifier(n)) names.push(n.text);
    else if (n.elements) n.elements.forEach((e) => e.name && bind(e.name));
  };
  (function walk(node) {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) {  // their insides are not global
      if ((ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node)) && node.name) names.push(node.name.text);
      return;
    }
    if (ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isEnumDeclaration(node)
        || ts.isModuleDeclaration(node)) {
      if (node.name) names.push(node.name.text);
      return;
    }
    if (ts.isVariableDeclaration(node)) bind(node.name);
    ts.forEachChild(node, walk);
  })(sf);
  return names;
}

function libCheckNeeded(program, file) {
  if (!libsClean) return true;
  const sf = program.getSourceFile(file);
  if (!sf || ts.isExternalModule(sf) || sf.referencedFiles.length || sf.typeReferenceDirectives.length
      || sf.libReferenceDirectives.length) return true;
  if (program.getSourceFiles().some((f) => f !== sf && !f.fileName.startsWith(libDir))) return true;
  return declaredNames(sf).some((n) => libNames.has(n) || n === "global");
}

const formatHost = {
  getCanonicalFileName: (f) => f, getCurrentDirectory: () => process.cwd(), getNewLine: () => "\n",
};

for (const dir of process.argv.slice(2)) {
  const start = process.hrtime.bigint();
  let code = 0, text = "";
  try {
    const file = path.join(dir, "main.ts");
    let program = ts.createProgram([file], skipLibs, host);
    if (libCheckNeeded(program, file)) program = ts.createProgram([file], options, host);
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
