// `npm run bench` (third part): the cost of one key-ring command at any age. Records a backup through
// the command path the API uses (RecordBackupCommand on the CommandBus of LifecycleModule, with the
// local vault and data plane) on a new ring at its 10th backup and on two ten-year rings at their
// 10,000th, in the same run, interleaved with one raw single-event `pg` insert. The old ring keeps
// only short-lived backups, so retirements archive them and its state stays small; the aged ring also
// takes monthly and yearly long-term backups, which hold their key versions (P3) and with them every
// backup of those versions: its state holds thousands of backups, as a fleet's oldest rings do.
// Prints medians and the ratios.
// It is a report: the exit code is 0 even when a target is missed (non-zero only if it crashed).
import { generateKeyPairSync } from 'node:crypto';
import pg from 'pg';
import { ManualClock } from '@lethe/clock';
import { LocalDataPlane, LocalReadProbe, dataplaneMigrations, platformKeyFrom } from '@lethe/dataplane';
import { decideKeyRing, evolveKeyRing, schemaVersionOf, keyRingStream, retentionTimers, type KeyRingEvent, type KeyRingState } from '@lethe/domain';
import { PostgresEventStore, eventStoreMigrations, type JsonValue } from '@lethe/eventstore';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  KeyRingRepository,
  LifecycleModule,
  OnboardTenantCommand,
  RecordBackupCommand,
  SNAPSHOT_EVERY,
  causedEventId,
  certificateMigrations,
  snapshotMigrations,
} from '@lethe/lifecycle';
import { readModelEntities } from '@lethe/readmodel';
import { runMigrations } from '@lethe/postgres';
import { PostgresDeadlineStore, schedulerMigrations } from '@lethe/scheduler';
import { LocalKeyVault, MasterKey, PostgresSigningKeyRegistry, SigningKeyring, signingKeyMigrations, vaultMigrations } from '@lethe/vault';
import { openBenchDatabase } from './server.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const YEARS = 10;
const OLD_BACKUPS = 10_000;
const YOUNG_BACKUPS = 10;
/** Measured commands per side (medians), after WARMUP unmeasured ones. */
const SAMPLES = 41;
const WARMUP = 5;
const ROTATION_DAYS = 90;
const PITR_DAYS = 7;
const BACKUP_RETENTION_DAYS = 7;
/** The aged ring's long-term retention: every MONTHLY_EVERY-th backup kept a year, every YEARLY_EVERY-th ten years. */
const MONTHLY_EVERY = Math.round(OLD_BACKUPS / YEARS / 12);
const YEARLY_EVERY = OLD_BACKUPS / YEARS;
const MONTHLY_RETENTION_DAYS = 365;
const YEARLY_RETENTION_DAYS = 3650;
const BATCH = 500;
const AGE_TARGET = 1.25;
const RAW_TARGET = 3;

const say = (line: string) => console.log(line);
const START = new Date('2016-01-04T00:00:00.000Z');

function profile(tenantId: string) {
  return {
    tenantId,
    jurisdiction: 'DE',
    timeZone: 'Europe/Berlin',
    excludedHolidayTypes: ['public', 'bank'],
    partialHolidays: 'working' as const,
    keyCustody: 'managed' as const,
    backupKeyMode: 'customer' as const,
    databases: [{ databaseId: 'db-1' }],
    shredGraceWorkingDays: 2,
    rotationPeriodDays: ROTATION_DAYS,
    pitrRetentionDays: PITR_DAYS,
  };
}

type BackupInput = {
  readonly backupId: string;
  readonly databaseId: string;
  readonly kind: 'pitr' | 'ltr';
  readonly coveredFrom: string;
  readonly takenAt: string;
  readonly expiresAt: string;
};
type InputOf = (n: number, takenAt: Date, previous: Date) => BackupInput;

const backupInput: InputOf = (n, takenAt, previous) => ({
  backupId: `log-${String(n).padStart(6, '0')}`,
  databaseId: 'db-1',
  kind: 'pitr',
  coveredFrom: previous.toISOString(),
  takenAt: takenAt.toISOString(),
  expiresAt: new Date(takenAt.getTime() + BACKUP_RETENTION_DAYS * DAY_MS).toISOString(),
});

/** The aged ring's schedule: the log backups of `backupInput`, with monthly and yearly long-term ones among them. */
const agedBackupInput: InputOf = (n, takenAt, previous) => {
  const days = n % YEARLY_EVERY === 0 ? YEARLY_RETENTION_DAYS : n % MONTHLY_EVERY === 0 ? MONTHLY_RETENTION_DAYS : null;
  const log = backupInput(n, takenAt, previous);
  return days === null ? log : { ...log, kind: 'ltr', expiresAt: new Date(takenAt.getTime() + days * DAY_MS).toISOString() };
};

const median = (values: readonly number[]) => {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function timed(work: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await work();
  return performance.now() - t;
}

/**
 * Ten years of one database's history on each ring, the way the engine writes it: a backup every
 * YEARS*365/OLD_BACKUPS days (decided by the domain, appended straight to the stream in batches),
 * a rotation every ROTATION_DAYS (a real vault version and re-protection) and each superseded
 * version retired when its retainUntil passes, all through the repository. The rings are filled side
 * by side, as the clock only moves forward. Returns the last backup's instant.
 */
async function fillTenYears(keyRings: KeyRingRepository, store: PostgresEventStore, vault: LocalKeyVault, dataPlane: LocalDataPlane, clock: ManualClock, rings: readonly { tenantId: string; inputOf: InputOf }[]): Promise<Date> {
  const interval = (YEARS * 365 * DAY_MS) / OLD_BACKUPS;
  const filling = await Promise.all(
    rings.map(async ({ tenantId, inputOf }) => ({ tenantId, inputOf, stream: keyRingStream(tenantId), ...(await keyRings.load(tenantId)), pending: [] as { id: string; type: string; data: JsonValue; metadata: Record<string, JsonValue> }[] })),
  );
  type Ring = (typeof filling)[number];
  const flush = async (ring: Ring) => {
    if (ring.pending.length === 0) return;
    const result = await store.append(ring.stream, ring.pending, ring.revision);
    ring.revision = result.nextRevision;
    ring.pending = [];
  };
  const execute = async (ring: Ring, command: Parameters<KeyRingRepository['execute']>[1], cause: string) => {
    await flush(ring);
    const done = await keyRings.execute(ring.tenantId, command, cause, { loaded: { state: ring.state, revision: ring.revision } });
    ring.state = done.state;
    ring.revision = done.revision;
  };
  let nextRotation = START.getTime() + ROTATION_DAYS * DAY_MS;
  let previous = START;
  for (let n = 1; n < OLD_BACKUPS; n++) {
    const at = new Date(START.getTime() + n * interval);
    clock.set(at);
    const rotate = at.getTime() >= nextRotation;
    if (rotate) nextRotation += ROTATION_DAYS * DAY_MS;
    for (const ring of filling) {
      if (rotate) {
        const from = ring.state.versions[ring.state.versions.length - 1]!.keyVersionId;
        const created = await vault.createVersion(ring.state.keyId!);
        await execute(ring, { type: 'AddKeyVersion', data: { keyVersionId: created.versionId, source: 'policy', createdAt: created.createdAt.toISOString() } }, `rotate:${created.versionId}`);
        await dataPlane.reprotectDatabase(ring.tenantId, 'db-1', from, created.versionId);
        await execute(ring, { type: 'RecordReprotection', data: { databaseId: 'db-1', fromKeyVersionId: from, toKeyVersionId: created.versionId } }, `reprotect:${created.versionId}`);
      }
      for (const due of retentionTimers(ring.state).filter((t) => Date.parse(t.retainUntil) <= at.getTime())) {
        await execute(ring, { type: 'RetireKeyVersion', data: { keyVersionId: due.keyVersionId } }, `retire:${due.keyVersionId}`);
      }
      const command = { type: 'RecordBackup' as const, data: { ...ring.inputOf(n, at, previous), protection: 'customer-key' as const } };
      for (const [i, e] of decideKeyRing(command, ring.state, { now: at }).entries()) {
        ring.pending.push({
          id: causedEventId(ring.stream, `backup:${command.data.backupId}`, i),
          type: e.type,
          data: e.data as unknown as JsonValue,
          metadata: { schemaVersion: schemaVersionOf(e.type), causationId: `backup:${command.data.backupId}`, occurredAt: at.toISOString() },
        });
        ring.state = evolveKeyRing(ring.state, e as KeyRingEvent);
      }
      if (ring.pending.length >= BATCH) await flush(ring);
    }
    previous = at;
  }
  for (const ring of filling) await flush(ring);
  return previous;
}

async function main(): Promise<void> {
  const db = await openBenchDatabase();
  say(`PostgreSQL: ${db.source} at ${db.server}, database ${db.database}`);
  const pool = new pg.Pool({ connectionString: db.url, max: 4 });
  pool.on('error', () => undefined);
  const store = new PostgresEventStore(pool);
  try {
    await runMigrations(db.url, [
      ...eventStoreMigrations,
      ...schedulerMigrations,
      ...vaultMigrations,
      ...dataplaneMigrations,
      ...signingKeyMigrations,
      ...certificateMigrations,
      ...snapshotMigrations,
    ]);
    await pool.query('create table bench_raw_events (stream_id text not null, revision bigint not null, data jsonb not null, primary key (stream_id, revision))');
    const clock = new ManualClock(START);
    const masterKey = MasterKey.generate();
    const vault = new LocalKeyVault(pool, masterKey, clock);
    const dataPlane = new LocalDataPlane(pool, vault, platformKeyFrom(masterKey), clock);
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const pair = { privateKey, publicKey, source: 'generated' as const };
    const signingKeys = new PostgresSigningKeyRegistry(pool);
    const ports = {
      store,
      clock,
      deadlines: new PostgresDeadlineStore(pool, clock),
      vault,
      dataPlane,
      probe: new LocalReadProbe(pool, vault),
      pool,
      signing: new SigningKeyring(signingKeys, async () => pair, clock, pair),
      signingKeys,
      logger: { info: () => undefined, warn: (o: unknown, m?: string) => say(`  warn: ${m ?? ''} ${JSON.stringify(o)}`), error: () => undefined },
      keyDetectionIntervalMs: 15 * 60 * 1000,
    };
    // The engine's wiring of the use cases, without HTTP: LifecycleModule's buses over these ports.
    class BenchModule {}
    Module({})(BenchModule);
    const app = await NestFactory.createApplicationContext(
      {
        module: BenchModule,
        imports: [
          TypeOrmModule.forRoot({ type: 'postgres', url: db.url, entities: readModelEntities, synchronize: false, extra: { max: 2 } }),
          LifecycleModule.forRoot(ports),
        ],
      },
      { logger: false },
    );
    const commands = app.get(CommandBus, { strict: false });
    const keyRings = app.get(KeyRingRepository, { strict: false });
    const onboard = (tenantId: string) => commands.execute(new OnboardTenantCommand(profile(tenantId)));

    say(`filling two rings with ${YEARS} years of history: ${OLD_BACKUPS - 1} backups each (every ${((YEARS * 365 * 24) / OLD_BACKUPS).toFixed(1)} h, ` +
      `kept ${BACKUP_RETENTION_DAYS} days; on the aged ring one in ${MONTHLY_EVERY} kept ${MONTHLY_RETENTION_DAYS} days and one in ${YEARLY_EVERY} ${YEARLY_RETENTION_DAYS}), ` +
      `a rotation every ${ROTATION_DAYS} days, retirements as retention allows`);
    const fillStart = performance.now();
    await onboard('old');
    await onboard('aged');
    const filledAt = await fillTenYears(keyRings, store, vault, dataPlane, clock, [
      { tenantId: 'old', inputOf: backupInput },
      { tenantId: 'aged', inputOf: agedBackupInput },
    ]);
    say(`  filled in ${((performance.now() - fillStart) / 1000).toFixed(1)} s:`);
    for (const tenantId of ['old', 'aged']) {
      const filled = await keyRings.load(tenantId);
      say(`  ${tenantId}: stream revision ${filled.revision}, ${filled.state.versions.length} key versions (${filled.state.versions.filter((v) => !v.retiredAt).length} not retired), ` +
        `${filled.state.backups.length} backups in the state, ${filled.state.archivedBackups} archived`);
    }

    // The command path the API takes (the handler reads the ring and the tenant once each), and the
    // bare repository path (load, decide with the archived-backup lookup, data plane, append).
    type Via = (tenantId: string, input: BackupInput) => Promise<unknown>;
    const viaService: Via = (tenantId, input) => commands.execute(new RecordBackupCommand(tenantId, input));
    const viaRepository: Via = async (tenantId, input) => {
      const loaded = await keyRings.load(tenantId);
      const command = { type: 'RecordBackup' as const, data: { ...input, protection: 'customer-key' as const } };
      // One context for the decision and the append, as the handler does (an aged ring's archived-backup lookup is a read).
      const context = await keyRings.contextFor(clock.now(), loaded.state, command);
      const decided = decideKeyRing(command, loaded.state, context);
      const recorded = decided.find((e) => e.type === 'BackupRecorded');
      if (recorded?.type === 'BackupRecorded') await dataPlane.recordBackup(tenantId, input.backupId, input.databaseId, recorded.data.restoreKeyVersionId!);
      await keyRings.execute(tenantId, command, `backup:${input.backupId}`, { loaded, context });
    };
    // The measured backups are log backups on both ten-year rings: only the ring's history differs.
    const tenYearRing = (tenantId: string) => {
      let next = OLD_BACKUPS;
      let previous = filledAt;
      return (via: Via) => async () => {
        const at = new Date(clock.now().getTime() + 60_000);
        clock.set(at);
        await via(tenantId, backupInput(next++, at, previous));
        previous = at;
      };
    };
    const recordOld = tenYearRing('old');
    const recordAged = tenYearRing('aged');
    let young = 0;
    const youngRing = async (via: Via): Promise<() => Promise<void>> => {
      const tenantId = `young-${++young}`;
      await onboard(tenantId);
      let prev = clock.now();
      for (let n = 1; n < YOUNG_BACKUPS; n++) {
        const at = new Date(prev.getTime() + 1000);
        await viaService(tenantId, backupInput(n, at, prev));
        prev = at;
      }
      return async () => {
        await via(tenantId, backupInput(YOUNG_BACKUPS, new Date(prev.getTime() + 1000), prev));
      };
    };
    let rawRevision = 0;
    const rawInsert = () =>
      pool.query('insert into bench_raw_events (stream_id, revision, data) values ($1, $2, $3)', ['raw', rawRevision++, JSON.stringify(backupInput(rawRevision, clock.now(), clock.now()))]);

    for (let i = 0; i < WARMUP; i++) {
      await recordOld(viaService)();
      await recordOld(viaRepository)();
      await recordAged(viaService)();
      await recordAged(viaRepository)();
      await (await youngRing(viaService))();
      await (await youngRing(viaRepository))();
      await rawInsert();
    }
    const samples = { young: [] as number[], old: [] as number[], aged: [] as number[], youngRepo: [] as number[], oldRepo: [] as number[], agedRepo: [] as number[], raw: [] as number[] };
    for (let i = 0; i < SAMPLES; i++) {
      const tenth = await youngRing(viaService);
      const tenthRepo = await youngRing(viaRepository);
      // Alternate the order, so drift of a noisy machine hits every side alike.
      const order: [keyof typeof samples, () => Promise<unknown>][] = [
        ['young', tenth],
        ['old', recordOld(viaService)],
        ['aged', recordAged(viaService)],
        ['raw', rawInsert],
        ['youngRepo', tenthRepo],
        ['oldRepo', recordOld(viaRepository)],
        ['agedRepo', recordAged(viaRepository)],
      ];
      if (i % 2) order.reverse();
      for (const [side, work] of order) samples[side].push(await timed(work));
    }
    const m = Object.fromEntries(Object.entries(samples).map(([side, values]) => [side, median(values)])) as Record<keyof typeof samples, number>;
    const ringFacts: string[] = [];
    for (const tenantId of ['old', 'aged']) {
      const after: KeyRingState = (await keyRings.load(tenantId)).state;
      const snapshot = await pool.query<{ revision: string }>('select revision from lethe_snapshots where stream_id = $1', [keyRingStream(tenantId)]);
      ringFacts.push(`the ${tenantId} ring's is at revision ${snapshot.rows[0]?.revision ?? 'none'}; ${after.backups.length} backups in its state`);
    }
    say('');
    say(`record a backup (vault + data plane + key ring) through RecordBackupCommand on the CommandBus, and through one load + KeyRingRepository.execute; medians of ${SAMPLES} after ${WARMUP} warm-ups; ` +
      `snapshot every ${SNAPSHOT_EVERY} events (${ringFacts.join('; ')})`);
    const rows = [
      ['workload', 'median ms', 'ratio', 'target', 'result'],
      ['raw pg insert of 1 event', m.raw.toFixed(2), '-', '-', 'report'],
      ...(
        [
          ['CommandBus', m.young, m.old, m.aged],
          ['repository, one read', m.youngRepo, m.oldRepo, m.agedRepo],
        ] as const
      ).flatMap(([path, young, old, aged]) => [
        [`${path}: backup ${YOUNG_BACKUPS} (new ring)`, young.toFixed(2), '-', '-', 'report'],
        ...(
          [
            [`${YEARS}-year ring`, old],
            [`aged ${YEARS}-year ring`, aged],
          ] as const
        ).flatMap(([ring, ms]) => [
          [`${path}: backup ${OLD_BACKUPS.toLocaleString('en-US')} (${ring}) / backup ${YOUNG_BACKUPS}`, ms.toFixed(2), (ms / young).toFixed(2), `<= ${AGE_TARGET.toFixed(2)}`, ms / young <= AGE_TARGET ? 'PASS' : 'FAIL'],
          [`${path}: backup ${OLD_BACKUPS.toLocaleString('en-US')} (${ring}) / raw insert`, ms.toFixed(2), (ms / m.raw).toFixed(2), `<= ${RAW_TARGET.toFixed(2)}`, ms / m.raw <= RAW_TARGET ? 'PASS' : 'FAIL'],
        ]),
      ]),
    ];
    const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
    const line = (r: string[]) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!))).join('  ');
    say(line(rows[0]!));
    say(widths.map((w) => '-'.repeat(w)).join('  '));
    for (const r of rows.slice(1)) say(line(r));
    say(`(this is a report, the exit code does not depend on the targets)`);
    await app.close();
  } finally {
    await store.close();
    await pool.end();
    await db.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
