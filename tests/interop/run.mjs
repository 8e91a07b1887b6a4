// jco (wasm-tools compiled to JS) as an independent oracle for witc:
//  1. `witc component embed --dummy` writes a core module carrying a world's type;
//  2. `jco new` must turn it into a component (so it accepts our world encoding);
//  3. `witc validate` must accept jco's component;
//  4. `witc component wit` and `jco wit` must print the same WIT for it.
// Usage: npm install && WITC=/path/to/witc node run.mjs   (prints `N passed, N failed`;
// exits 77, CTest's skip, when witc or jco is missing)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const witc = process.env.WITC ?? join(root, 'build', 'witc', 'cli', 'witc');
const jco = join(here, 'node_modules', '.bin', 'jco');
const shared = process.env.WITC_SHARED_DIR ?? join(root, '..', 'shared');
if (!existsSync(witc) || !existsSync(jco)) {
  console.log(`SKIP: need witc (${witc}) and jco (npm install in ${here})`);
  process.exit(77);
}

const cases = [
  { wit: join(here, 'wit', 'types.wit') },
  { wit: join(shared, 'corpus/wit/wasi/0.2.0'), world: 'command-extended' },
].filter((c) => existsSync(c.wit));

const dir = mkdtempSync(join(tmpdir(), 'witc-interop-'));
const run = (cmd, args) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
let passed = 0, failed = 0;
cases.forEach((c, i) => {
  const core = join(dir, `core${i}.wasm`), comp = join(dir, `comp${i}.wasm`);
  try {
    run(witc, ['component', 'embed', '--wit', c.wit, ...(c.world ? ['--world', c.world] : []), '--dummy', '-o', core]);
    run(jco, ['new', core, '-o', comp]);
    run(witc, ['validate', comp]);
    const ours = run(witc, ['component', 'wit', comp]);
    const theirs = run(jco, ['wit', comp]);
    if (ours.trim() !== theirs.trim()) throw new Error(`WIT differs:\n--- witc\n${ours}\n--- jco\n${theirs}`);
    passed++;
  } catch (e) {
    failed++;
    console.log(`FAIL ${c.wit}: ${e.stderr ?? ''}${e.message}`);
  }
});
console.log(`interop: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
