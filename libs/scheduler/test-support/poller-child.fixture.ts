// A stand-alone engine instance for deadline-crash.int-spec.ts: ticks a DeadlinePoller in a loop
// against LETHE_FIXTURE_DB_URL until its parent goes away (IPC disconnect) or 60 s pass.
//   handler 'crash': logs the invocation (handler_started), then
//   - for LETHE_FIXTURE_VICTIM_ID when LETHE_FIXTURE_HANG_ON_VICTIM=1: sleeps "forever" (the test kills us here);
//   - otherwise waits LETHE_FIXTURE_HANDLER_DELAY_MS and writes its effect (fired_log).
// Claims last LETHE_FIXTURE_LEASE_MS (default 1500) and name the poller `child-<pid>`.
// Run with: node --import @swc-node/register/esm-register libs/scheduler/test-support/poller-child.fixture.ts
import pg from 'pg';
import { SystemClock } from '@lethe/clock';
import { DeadlinePoller } from '../src/index.js';

const url = required('LETHE_FIXTURE_DB_URL');
const victimId = required('LETHE_FIXTURE_VICTIM_ID');
const hangOnVictim = process.env.LETHE_FIXTURE_HANG_ON_VICTIM === '1';
const handlerDelayMs = Number(process.env.LETHE_FIXTURE_HANDLER_DELAY_MS ?? '10');
const leaseMs = Number(process.env.LETHE_FIXTURE_LEASE_MS ?? '1500');

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const pool = new pg.Pool({ connectionString: url, max: 2 });
const side = new pg.Pool({ connectionString: url, max: 1 });
// Errors of idle clients (e.g. the test dropping the database) must not crash the loop.
pool.on('error', () => undefined);
side.on('error', () => undefined);

const poller = new DeadlinePoller(
  pool,
  new SystemClock(),
  {
    crash: async (deadline) => {
      await side.query('insert into handler_started (deadline_id, pid) values ($1, $2)', [deadline.id, process.pid]);
      if (deadline.id === victimId && hangOnVictim) await sleep(120_000);
      await sleep(handlerDelayMs);
      await side.query('insert into fired_log (deadline_id, pid) values ($1, $2)', [deadline.id, process.pid]);
    },
  },
  { batchSize: 5, handlerTimeoutMs: 300_000, leaseMs, owner: `child-${process.pid}`, backoff: { baseMs: 100, maxMs: 1000 } },
);

let running = true;
const stop = () => {
  running = false;
  // A handler may be asleep mid-claim: do not linger for it.
  setTimeout(() => process.exit(0), 2000).unref();
};
process.on('disconnect', stop);
process.on('SIGTERM', stop);
// Never outlive a test run, whatever happens to the parent.
setTimeout(() => process.exit(1), 60_000).unref();

while (running) {
  try {
    await poller.tick();
  } catch (error) {
    process.stderr.write(`tick failed: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  await sleep(25);
}
await poller.stop();
await Promise.allSettled([pool.end(), side.end()]);
process.exit(0);
