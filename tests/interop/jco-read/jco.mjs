// Runs jco's CLI with `/` visible to the wasm-tools it bundles: jco 1.35 runs that
// wasm-tools under preview2-shim with no preopened directories, so path-based
// commands (`componentize`, `embed --wit`) fail with "os error 44" otherwise.
// Usage: node jco.mjs NODE_MODULES_DIR <jco arguments...>
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const nm = process.argv[2];
const shims = [
  '@bytecodealliance/jco-transpile/node_modules/@bytecodealliance/preview2-shim',
  '@bytecodealliance/jco/node_modules/@bytecodealliance/preview2-shim',
  '@bytecodealliance/preview2-shim',
];
// Every copy of the shim that may be loaded gets the preopen (each is its own module).
for (const s of shims) {
  const f = join(nm, s, 'dist/nodejs/filesystem.js');
  if (existsSync(f)) (await import(pathToFileURL(f).href))._addPreopen('/', '/');
}
process.argv.splice(2, 1);  // jco's CLI reads its arguments from argv[2]
await import(pathToFileURL(join(nm, '@bytecodealliance/jco/dist/jco.js')).href);
