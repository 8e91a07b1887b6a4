// Makes a component from guest/hello.js and guest/hello.wit with `jco componentize`
// (StarlingMonkey: a ~12 MB component, most of it one core module). The output is
// kept and remade only when an input is newer, since componentizing takes minutes.
// Usage: node componentize.mjs OUT.wasm   (exit 77 when node_modules has no jco)
import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const nm = process.env.JCO_NODE_MODULES ?? join(here, '..', 'node_modules');
const out = process.argv[2];
if (!out) {
  console.log('usage: node componentize.mjs OUT.wasm');
  process.exit(2);
}
if (!existsSync(join(nm, '@bytecodealliance/jco/dist/jco.js')) ||
    !existsSync(join(nm, '@bytecodealliance/componentize-js'))) {
  console.log(`SKIP: no jco/componentize-js in ${nm} (npm install in ${join(here, '..')})`);
  process.exit(77);
}
const inputs = ['hello.js', 'hello.wit'].map((f) => join(here, 'guest', f));
const stale = !existsSync(out) || inputs.some((f) => statSync(f).mtimeMs > statSync(out).mtimeMs);
if (stale) {
  execFileSync(process.execPath, [join(here, 'jco.mjs'), nm, 'componentize', inputs[0], '--wit', inputs[1],
                                  '--world-name', 'hello', '-o', out], { stdio: 'inherit' });
}
console.log(out);
