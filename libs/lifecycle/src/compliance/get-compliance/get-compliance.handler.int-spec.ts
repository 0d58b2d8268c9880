// Compliance over the key ring read models, paged over live key rings: a managed key older than its
// rotation period breaks P1 on the page that covers its ring. The tally counts the same findings over
// every page, and the databases a new version has not reached yet.
import { createLifecycleFixture, type LifecycleFixture } from '../../../test-support/lifecycle-fixture.js';
import { decodeCursor } from '@lethe/readmodel';
import { COMPLIANCE_LISTING, GetComplianceQuery } from './get-compliance.query.js';
import { GetComplianceHandler } from './get-compliance.handler.js';
import { CountComplianceQuery } from '../count-compliance/count-compliance.query.js';
import { CountComplianceHandler } from '../count-compliance/count-compliance.handler.js';
import { judgeCompliancePage } from '../compliance-page.js';
import { keyRingFactsOf } from '@lethe/domain';

let f: LifecycleFixture;
let handler: GetComplianceHandler;

beforeAll(async () => {
  f = await createLifecycleFixture(new Date('2026-03-02T09:00:00.000Z'));
  await f.onboard('alpha', { rotationPeriodDays: 365 });
  await f.onboard('bravo', { rotationPeriodDays: 1 });
  await f.project();
  f.clock.set(new Date('2026-03-05T09:00:00.000Z'));
  handler = new GetComplianceHandler(f.readModels, f.clock);
});

afterAll(async () => {
  await f?.close();
});

describe('get compliance', () => {
  it('reports each ring on one page, the overdue rotation on the page covering its tenant', async () => {
    const first = await handler.execute(new GetComplianceQuery({ limit: 1, after: null }));
    expect(first).toEqual({ at: '2026-03-05T09:00:00.000Z', P1: [], P2: [], P3: [], nextCursor: expect.any(String) });
    const second = await handler.execute(new GetComplianceQuery({ limit: 1, after: decodeCursor(COMPLIANCE_LISTING.name, first.nextCursor!, COMPLIANCE_LISTING.key) }));
    expect(second.P1).toEqual([expect.objectContaining({ tenantId: 'bravo', keyCustody: 'managed', limitDays: 1 })]);
    // The id the compliance watch opens it under (ComplianceViolationOpened, compliance.violation-opened).
    expect(second.P1[0].violationId).toBe(`P1:${second.P1[0].tenantId}:${second.P1[0].newestKeyVersionId}`);
    expect(second.nextCursor).toBeNull();
  });
});

describe('count compliance', () => {
  it('counts the findings of every page, whatever the page size', async () => {
    const tally = new CountComplianceHandler(f.readModels, f.clock);
    const expected = { at: '2026-03-05T09:00:00.000Z', rings: 2, violations: { P1: 1, P2: 0, P3: 0 }, databasesBehind: 0, databasesOverdue: 0 };
    expect(await tally.execute(new CountComplianceQuery(1))).toEqual(expected);
    expect(await tally.execute(new CountComplianceQuery())).toEqual(expected);
  });

  it('counts a database behind a new version as pending, and as overdue 24 hours after the version appeared', async () => {
    await f.onboard('charlie', { databases: [{ databaseId: 'db-1' }, { databaseId: 'db-2' }] });
    await f.project();
    const { state } = await f.opener.loadOpened('charlie');
    const created = await f.vault.createVersion(state.keyId!);
    await f.keyRings.execute('charlie', { type: 'AddKeyVersion', data: { keyVersionId: created.versionId, source: 'manual', createdAt: created.createdAt.toISOString() } }, `rotate:${created.versionId}`);
    await f.project();
    const tally = new CountComplianceHandler(f.readModels, f.clock);
    expect(await tally.execute(new CountComplianceQuery(2))).toMatchObject({ rings: 3, violations: { P1: 1, P2: 0 }, databasesBehind: 2, databasesOverdue: 0 });
    f.clock.set(new Date(created.createdAt.getTime() + 24 * 3600_000 + 1));
    expect(await tally.execute(new CountComplianceQuery(2))).toMatchObject({ rings: 3, violations: { P2: 1 }, databasesBehind: 2, databasesOverdue: 2 });
  });

  it('judges each ring on the facts its aggregate has, read from the read model in one statement', async () => {
    const judged = await judgeCompliancePage(f.readModels, f.clock.now(), { limit: 10, after: null });
    expect(judged.items.map((j) => j.facts.tenantId)).toEqual(['alpha', 'bravo', 'charlie']);
    for (const { facts } of judged.items) expect(facts).toEqual(keyRingFactsOf((await f.keyRings.load(facts.tenantId)).state));
    expect(judged.items[2].facts.superseded).toEqual([{ keyVersionId: expect.any(String), retainUntil: null }]);
  });
});
