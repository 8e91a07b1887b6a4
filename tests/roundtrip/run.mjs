// The C++ round trip under jco: every WIT type in both directions, every error path,
// leaks across 10,000 calls, and the allocations `greet` costs.
//
//   witc bindgen wit --lang cpp  ->  clang++ (wasm32-wasi)  ->  witc component new
//   ->  jco transpile  ->  node: this host calls every export of the guest; the guest
//   calls the same function on this host's imports and checks what comes back.
//
// Usage: WITC=/path/to/witc [CLANGXX=clang++-19] node run.mjs
// Exits 0 when every check passes, 1 on a failure, 77 (CTest's skip) when witc, clang
// or jco is missing.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const witc = process.env.WITC ?? join(root, 'build', 'witc', 'cli', 'witc');
const jco = process.env.JCO ?? join(root, 'tests', 'interop', 'node_modules', '.bin', 'jco');
const started = performance.now();

const which = (names) => {
  for (const n of names) {
    try {
      execFileSync(n, ['--version'], { stdio: 'ignore' });
      return n;
    } catch {}
  }
  return null;
};
const cxx = process.env.CLANGXX || which(['clang++-19', 'clang++-22', 'clang++']);
const skip = (why) => {
  console.log(`SKIP: ${why}`);
  process.exit(77);
};
if (!existsSync(witc)) skip(`witc not found at ${witc} (set WITC)`);
if (!existsSync(jco)) skip(`jco not found at ${jco} (run npm install in tests/interop)`);
if (!cxx) skip('no clang++ for wasm32-wasi (clang++-19 or clang++-22; set CLANGXX)');
if (!existsSync('/usr/lib/wasm32-wasi/libc.a') && !process.env.WASI_SYSROOT)
  skip('no wasi-libc (Debian: wasi-libc, libc++-19-dev-wasm32); set WASI_SYSROOT');

// ---- build -------------------------------------------------------------------

const dir = mkdtempSync(join(tmpdir(), 'witc-roundtrip-'));
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const step = (what, cmd, args) => {
  try {
    return run(cmd, args);
  } catch (e) {
    console.log(`FAIL ${what}: ${cmd} ${args.join(' ')}\n${e.stdout ?? ''}${e.stderr ?? ''}${e.message}`);
    process.exit(1);
  }
};

const gen = join(dir, 'gen');
step('bindgen', witc, ['bindgen', join(here, 'wit'), '--lang', 'cpp', '--out-dir', gen]);
const core = join(dir, 'core.wasm');
const sysroot = process.env.WASI_SYSROOT ? [`--sysroot=${process.env.WASI_SYSROOT}`] : [];
step('clang', cxx, [
  '--target=wasm32-wasi', ...sysroot, '-std=c++20', '-O2', '-Wall', '-Wextra', '-Werror', '-fno-exceptions',
  '-mexec-model=reactor', '-I', gen, join(here, 'guest.cpp'), join(gen, 'roundtrip.cpp'), '-o', core,
  '-Wl,--wrap=malloc,--wrap=free,--wrap=realloc,--wrap=calloc,--wrap=aligned_alloc,--wrap=posix_memalign',
]);
const coreImports = WebAssembly.Module.imports(new WebAssembly.Module(readFileSync(core)));
const wasi = coreImports.filter((i) => i.module.startsWith('wasi'));
if (wasi.length) {
  console.log(`FAIL the guest imports WASI: ${wasi.map((i) => `${i.module}.${i.name}`).join(', ')}`);
  process.exit(1);
}

const comp = join(dir, 'component.wasm');
// `witc component new`; jco's only when this witc has no such command, or when
// ROUNDTRIP_JCO_NEW=1 asks for it (to tell a bug in ours from one elsewhere).
const witcHasComponentNew = (() => {
  try {
    return /^\s+new\s/m.test(run(witc, ['component', '--help']));
  } catch {
    return false;
  }
})();
const useWitc = witcHasComponentNew && process.env.ROUNDTRIP_JCO_NEW !== '1';
if (useWitc) step('witc component new', witc, ['component', 'new', core, '-o', comp]);
else step('jco new', jco, ['new', core, '-o', comp]);
console.log(`component made by ${useWitc ? 'witc component new'
  : witcHasComponentNew ? 'jco new (ROUNDTRIP_JCO_NEW=1)' : 'jco new (this witc has no `component new`)'}`);

const js = join(dir, 'js');
step('jco transpile', jco, ['transpile', comp, '-o', js, '--instantiation', 'async', '--no-typescript', '-q',
  '--name', 'roundtrip']);
writeFileSync(join(js, 'package.json'), '{"type":"module"}\n');
const built = performance.now();

// ---- the host's side of `api` (imported by the guest) ------------------------

const LIMIT = 1000000n;
let hostCalls = 0;
// When set, two imports answer wrongly, to show that the guest notices.
let tamper = false;
const counted = (f) => (...args) => {
  hostCalls++;
  return f(...args);
};

class Counter {
  #value;
  constructor(start) {
    hostCalls++;
    this.#value = start;
  }
  get() {
    hostCalls++;
    return this.#value;
  }
  add(delta) {
    hostCalls++;
    const sum = this.#value + delta;
    if (sum > LIMIT) throw rangeError('too-big', sum);
    if (sum < -LIMIT) throw rangeError('too-small', sum);
    this.#value = sum;
    return sum;
  }
  label(prefix) {
    hostCalls++;
    return `${prefix ?? 'counter'}=${this.#value}`;
  }
  static merge(a, b) {
    hostCalls++;
    return new Counter(a.#value + b.#value);
  }
  static consume(c) {
    hostCalls++;
    return c.#value;
  }
}
// jco: an import returning `result` returns the ok value and throws for `err`, with the
// error value as `payload`.
const fail = (payload) => Object.assign(new Error('err'), { payload });
const rangeError = (tag, val) => fail(val === undefined ? { tag } : { tag, val });

const api = {
  Counter,
  echoBool: counted((x) => x),
  echoInts: counted((a, b, c, d, e, f, g, h) => ({ a, b, c, d, e, f, g, h })),
  echoIntsRecord: counted((x) => x),
  echoFloats: counted((x, y) => ({ x, y })),
  echoChar: counted((c) => c),
  echoString: counted((s) => (tamper ? s + '?' : s)),
  echoBytes: counted((b) => b),
  echoStrings: counted((s) => s),
  echoFlags: counted((a, b, c) => [a, b, c]),
  echoColor: counted((c) => c),
  echoTuple: counted((t) => t),
  echoFixed: counted((a, b, c) => [a, b, c]),
  echoEntries: counted((e) => (tamper ? e.map((x) => ({ ...x, rank: x.rank ^ 1 })) : e)),
  echoOption: counted((x) => x),
  echoResults: counted((r) => r),
  echoResultList: counted((x) => x),
  sumMany: counted((...xs) => xs.reduce((s, x) => s + Number(x), 0)),
  checkRange: counted((x, lo, hi) => {
    if (Number.isNaN(x)) throw rangeError('not-a-number');
    if (x < lo) throw rangeError('too-small', BigInt(Math.trunc(lo)));
    if (x > hi) throw rangeError('too-big', BigInt(Math.trunc(hi)));
    return x;
  }),
  failUnit: counted((f) => {
    if (f) throw fail(undefined);
  }),
  failString: counted((f) => {
    if (f) throw fail('failed');
  }),
  failPayload: counted((f) => {
    if (f) throw fail('no payload');
    return 42;
  }),
  makeCounters: counted((n) => Array.from({ length: n }, (_, i) => new Counter(BigInt(i)))),
  sumCounters: counted((cs) => cs.reduce((s, c) => s + c.get(), 0n)),
  counterOrErr: counted((start) => {
    if (start < 0n) throw fail('negative start');
    return new Counter(start);
  }),
};

// ---- instantiate -------------------------------------------------------------

const mod = await import(pathToFileURL(join(js, 'roundtrip.js')).href);
const imports = {};
for (const spec of ['test:roundtrip/api', 'test:roundtrip/api@0.1.0']) imports[spec] = api;
const getCoreModule = (p) => WebAssembly.compile(readFileSync(join(js, p)));
const inst = await mod.instantiate(getCoreModule, imports);
const guest = inst.api ?? inst['test:roundtrip/api@0.1.0'] ?? inst['test:roundtrip/api'];
const heap = inst.heap ?? inst['test:roundtrip/heap@0.1.0'] ?? inst['test:roundtrip/heap'];
if (!guest || !heap) {
  console.log(`FAIL exports not found: ${Object.keys(inst).join(', ')}`);
  process.exit(1);
}

// ---- checking ----------------------------------------------------------------

let checked = 0, failed = 0, guestCalls = 0, leaves = 0;
const typed = (v) => ArrayBuffer.isView(v) && !(v instanceof DataView);
// Deep equality as the tests need it: numbers by Object.is (NaN equals NaN, -0 differs
// from 0), typed arrays equal plain arrays of the same values, an absent field equals
// `undefined`.
function same(a, b) {
  if (typed(a)) a = Array.from(a);
  if (typed(b)) b = Array.from(b);
  if (typeof a === 'number' || typeof b === 'number') return leaves++, Object.is(a, b);
  if (a === b) return leaves++, true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === b.length && a.every((x, i) => same(x, b[i]));
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!same(a[k], b[k])) return false;
  return true;
}
const show = (v) => JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? `${x}n` : typed(x) ? Array.from(x) : x));
function expect(what, got, want) {
  checked++;
  if (!same(got, want)) {
    failed++;
    if (failed <= 20) console.log(`FAIL ${what}: got ${show(got)}, want ${show(want)}`);
  }
}
// Calls an export; a top-level `err` comes back as `{ err: payload }`.
function call(f, ...args) {
  guestCalls++;
  try {
    return f(...args);
  } catch (e) {
    if (e && 'payload' in e) return { err: e.payload };
    throw e;
  }
}

// ---- the values --------------------------------------------------------------

const U64_MAX = (1n << 64n) - 1n, S64_MIN = -(1n << 63n), S64_MAX = (1n << 63n) - 1n;
const intsCases = [
  { a: 0, b: 0, c: 0, d: 0n, e: 0, f: 0, g: 0, h: 0n },
  { a: 255, b: 65535, c: 4294967295, d: U64_MAX, e: 127, f: 32767, g: 2147483647, h: S64_MAX },
  { a: 1, b: 1, c: 1, d: 1n, e: -128, f: -32768, g: -2147483648, h: S64_MIN },
  { a: 128, b: 32768, c: 2147483648, d: 1n << 63n, e: -1, f: -1, g: -1, h: -1n },
];
const F32_MAX = 3.4028234663852886e38, F32_MIN_SUB = 1.401298464324817e-45;
const floatCases = [
  [0, 0], [-0, -0], [1.5, -2.25], [NaN, NaN], [Infinity, -Infinity], [-Infinity, Infinity],
  [F32_MAX, Number.MAX_VALUE], [F32_MIN_SUB, Number.MIN_VALUE], [-F32_MAX, -Number.MAX_VALUE],
];
const chars = ['a', '\0', 'é', '€', '😀', '\u{10FFFF}', '\u{D7FF}', '\u{E000}'];
const strings = ['', 'a', 'hello, world', 'naïve café ☕', '😀'.repeat(100), 'x'.repeat(5000), 'nul\0inside'];
const bytes = [new Uint8Array(), new Uint8Array([0, 1, 127, 128, 255]), new Uint8Array(4096).map((_, i) => i * 7)];
const stringLists = [[], [''], ['a', '', 'bc', 'naïve'], Array.from({ length: 50 }, (_, i) => `item ${i}`)];
const flagsNine = (bits) => Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`n${i}`, !!(bits & (1 << i))]));
const flags32 = (bits) => Object.fromEntries(Array.from({ length: 32 }, (_, i) => [`b${i}`, ((bits >>> i) & 1) === 1]));
const flagCases = [
  [{ only: false }, flagsNine(0), flags32(0)],
  [{ only: true }, flagsNine(0x1ff), flags32(0xffffffff)],
  [{ only: true }, flagsNine(0x100), flags32(0x80000001)],
  [{ only: false }, flagsNine(0x0aa), flags32(0x55aa55aa)],
];
const colors = ['red', 'green', 'blue', 'ultra-violet'];
const tuples = [[0, '', 0, 'a'], [255, 'tuple', -0, '😀'], [7, 'nan', NaN, '\u{10FFFF}'], [1, 'inf', -Infinity, 'é']];
const shapes = [
  { tag: 'nothing' }, { tag: 'text', val: undefined }, { tag: 'text', val: '' }, { tag: 'text', val: 'words' },
  { tag: 'count', val: 4294967295 }, { tag: 'pair', val: ['left', '😀'] }, { tag: 'big', val: U64_MAX },
  { tag: 'real', val: -0 }, { tag: 'real', val: NaN },
];
// option<option<string>> as jco spells it: the outer option a `{ tag: 'none' | 'some' }`
// variant, the inner one `T | undefined`.
const notes = [{ tag: 'none' }, { tag: 'some', val: undefined }, { tag: 'some', val: '' }, { tag: 'some', val: 'note' }];
const entryLists = [
  [],
  [{ key: 'k', shapes: [], note: { tag: 'none' }, tint: 'red', rank: 0 }],
  Array.from({ length: 12 }, (_, i) => ({
    key: `key-${i}`,
    shapes: shapes.slice(0, i % shapes.length + 1),
    note: notes[i % notes.length],
    tint: colors[i % colors.length],
    rank: i % 2 ? -32768 : 32767,
  })),
];
const fixedCases = [
  [[0, 0, 0, 0], ['', ''], [[0, 0, 0], [0, 0, 0]]],
  [[1, 2, 3, 4294967295], ['fixed', 'naïve 😀'], [[-128, 0, 127], [1, -1, 2]]],
];
const optionCases = [{ tag: 'none' }, { tag: 'some', val: undefined }, { tag: 'some', val: 0 }, { tag: 'some', val: 4294967295 }];
const ok = (val) => (val === undefined ? { tag: 'ok' } : { tag: 'ok', val });
const err = (val) => (val === undefined ? { tag: 'err' } : { tag: 'err', val });
const resultsCases = [
  { a: ok(), b: ok(0), c: ok(), d: ok('') },
  { a: err(), b: err(), c: err('bad'), d: err({ tag: 'too-big', val: S64_MAX }) },
  { a: ok(), b: ok(4294967295), c: err(''), d: err({ tag: 'not-a-number' }) },
  { a: err(), b: ok(1), c: ok(), d: ok('fine') },
  { a: ok(), b: err(), c: err('x'), d: err({ tag: 'too-small', val: S64_MIN }) },
];
const resultLists = [
  [],
  [ok(undefined), ok('s'), err({ tag: 'nothing' }), err({ tag: 'pair', val: ['p', 'q'] }), ok('')],
  Array.from({ length: 20 }, (_, i) => (i % 3 ? ok(i % 2 ? `v${i}` : undefined) : err(shapes[i % shapes.length]))),
];
const manyCases = [
  [1, -1, 2, -2, 3, -3, 4n, -4n, 0.5, 0.25, 5, -5, 6, -6, 7, -7, 8n],
  [255, 127, 65535, 32767, 4294967295, 2147483647, 1n << 52n, -(1n << 52n), F32_MAX, -1e300, 0, -128, 0, -32768, 0,
    -2147483648, 1n << 53n],
];
const sumMany = (xs) => xs.reduce((s, x) => s + Number(x), 0);

// ---- one pass over the whole API ---------------------------------------------

function pass() {
  for (const x of [true, false]) expect('echo-bool', call(guest.echoBool, x), x);
  for (const v of intsCases) {
    expect('echo-ints', call(guest.echoInts, v.a, v.b, v.c, v.d, v.e, v.f, v.g, v.h), v);
    expect('echo-ints-record', call(guest.echoIntsRecord, v), v);
  }
  for (const [x, y] of floatCases) expect('echo-floats', call(guest.echoFloats, x, y), { x, y });
  for (const c of chars) expect('echo-char', call(guest.echoChar, c), c);
  for (const s of strings) expect('echo-string', call(guest.echoString, s), s);
  for (const b of bytes) expect('echo-bytes', call(guest.echoBytes, b), b);
  for (const l of stringLists) expect('echo-strings', call(guest.echoStrings, l), l);
  for (const [a, b, c] of flagCases) expect('echo-flags', call(guest.echoFlags, a, b, c), [a, b, c]);
  for (const c of colors) expect('echo-color', call(guest.echoColor, c), c);
  for (const t of tuples) expect('echo-tuple', call(guest.echoTuple, t), t);
  for (const f of fixedCases) expect('echo-fixed', call(guest.echoFixed, ...f), f);
  for (const e of entryLists) expect('echo-entries', call(guest.echoEntries, e), e);
  for (const o of optionCases) expect('echo-option', call(guest.echoOption, o), o);
  for (const r of resultsCases) expect('echo-results', call(guest.echoResults, r), r);
  for (const l of resultLists) expect('echo-result-list', call(guest.echoResultList, l), l);
  for (const xs of manyCases) expect('sum-many', call(guest.sumMany, ...xs), sumMany(xs));

  // Every `err` at the top level, and the `ok` beside it.
  expect('check-range ok', call(guest.checkRange, 1.5, 0, 2), 1.5);
  expect('check-range too-small', call(guest.checkRange, -1, 0, 2), { err: { tag: 'too-small', val: 0n } });
  expect('check-range too-big', call(guest.checkRange, 3, 0, 2), { err: { tag: 'too-big', val: 2n } });
  expect('check-range nan', call(guest.checkRange, NaN, 0, 2), { err: { tag: 'not-a-number' } });
  expect('fail-unit ok', call(guest.failUnit, false), undefined);
  expect('fail-unit err', call(guest.failUnit, true), { err: undefined });
  expect('fail-string ok', call(guest.failString, false), undefined);
  expect('fail-string err', call(guest.failString, true), { err: 'failed' });
  expect('fail-payload ok', call(guest.failPayload, false), 42);
  expect('fail-payload err', call(guest.failPayload, true), { err: 'no payload' });

  // Resources the guest exports (each wraps one the host's imports made).
  const c = call(() => new guest.Counter(5n));
  expect('counter.get', call(() => c.get()), 5n);
  expect('counter.add ok', call(() => c.add(10n)), 15n);
  expect('counter.add too-big', call(() => c.add(LIMIT)), { err: { tag: 'too-big', val: LIMIT + 15n } });
  expect('counter.add too-small', call(() => c.add(-2n * LIMIT)), { err: { tag: 'too-small', val: 15n - 2n * LIMIT } });
  expect('counter.get after errors', call(() => c.get()), 15n);
  expect('counter.label none', call(() => c.label(undefined)), 'counter=15');
  expect('counter.label some', call(() => c.label('c')), 'c=15');
  const d = call(() => new guest.Counter(-7n));
  // The leak check below can see: each live counter holds guest memory.
  expect('heap: live counters are counted', call(heap.stats).liveBlocks >= 2n, true);
  const m = call(() => guest.Counter.merge(c, d));
  expect('counter.merge', call(() => m.get()), 8n);
  expect('counter.consume', call(() => guest.Counter.consume(m)), 8n);
  const made = call(guest.makeCounters, 4);
  expect('make-counters', made.map((x) => call(() => x.get())), [0n, 1n, 2n, 3n]);
  expect('sum-counters', call(guest.sumCounters, [c, d, ...made]), 15n - 7n + 6n);
  // Handing each one back as an owned parameter, not with `Symbol.dispose`: jco 1.35's
  // lifting of a `list<own<r>>` gives every element's dispose closure the last
  // element's handle (`var` in a loop), so disposing them drops the wrong objects.
  made.forEach((x, i) => expect('counter.consume (from a list)', call(() => guest.Counter.consume(x)), BigInt(i)));
  expect('sum-counters empty', call(guest.sumCounters, []), 0n);
  const e = call(guest.counterOrErr, 3n);
  expect('counter-or-err ok', call(() => e.get()), 3n);
  expect('counter-or-err err', call(guest.counterOrErr, -1n), { err: 'negative start' });
  for (const r of [c, d, e]) r[Symbol.dispose]();
}

// ---- run ---------------------------------------------------------------------

call(heap.reset);
const heap0 = call(heap.stats);
pass();
const mismatches = call(heap.mismatches);
expect('guest mismatches', mismatches, []);
const valuesPerPass = checked;
const callsPerPass = guestCalls;

// Leaks: more passes, until at least 10,000 calls; then the heap is where it was
// after the first pass (which may have set up lazily-allocated state).
const heap1 = call(heap.stats);
while (guestCalls < 10000 + callsPerPass) pass();
const heap2 = call(heap.stats);
expect('leak: live blocks after 10,000 calls', heap2.liveBlocks, heap1.liveBlocks);
expect('leak: live bytes after 10,000 calls', heap2.liveBytes, heap1.liveBytes);
expect('guest mismatches after the passes', call(heap.mismatches), []);

// The guest's own checks catch a host that answers wrongly.
tamper = true;
call(guest.echoString, 'x');
call(guest.echoEntries, entryLists[2]);
tamper = false;
expect('guest notices wrong answers', call(heap.mismatches), ['echo-string', 'echo-entries']);

// Allocations for greet(string) -> string: one for the argument (the host's call of
// cabi_realloc), one for the result; the argument freed once (when the export
// returns), the result once (in the post-return).
call(heap.reset);
expect('greet', call(heap.greet, 'component'), 'Hello, component!');
const g = call(heap.stats);
expect('greet: allocations', g.allocs, 2n);
expect('greet: frees', g.frees, 2n);
expect('greet: argument freed once', g.argFrees, 1);
expect('greet: result freed once (post-return)', g.resultFrees, 1);

const done = performance.now();
console.log(`checks: ${checked} (${valuesPerPass} per pass; ${leaves} scalar values compared), ` +
  `guest calls: ${guestCalls}, host import calls: ${hostCalls}`);
console.log(`heap: ${heap0.liveBlocks} blocks / ${heap0.liveBytes} B at start, ${heap1.liveBlocks} / ` +
  `${heap1.liveBytes} after one pass, ${heap2.liveBlocks} / ${heap2.liveBytes} after ${guestCalls} calls`);
console.log(`greet: ${g.allocs} allocations, ${g.frees} frees (argument ${g.argFrees}, result ${g.resultFrees})`);
console.log(`time: build ${((built - started) / 1000).toFixed(1)} s, run ${((done - built) / 1000).toFixed(1)} s`);
console.log(`roundtrip: ${checked - failed} passed, ${failed} failed`);
if (!failed && !process.env.KEEP) rmSync(dir, { recursive: true, force: true });
else console.log(`files kept in ${dir}`);
process.exit(failed ? 1 : 0);
