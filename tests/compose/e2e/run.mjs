// Runs the transpiled composition: `run` comes from the root (app.wasm).
const [dir] = process.argv.slice(2);
const { run } = await import(`${dir}/composed.js`);
run();
