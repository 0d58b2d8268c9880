import { actAs, actingSubject, subjectMetadata, subjectOf, unattended } from './acting-subject.js';

describe('acting subject', () => {
  it('is the subject of the call being served, across awaits, and none outside one', async () => {
    expect(actingSubject()).toBeUndefined();
    const seen = await actAs('alice', async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      return actingSubject();
    });
    expect(seen).toBe('alice');
    expect(actingSubject()).toBeUndefined();
  });

  it('goes into the metadata of what a call causes, not of unattended work the call woke', async () => {
    expect(subjectMetadata()).toEqual({});
    const timer = unattended(async () => subjectMetadata());
    await actAs('ci-deployer', async () => {
      expect(subjectMetadata()).toEqual({ subject: 'ci-deployer' });
      expect(await timer()).toEqual({});
    });
  });

  it('reads the subject back from metadata', () => {
    expect(subjectOf({ subject: 'bob' })).toBe('bob');
    expect(subjectOf({})).toBeNull();
    expect(subjectOf({ subject: 42 })).toBeNull();
  });
});
