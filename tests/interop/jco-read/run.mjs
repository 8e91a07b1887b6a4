// Reading what jco makes: components built by jco (from modules witc embedded a world
// into, and by `jco componentize` from JS) must pass `witc validate`, and
// `witc component wit` must print the WIT `jco wit` prints (compared after trimming).
//  1. dummy:       witc component embed --dummy (guest/hello.wit) -> jco new
//  2. core:        clang --target=wasm32 guest/adder.c -> witc component embed -> jco new
//                  (skipped when clang or wasm-ld is missing)
//  3. componentize: jco componentize guest/hello.js (kept in OUT_DIR between runs)
//  4. proxy:       witc component embed --dummy (WASI 0.2.0 wasi:http/proxy from
//                  WITC_SHARED_DIR) -> jco new, and the same made by witc component new
//                  (skipped without the shared corpus)
// Usage: WITC=... OUT_DIR=... node run.mjs   (prints `N passed, N failed, N skipped`;
// exits 77, CTest's skip, when witc, node_modules/jco or every case is missing)
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const witc = process.env.WITC ?? join(root, 'build', 'witc', 'cli', 'witc');
const nm = process.env.JCO_NODE_MODULES ?? join(here, '..', 'node_modules');
const out = process.env.OUT_DIR ?? join(tmpdir(), 'witc-jco-read');
if (!existsSync(witc) || !existsSync(join(nm, '@bytecodealliance/jco/dist/jco.js'))) {
  console.log(`SKIP: need witc (${witc}) and jco (npm install in ${join(here, '..')})`);
  process.exit(77);
}
mkdirSync(out, { recursive: true });

const run = (cmd, args) =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 26 });
const jco = (...args) => run(process.execPath, [join(here, 'jco.mjs'), nm, ...args]);
const which = (tool) => {
  try { return run('sh', ['-c', `command -v ${tool}`]).trim(); } catch { return ''; }
};
const guest = (f) => join(here, 'guest', f);

const shared = process.env.WITC_SHARED_DIR ?? join(root, '..', 'shared');
const wasi020 = join(shared, 'corpus', 'wit', 'wasi', '0.2.0');

// Each case makes a component and returns its path, or a string starting `SKIP` .
const cases = {
  dummy() {
    const core = join(out, 'hello-dummy-core.wasm'), comp = join(out, 'hello-dummy.wasm');
    run(witc, ['component', 'embed', '--wit', guest('hello.wit'), '--world', 'hello', '--dummy', '-o', core]);
    jco('new', core, '-o', comp);
    return comp;
  },
  core() {
    const clang = ['clang-19', 'clang'].map(which).find((p) => p);
    if (!clang || !(which('wasm-ld') || which('wasm-ld-19'))) return 'SKIP: no clang with wasm-ld';
    const core = join(out, 'adder-core.wasm'), embedded = join(out, 'adder-embedded.wasm');
    const comp = join(out, 'adder.wasm');
    run(clang, ['--target=wasm32', '-nostdlib', '-O2', '-Wl,--no-entry', '-o', core, guest('adder.c')]);
    run(witc, ['component', 'embed', '--wit', guest('adder.wit'), core, '-o', embedded]);
    jco('new', embedded, '-o', comp);
    return comp;
  },
  proxy() {
    if (!existsSync(wasi020)) return `SKIP: no WASI WIT at ${wasi020}`;
    const core = join(out, 'proxy-core.wasm'), comp = join(out, 'proxy.wasm');
    run(witc, ['component', 'embed', '--wit', wasi020, '--world', 'wasi:http/proxy@0.2.0', '--dummy', '-o', core]);
    jco('new', core, '-o', comp);
    return comp;
  },
  'proxy-witc-new'() {
    if (!existsSync(wasi020)) return `SKIP: no WASI WIT at ${wasi020}`;
    const core = join(out, 'proxy-core.wasm'), comp = join(out, 'proxy-witc.wasm');
    run(witc, ['component', 'embed', '--wit', wasi020, '--world', 'wasi:http/proxy@0.2.0', '--dummy', '-o', core]);
    run(witc, ['component', 'new', core, '-o', comp]);
    return comp;
  },
  componentize() {
    const comp = join(out, 'hello-js.wasm');
    try {
      run(process.execPath, [join(here, 'componentize.mjs'), comp]);
    } catch (e) {
      if (e.status === 77) return `SKIP: ${e.stdout.trim()}`;
      throw e;
    }
    return comp;
  },
};

let passed = 0, failed = 0, skipped = 0;
for (const [name, make] of Object.entries(cases)) {
  try {
    const comp = make();
    if (comp.startsWith('SKIP')) {
      skipped++;
      console.log(`${name}: ${comp}`);
      continue;
    }
    run(witc, ['validate', comp]);
    const ours = run(witc, ['component', 'wit', comp]);
    const theirs = jco('wit', comp);
    if (ours.trim() !== theirs.trim()) throw new Error(`WIT differs:\n--- witc\n${ours}\n--- jco\n${theirs}`);
    passed++;
    console.log(`${name}: ok (${comp})`);
  } catch (e) {
    failed++;
    console.log(`FAIL ${name}: ${e.stderr ?? ''}${e.message}`);
  }
}
console.log(`jco-read: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed ? 1 : passed ? 0 : 77);
