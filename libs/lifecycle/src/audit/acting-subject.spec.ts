import { actAs, actingSubject, subjectMetadata, subjectOf } from './acting-subject.js';

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

  it('goes into the metadata of what a request causes, not of what a timer, a processor or the engine does', () => {
    expect(subjectMetadata('onboard:acme')).toEqual({});
    actAs('ci-deployer', () => {
      expect(subjectMetadata('onboard:acme')).toEqual({ subject: 'ci-deployer' });
      expect(subjectMetadata('shred-step:acme:s-1')).toEqual({});
      expect(subjectMetadata('saga:6f1c2a4e-9b7d-4e1a-8c3b-2d5e6f7a8b9c')).toEqual({});
      expect(subjectMetadata('open-key-ring:acme')).toEqual({});
    });
  });

  it('reads the subject back from metadata', () => {
    expect(subjectOf({ subject: 'bob' })).toBe('bob');
    expect(subjectOf({})).toBeNull();
    expect(subjectOf({ subject: 42 })).toBeNull();
  });
});
