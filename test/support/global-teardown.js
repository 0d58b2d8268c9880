import { rmSync } from 'node:fs';

export default async function globalTeardown() {
  if (globalThis.__LETHE_SOFTHSM_DIR__) rmSync(globalThis.__LETHE_SOFTHSM_DIR__, { recursive: true, force: true });
  const pg = globalThis.__LETHE_EMBEDDED_PG__;
  if (pg) await pg.stop();
}
