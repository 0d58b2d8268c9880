import { specFor } from '../shared/given-when-then.js';
import { breakGlassDecider, type BreakGlassContext } from './break-glass.decider.js';
import type { BreakGlassEvent } from './break-glass.events.js';

const T0 = new Date('2027-05-03T09:00:00.000Z');
const at = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);
const ctx = (minutes = 0): BreakGlassContext => ({ now: at(minutes), requiredApprovals: 2 });
const given = specFor(breakGlassDecider, () => ctx());
const scope = { tenantIds: ['acme'], operations: ['probe.read' as const] };

const requested: BreakGlassEvent = {
  type: 'BreakGlassRequested',
  data: { grantId: 'g-1', requestedBy: 'olga', taskRef: 'INC-42', reason: 'verify a restore', scope, durationMinutes: 60, approvalsRequired: 2, at: T0.toISOString() },
};
const approved = (approver: string, minutes = 1): BreakGlassEvent => ({ type: 'BreakGlassApproved', data: { grantId: 'g-1', approver, at: at(minutes).toISOString() } });
const activated: BreakGlassEvent = { type: 'BreakGlassActivated', data: { grantId: 'g-1', activeFrom: at(2).toISOString(), expiresAt: at(62).toISOString(), at: at(2).toISOString() } };
const active = [requested, approved('ann', 1), approved('ben', 2), activated];
const use = (tenantId = 'acme', operation: 'probe.read' | 'shred.execute-now' = 'probe.read') => ({ type: 'UseBreakGlass', data: { by: 'olga', operation, tenantId } }) as const;

describe('break-glass decider', () => {
  it('records a request with its scope, duration and the approvals it needs', () => {
    given([])
      .when({ type: 'RequestBreakGlass', data: { grantId: 'g-1', requestedBy: 'olga', taskRef: ' INC-42 ', reason: 'verify a restore', scope: { tenantIds: ['acme'], operations: ['probe.read'] }, durationMinutes: 60 } })
      .then([requested]);
  });

  it.each([
    [{ durationMinutes: 241 }, 'durationMinutes'],
    [{ durationMinutes: 0 }, 'durationMinutes'],
    [{ taskRef: ' ' }, 'taskRef'],
    [{ scope: { tenantIds: [], operations: ['probe.read'] } }, 'scope.tenantIds'],
    [{ scope: { tenantIds: ['acme'], operations: ['shell'] } }, 'scope.operations'],
    [{ scope: { tenantIds: ['acme', 'acme'], operations: ['probe.read'] } }, 'scope.tenantIds'],
    [{ scope: { tenantIds: ['acme'], operations: ['probe.read', 'probe.read'] } }, 'scope.operations'],
  ])('refuses a request breaking a rule (%j), naming the field', (change, field) => {
    const command = { type: 'RequestBreakGlass', data: { grantId: 'g-1', requestedBy: 'olga', taskRef: 'INC-42', reason: 'r', scope, durationMinutes: 60, ...change } } as never;
    expect(() => given([]).when(command).produced()).toThrow(expect.objectContaining({ code: 'invalid-grant', field }));
  });

  it('opens the window at the K-th distinct approval, for the duration', () => {
    given([requested]).when({ type: 'ApproveBreakGlass', data: { approver: 'ann' } }, ctx(1)).then([approved('ann', 1)]);
    given([requested, approved('ann', 1)]).when({ type: 'ApproveBreakGlass', data: { approver: 'ben' } }, ctx(2)).then([approved('ben', 2), activated]);
  });

  it('counts an approver once', () => {
    given([requested, approved('ann', 1)]).when({ type: 'ApproveBreakGlass', data: { approver: 'ann' } }).thenNothing();
  });

  it('never lets the requester approve their own grant', () => {
    given([requested]).when({ type: 'ApproveBreakGlass', data: { approver: 'olga' } }).thenRejects('break-glass-self-approval');
  });

  it('refuses approvals of a revoked or expired grant', () => {
    const revoked: BreakGlassEvent = { type: 'BreakGlassRevoked', data: { grantId: 'g-1', by: 'olga', at: at(1).toISOString() } };
    given([requested, revoked]).when({ type: 'ApproveBreakGlass', data: { approver: 'ann' } }).thenRejects('grant-closed');
  });

  it('records a use inside the window and scope', () => {
    given(active).when(use(), ctx(30)).then([{ type: 'BreakGlassUsed', data: { grantId: 'g-1', by: 'olga', operation: 'probe.read', tenantId: 'acme', at: at(30).toISOString() } }]);
  });

  it.each([
    ['not approved yet', [requested, approved('ann', 1)], use(), 30, 'not-approved'],
    ['another tenant', active, use('globex'), 30, 'tenant-out-of-scope'],
    ['another operator than the requester', active, { type: 'UseBreakGlass', data: { by: 'bob', operation: 'probe.read', tenantId: 'acme' } }, 30, 'not-the-requester'],
    ['another operation', active, use('acme', 'shred.execute-now'), 30, 'operation-out-of-scope'],
    ['after the window, before the timer fired', active, use(), 62, 'expired'],
    ['after the expiry', [...active, { type: 'BreakGlassExpired', data: { grantId: 'g-1', at: at(62).toISOString() } } as BreakGlassEvent], use(), 63, 'expired'],
    ['after a revocation', [...active, { type: 'BreakGlassRevoked', data: { grantId: 'g-1', by: 'ann', at: at(10).toISOString() } } as BreakGlassEvent], use(), 11, 'revoked'],
  ] as const)('records a refusal: %s', (_what, events, command, minutes, reason) => {
    const [refused] = given(events).when(command, ctx(minutes)).produced();
    expect(refused).toEqual({ type: 'BreakGlassUseRefused', data: { grantId: 'g-1', by: command.data.by, operation: command.data.operation, tenantId: command.data.tenantId, reason, at: at(minutes).toISOString() } });
  });

  it('expires at the end of the window only, once', () => {
    given(active).when({ type: 'ExpireBreakGlass', data: {} }, ctx(61)).thenNothing();
    given(active).when({ type: 'ExpireBreakGlass', data: {} }, ctx(62)).then([{ type: 'BreakGlassExpired', data: { grantId: 'g-1', at: at(62).toISOString() } }]);
    given([...active, { type: 'BreakGlassRevoked', data: { grantId: 'g-1', by: 'ann', at: at(10).toISOString() } }]).when({ type: 'ExpireBreakGlass', data: {} }, ctx(62)).thenNothing();
  });

  it('revokes an open grant once', () => {
    given(active).when({ type: 'RevokeBreakGlass', data: { by: 'ann' } }, ctx(5)).then([{ type: 'BreakGlassRevoked', data: { grantId: 'g-1', by: 'ann', at: at(5).toISOString() } }]);
    given([...active, { type: 'BreakGlassRevoked', data: { grantId: 'g-1', by: 'ann', at: at(5).toISOString() } }]).when({ type: 'RevokeBreakGlass', data: { by: 'ann' } }).thenNothing();
  });

  describe('a request not approved within 24 hours lapses', () => {
    const LAPSE = 24 * 60;

    it('accepts an approval up to the lapse instant, and refuses one from it on, whether or not the timer fired', () => {
      given([requested]).when({ type: 'ApproveBreakGlass', data: { approver: 'ann' } }, ctx(LAPSE - 1)).then([approved('ann', LAPSE - 1)]);
      given([requested, approved('ann', 1)]).when({ type: 'ApproveBreakGlass', data: { approver: 'ben' } }, ctx(LAPSE)).thenRejects('grant-closed');
      const lapsed: BreakGlassEvent = { type: 'BreakGlassExpired', data: { grantId: 'g-1', at: at(LAPSE).toISOString() } };
      given([requested, lapsed]).when({ type: 'ApproveBreakGlass', data: { approver: 'ann' } }, ctx(LAPSE + 1)).thenRejects('grant-closed');
    });

    it('is expired by its timer at the lapse instant, not before, and not once approved', () => {
      given([requested]).when({ type: 'ExpireBreakGlass', data: {} }, ctx(LAPSE - 1)).thenNothing();
      given([requested]).when({ type: 'ExpireBreakGlass', data: {} }, ctx(LAPSE)).then([{ type: 'BreakGlassExpired', data: { grantId: 'g-1', at: at(LAPSE).toISOString() } }]);
      given(active).when({ type: 'ExpireBreakGlass', data: {} }, ctx(LAPSE)).then([{ type: 'BreakGlassExpired', data: { grantId: 'g-1', at: at(LAPSE).toISOString() } }]);
      given([requested, approved('ann', 1)]).when({ type: 'ExpireBreakGlass', data: {} }, ctx(LAPSE - 1)).thenNothing();
    });

    it('refuses a use of a lapsed request as expired', () => {
      const [refused] = given([requested]).when(use(), ctx(LAPSE)).produced();
      expect(refused).toMatchObject({ type: 'BreakGlassUseRefused', data: { reason: 'expired' } });
    });
  });

  it('knows no grant that was never requested', () => {
    given([]).when({ type: 'ApproveBreakGlass', data: { approver: 'ann' } }).thenRejects('grant-not-found');
  });
});
