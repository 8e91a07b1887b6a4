// Calls the transpiled component like any ES module: `greet` is a plain JS function.
// run.sh writes the component's JS to out/js/ (or to $OUT/js/).
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const out = process.env.OUT ?? fileURLToPath(new URL('./out', import.meta.url));
const { greet } = await import(pathToFileURL(join(out, 'js', 'hello.js')).href);

console.log(greet(process.argv[2] ?? 'world'));
