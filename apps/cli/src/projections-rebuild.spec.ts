// `lethe projections rebuild` reads the PostgreSQL log: with the log in EventStoreDB it refuses
// (exit 2) before touching any database, saying why.
import { jest } from '@jest/globals';
import { loadConfig } from '../../engine/src/config/engine-config.js';
import { rebuildProjectionsCommand } from './projections-rebuild.js';

it('refuses with LETHE_EVENT_STORE=eventstoredb, naming the setting', async () => {
  let stderr = '';
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    const config = loadConfig({ LETHE_EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://admin:pw-never-shown@localhost:2113?tls=false' });
    expect(await rebuildProjectionsCommand(config, undefined)).toBe(2);
  } finally {
    err.mockRestore();
  }
  expect(stderr).toContain('LETHE_EVENT_STORE=eventstoredb');
  expect(stderr).not.toContain('pw-never-shown');
});
