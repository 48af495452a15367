// Optimises WASM files in place as `wasm-opt` does (the same bytes), in one process: binaryen's
// npm build is WASM run by Node, and starting it once per file cost more than the optimising.
// Usage: node scripts/wasm-opt.mjs ARGS_FILE FILE.wasm…
// ARGS_FILE holds the arguments cargo-leptos gave wasm-opt (scripts/wasm-opt-later/wasm-opt), one a
// line: its options (`wasm-opt-features` in Cargo.toml), then `FILE -o FILE`.
import { readFileSync, writeFileSync } from 'node:fs';

const { default: binaryen } = await import(
  new URL('../end2end/node_modules/binaryen/index.js', import.meta.url)
);

// The options this applies as wasm-opt does, checked to give the same bytes on this app's files.
// Others (e.g. -Oz, which came out different) stop it instead of optimising differently.
const LEVELS = { '-O1': [1, 0] };
// Features a module gets besides its own (its target_features section, read as wasm-opt reads it).
const FEATURES = {
  '--enable-bulk-memory': binaryen.Features.BulkMemory,
  '--enable-nontrapping-float-to-int': binaryen.Features.NontrappingFPToInt,
};

const [argsFile, ...files] = process.argv.slice(2);
const options = readFileSync(argsFile, 'utf8').split('\n').filter(Boolean).slice(0, -3);
let extraFeatures = 0;
for (const option of options) {
  if (option in LEVELS) {
    const [optimize, shrink] = LEVELS[option];
    binaryen.setOptimizeLevel(optimize);
    binaryen.setShrinkLevel(shrink);
  } else if (option in FEATURES) {
    extraFeatures |= FEATURES[option];
  } else {
    console.error(`wasm-opt.mjs: cannot apply the wasm-opt option ${option}`);
    process.exit(2);
  }
}
binaryen.setDebugInfo(false);

for (const file of files) {
  const module = binaryen.readBinary(readFileSync(file));
  module.setFeatures(module.getFeatures() | extraFeatures);
  module.optimize();
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
