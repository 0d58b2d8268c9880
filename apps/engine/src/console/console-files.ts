// Where the console's static files are on disk. Its own files (apps/engine/console) are found by
// walking up from this module to the nearest folder that holds them, so the same code serves them
// from the source tree (tests, `node --import @swc-node/register`) and from `dist/` (`npm run build`
// copies them to dist/apps/engine/console). The browser modules it needs, Preact and htm, are served
// straight from their installed npm packages: no build step, no CDN.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The console's own files, relative to the package root (and to `dist/`). */
export const CONSOLE_SOURCE_DIR = join('apps', 'engine', 'console');

/** A folder served under `/console/vendor/<name>/`, and the module of it the console imports. */
export interface VendorPackage {
  readonly name: string;
  readonly dir: string;
  readonly module: string;
}

export interface ConsoleFiles {
  /** Served at /console/ (index.html, the app's modules, the style sheet). */
  readonly assetsDir: string;
  readonly vendor: readonly VendorPackage[];
}

export class ConsoleFilesMissingError extends Error {}

/**
 * The console's folders. `from`: a file URL to start the search at (default: this module).
 * Throws ConsoleFilesMissingError, naming what is missing, when the console's files or an npm
 * package's module cannot be found (an installation without them cannot serve the console).
 */
export function resolveConsoleFiles(from: string = import.meta.url): ConsoleFiles {
  const start = dirname(fileURLToPath(from));
  let assetsDir: string | undefined;
  for (let dir = start; ; dir = dirname(dir)) {
    const candidate = join(dir, CONSOLE_SOURCE_DIR);
    if (existsSync(join(candidate, 'index.html'))) {
      assetsDir = candidate;
      break;
    }
    if (dir === parse(dir).root) break;
  }
  if (!assetsDir) throw new ConsoleFilesMissingError(`the console's files (${CONSOLE_SOURCE_DIR}/index.html) are not in any folder above ${start}`);
  const require = createRequire(from);
  // `require.resolve` gives the package's CommonJS or ESM entry; the ES module the browser loads sits
  // in the same folder (checked here, so a package upgrade that moves it fails at boot, not in a browser).
  const vendor = [
    { name: 'preact', entry: 'preact', module: 'preact.mjs' },
    { name: 'htm', entry: 'htm', module: 'htm.mjs' },
  ].map(({ name, entry, module }) => {
    const dir = dirname(require.resolve(entry));
    if (!existsSync(join(dir, module))) throw new ConsoleFilesMissingError(`the npm package ${name} has no ${module} beside its entry (${dir})`);
    return { name, dir, module };
  });
  return { assetsDir, vendor };
}
