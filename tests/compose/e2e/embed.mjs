// Stands in for `witc component new`'s embedding step until it exists: jco's own
// `embed` has no filesystem preopens in this version, so this sets `/` and calls it.
//   node embed.mjs CORE.wasm WIT WORLD OUT.wasm
import { createRequire } from 'node:module';
import { readFile, writeFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
const req = createRequire(import.meta.resolve('@bytecodealliance/jco-transpile/wasm-tools').replace('file://', ''));
const fsPath = req.resolve('@bytecodealliance/preview2-shim/filesystem');
const { _setPreopens } = await import(pathToFileURL(fsPath));
_setPreopens({ '/': '/' });
const { componentEmbed } = await import('@bytecodealliance/jco-transpile/wasm-tools');
const [core, wit, world, out] = process.argv.slice(2);
const output = await componentEmbed({ binary: await readFile(core), witPath: wit, world });
await writeFile(out, output);
