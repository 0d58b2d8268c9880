// The read-only web console at /console: static files only, public (they hold no secret and no
// data); every piece of data comes from the /v1 API with the bearer token the user types in, so the
// console can show nothing its token may not read. Served with a strict Content-Security-Policy: only
// this origin's scripts, styles and API, no inline script or style, no framing, no plugins.
import type { NestExpressApplication } from '@nestjs/platform-express';
import { resolveConsoleFiles, type ConsoleFiles } from './console-files.js';

export const CONSOLE_PATH = '/console';

/**
 * The policy of every console file. `connect-src 'self'`: the app may call this engine's API and
 * nothing else; `require-trusted-types-for 'script'`: no string ever reaches an HTML sink.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
  "require-trusted-types-for 'script'",
].join('; ');

interface HeaderSink {
  setHeader(name: string, value: string): unknown;
}

function consoleHeaders(res: HeaderSink): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  // Revalidated on each load (ETag), so an upgraded engine's console is never mixed with a cached one.
  res.setHeader('Cache-Control', 'no-cache');
}

/**
 * Serves the console's files at /console/ (index.html; /console redirects there) and the npm
 * modules it imports at /console/vendor/<package>/. GET and HEAD only: anything else, or a file that
 * is not there, falls through to the API's 404 problem. Returns the folders served.
 */
export function serveConsole(app: NestExpressApplication, files: ConsoleFiles = resolveConsoleFiles()): ConsoleFiles {
  const common = { index: false, dotfiles: 'ignore', fallthrough: true, setHeaders: consoleHeaders } as const;
  for (const pkg of files.vendor) {
    app.useStaticAssets(pkg.dir, { ...common, prefix: `${CONSOLE_PATH}/vendor/${pkg.name}`, redirect: false });
  }
  app.useStaticAssets(files.assetsDir, { ...common, prefix: CONSOLE_PATH, index: 'index.html', redirect: true });
  return files;
}
