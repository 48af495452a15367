// Optimises WASM files in place as `wasm-opt -O1` does (the same bytes), in one process: binaryen's
// npm build is WASM run by Node, and starting it once per file cost more than the optimising.
// Usage: node scripts/wasm-opt.mjs FILE.wasm…
// The level matches `wasm-opt-features` in Cargo.toml; the features are the module's own (its
// target_features section), as wasm-opt reads them.
import { readFileSync, writeFileSync } from 'node:fs';

const { default: binaryen } = await import(
  new URL('../end2end/node_modules/binaryen/index.js', import.meta.url)
);

binaryen.setOptimizeLevel(1);
binaryen.setShrinkLevel(0);
binaryen.setDebugInfo(false);

for (const file of process.argv.slice(2)) {
  const module = binaryen.readBinary(readFileSync(file));
  module.optimize();
  writeFileSync(file, module.emitBinary());
  module.dispose();
}
