// Compiles the service to plain JavaScript (tsc with tsconfig.build.json) and copies the files it reads at
// run time, so production can run `node dist/adapters/runtime/node.js` without tsx's loader (~40 MB less).
// Usage: node scripts/build.mjs [--out DIR]   (DIR inside the repository, so node_modules resolves)
import { spawnSync } from 'node:child_process';
import { cpSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outFlag = process.argv.indexOf('--out');
const out = resolve(root, outFlag >= 0 ? (process.argv[outFlag + 1] ?? 'dist') : 'dist');

rmSync(out, { recursive: true, force: true });
const tsc = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json'), '--outDir', out],
  {
    stdio: 'inherit',
  },
);
if (tsc.status !== 0) {
  console.error('build failed: tsc reported errors (above)');
  process.exit(1);
}
// Not TypeScript, read from disk next to the module that serves it.
cpSync(join(root, 'adapters/webchat/assets'), join(out, 'adapters/webchat/assets'), { recursive: true });
console.log(`built into ${out}; run: node ${join(out, 'adapters/runtime/node.js')}`);
