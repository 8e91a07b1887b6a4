// Interop for `witc component new`, with jco (pinned in ../package-lock.json) as the
// independent implementation:
//   1. all types: guest.cpp against `witc bindgen` for all.wit, clang++ to wasm32-wasi,
//      `witc component new --adapt` (reactor adapter: libc++ pulls in WASI), jco transpile,
//      node calls every export, which goes through the JS host's echoes; values must match.
//   2. printf: hello.c, clang to a WASI command, `witc component new --adapt` with jco's
//      command adapter, run by node: stdout is what the program printed, and its non-zero
//      exit status makes the process fail.
// Exits 77 (skipped) when clang, wasi-libc, node modules or jco are missing; fails when
// witc itself is missing under CI=true.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import assert from 'node:assert/strict';

const here = dirname(fileURLToPath(import.meta.url));
const modules = join(here, '..', 'node_modules');
const jcoDir = join(modules, '@bytecodealliance', 'jco');
const jco = join(jcoDir, 'src', 'jco.js');
const witc = process.env.WITC;
const work = process.env.WORK || join(process.cwd(), 'component-new-work');
const skip = (why) => { console.log(`SKIP: ${why}`); process.exit(77); };

if (!witc || !existsSync(witc)) {
  if (process.env.CI === 'true') { console.log(`FAIL: witc not found (WITC=${witc})`); process.exit(1); }
  skip('witc is not built (set WITC)');
}
const has = (cmd) => spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
if (!has('clang++-19') || !has('clang-19')) skip('clang-19 is not installed');
if (!existsSync('/usr/lib/wasm32-wasi') && !existsSync('/usr/include/wasm32-wasi')) skip('wasi-libc is not installed');
if (!existsSync(jcoDir)) skip(`jco is not installed in ${modules} (npm install in tests/interop)`);
const jcoBin = existsSync(jco) ? jco : join(modules, '.bin', 'jco');
const adapter = (kind) => join(jcoDir, 'lib', `wasi_snapshot_preview1.${kind}.wasm`);

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
symlinkSync(modules, join(work, 'node_modules'));  // the transpiled code imports preview2-shim
writeFileSync(join(work, 'package.json'), '{"type":"module"}\n');

const run = (cmd, args) => {
  const r = spawnSync(cmd, args, { cwd: work, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stdout}${r.stderr}`);
  return r.stdout;
};
const jcoRun = (args) => run(process.execPath, [jcoBin, ...args]);

// ---- 1. all types ------------------------------------------------------------------------
run(witc, ['bindgen', join(here, 'all.wit'), '-w', 'guest', '-o', join(work, 'gen')]);
run('clang++-19', ['--target=wasm32-wasi', '-std=c++20', '-O2', '-fno-exceptions', '-mexec-model=reactor',
                   `-I${join(work, 'gen')}`, join(here, 'guest.cpp'), join(work, 'gen', 'guest.cpp'),
                   '-o', join(work, 'all.core.wasm')]);
run(witc, ['component', 'new', 'all.core.wasm', '--adapt', `wasi_snapshot_preview1=${adapter('reactor')}`,
           '-o', 'all.wasm']);
run(witc, ['validate', 'all.wasm']);
const surface = (wit) => wit.split('\n').map((l) => l.trim()).filter((l) => /^(import|export) /.test(l));
const ours = surface(run(witc, ['component', 'wit', 'all.wasm']));
assert.deepEqual(surface(jcoRun(['wit', 'all.wasm'])), ours, 'witc and jco read the same world');
assert.ok(ours.includes('import witc:newtest/host;') && ours.includes('export witc:newtest/api;'), ours.join('\n'));
jcoRun(['transpile', 'all.wasm', '-o', 'all', '--map', `witc:newtest/host=${join(here, 'host.mjs')}`]);
const host = await import(pathToFileURL(join(here, 'host.mjs')));
const { api } = await import(pathToFileURL(join(work, 'all', 'all.js')));
let checks = 0;
const eq = (got, want, what) => { assert.deepEqual(got, want, what); ++checks; };
eq(api.pointPlus({ x: 1, y: -2, label: 'pé' }), { x: 2, y: 0, label: 'pé!' }, 'record with a string');
eq(api.shapeScale({ tag: 'circle', val: 1.25 }), { tag: 'circle', val: 2.5 }, 'variant, f64 case');
eq(api.shapeScale({ tag: 'rect', val: { x: 3, y: 4, label: 'r' } }), { tag: 'rect', val: { x: 6, y: 8, label: 'r' } },
   'variant, record case');
eq(api.shapeScale({ tag: 'empty' }), { tag: 'empty' }, 'variant, empty case');
eq(api.listUpper(['ab', '', 'ünï', 'x'.repeat(1000)]), ['AB', '', 'üNï', 'X'.repeat(1000)], 'list<string>');
eq(api.listUpper([]), [], 'empty list');
eq(api.optDouble(21), 42, 'option some');
eq(api.optDouble(undefined), undefined, 'option none');
// jco returns an export's ok value and throws a ComponentError carrying the err value.
assert.throws(() => api.resFlip({ tag: 'ok', val: 'four' }), (e) => e.payload === 4, 'result ok -> err');
++checks;
eq(api.resFlip({ tag: 'err', val: 77 }), '77', 'result err -> ok');
eq(api.colorNext('red'), 'green', 'enum');
eq(api.colorNext('blue'), 'red', 'enum wraps');
eq(api.styleToggle({ bold: true, italic: false, underline: true }), { bold: true, italic: true, underline: true },
   'flags');
const c = new api.Counter(5);
eq(c.add(3), 8, 'resource method');
eq(c.add(-10), -2, 'resource state');
eq(c.describe(), 'counter at -2', 'resource method returning a string');
c[Symbol.dispose]();
eq(host.logs, ['counter dropped'], 'resource destructor ran in the guest');
console.log(`all types: ${checks}/${checks} values equal through witc component new + jco`);

// ---- 2. printf through the command adapter ---------------------------------------------------
run('clang-19', ['--target=wasm32-wasi', '-O1', join(here, 'hello.c'), '-o', 'hello.core.wasm']);
run(witc, ['component', 'new', 'hello.core.wasm', '--adapt', `wasi_snapshot_preview1=${adapter('command')}`,
           '-o', 'hello.wasm']);
run(witc, ['validate', 'hello.wasm']);
jcoRun(['transpile', 'hello.wasm', '-o', 'hello']);
writeFileSync(join(work, 'hello', 'main.mjs'), "import { run } from './hello.js';\nrun.run();\n");
const r = spawnSync(process.execPath, [join(work, 'hello', 'main.mjs')], { cwd: work, encoding: 'utf8' });
assert.equal(r.stdout, 'hello from witc: 1 argument(s)\nline 1 of 3\nline 2 of 3\nline 3 of 3\n', 'stdout');
assert.equal(r.stderr, 'a line on stderr\n', 'stderr');
assert.notEqual(r.status, 0, 'a non-zero exit status fails the process');
console.log(`printf: stdout and stderr as printed, exit status ${r.status} (the program returned 3)`);
