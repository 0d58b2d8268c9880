// Given an event that settles a timer's subject for good, when the sagas ask which timers it settles,
// then exactly the timers that could only be no-ops from now on, and none that still has work.
import { KEY_REPROTECT_OVERDUE, reprotectTimerId, retireTimerId, rotationTimerId } from '../keys/key-timers.js';
import { SHRED_DEADLINE, shredStepId } from '../shred/shred-deadlines.js';
import { timersSettledBy } from './settled-timers.js';

describe('timers settled by an event', () => {
  it('given a shred verified, then its deadline check (the step timer is the one that verified it)', () => {
    const settled = timersSettledBy('acme', { type: 'ShredVerified', data: { shredId: 'termination:t-1' } });
    expect(settled).toEqual([`${SHRED_DEADLINE}:acme:termination:t-1`]);
    expect(settled).not.toContain(shredStepId('acme', 'termination:t-1'));
  });

  it('given a key version retired, then its re-protection overdue check, and neither the ring\'s rotation nor its other timers', () => {
    const settled = timersSettledBy('acme', { type: 'KeyVersionRetired', data: { keyVersionId: 'vkv-1' } });
    expect(settled).toEqual([`${KEY_REPROTECT_OVERDUE}:acme:vkv-1`]);
    for (const other of [rotationTimerId('acme'), reprotectTimerId('acme', 'vkv-1'), retireTimerId('acme', 'vkv-1')]) expect(settled).not.toContain(other);
  });

  it('given another tenant, then only that tenant\'s timers', () => {
    expect(timersSettledBy('beta', { type: 'KeyVersionRetired', data: { keyVersionId: 'vkv-1' } })).toEqual([`${KEY_REPROTECT_OVERDUE}:beta:vkv-1`]);
  });
});
