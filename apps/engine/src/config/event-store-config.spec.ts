// LETHE_EVENT_STORE and EVENTSTORE_CONNECTION_STRING, read through loadConfig.
import { ENGINE_ENV_VARS, loadConfig } from './engine-config.js';
import { problemsOf } from './config-problems.fixture.js';

const SECRET = 'pa55-w0rd-never-echoed';

describe('event store configuration', () => {
  it('is postgres by default', () => {
    expect(loadConfig({}).eventStore).toEqual({ kind: 'postgres' });
    expect(loadConfig({ LETHE_EVENT_STORE: 'postgres' }).eventStore).toEqual({ kind: 'postgres' });
  });

  it('reads eventstoredb with its connection string', () => {
    const connectionString = `esdb://admin:${SECRET}@node1:2113,node2:2113?tls=true`;
    expect(loadConfig({ LETHE_EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString }).eventStore).toEqual({
      kind: 'eventstoredb',
      connectionString,
    });
  });

  it('refuses another store, naming the setting and the choices', () => {
    expect(problemsOf({ LETHE_EVENT_STORE: 'kafka' })).toEqual(['LETHE_EVENT_STORE: must be one of postgres, eventstoredb']);
  });

  it('requires the connection string with eventstoredb, and refuses it without', () => {
    expect(problemsOf({ LETHE_EVENT_STORE: 'eventstoredb' })).toEqual(['EVENTSTORE_CONNECTION_STRING: required with LETHE_EVENT_STORE=eventstoredb']);
    expect(problemsOf({ EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113' })).toEqual([
      'EVENTSTORE_CONNECTION_STRING: only applies with LETHE_EVENT_STORE=eventstoredb',
    ]);
  });

  it('refuses a malformed connection string without echoing it', () => {
    for (const bad of [`https://admin:${SECRET}@node1:2113`, `esdb://admin:${SECRET}@node1:port`, `esdb://admin:${SECRET}@node1:2113?colour=blue`]) {
      const problems = problemsOf({ LETHE_EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: bad });
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^EVENTSTORE_CONNECTION_STRING: must be an esdb:\/\//);
      expect(problems[0]).not.toContain(SECRET);
    }
  });

  it('refuses eventstoredb with the manual clock (it checks itself against the PostgreSQL log)', () => {
    expect(problemsOf({ LETHE_EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false', LETHE_CLOCK: 'manual' })).toEqual([
      expect.stringMatching(/^LETHE_EVENT_STORE: eventstoredb is refused with LETHE_CLOCK=manual/),
    ]);
  });

  it('lists both settings among the engine variables', () => {
    expect(ENGINE_ENV_VARS).toEqual(expect.arrayContaining(['LETHE_EVENT_STORE', 'EVENTSTORE_CONNECTION_STRING']));
  });
});
