#!/usr/bin/env node
// The `lethe` command. Runs the built CLI when `npm run build` has been run, else the TypeScript
// sources directly (a development checkout).
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist/apps/cli/src/main.js');
if (existsSync(built)) {
  await import(pathToFileURL(built).href);
} else {
  // The compiler reads the checkout's tsconfig (its path aliases), wherever the command is run from.
  process.env.SWC_NODE_PROJECT ??= join(root, 'tsconfig.json');
  register('@swc-node/register/esm', pathToFileURL(join(root, '/')));
  await import(pathToFileURL(join(root, 'apps/cli/src/main.ts')).href);
}
