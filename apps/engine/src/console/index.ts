// The read-only web console served at /console (its browser files are in apps/engine/console).
export { serveConsole, CONSOLE_CSP, CONSOLE_PATH } from './serve-console.js';
export { resolveConsoleFiles, ConsoleFilesMissingError, CONSOLE_SOURCE_DIR, type ConsoleFiles, type VendorPackage } from './console-files.js';
