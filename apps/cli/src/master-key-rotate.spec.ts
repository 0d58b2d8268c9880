// `lethe master-key rotate` usage: which new key the words name, or which flag and rule they break.
import { resolve } from 'node:path';
import { UsageError, newKeySource } from './master-key-rotate.js';

const usage = (positionals: string[], flags: Parameters<typeof newKeySource>[1]): string => {
  try {
    newKeySource(positionals, flags);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
};

describe('given `rotate` and one key flag', () => {
  it('when it is --new-key-file, then the key is read from that file (its absolute path)', () => {
    expect(newKeySource(['rotate'], { 'new-key-file': ['keys/new.key'] })).toEqual({ kind: 'file', path: resolve('keys/new.key') });
  });

  it('when it is --generate-into, then a new key is written to that file', () => {
    expect(newKeySource(['rotate'], { 'generate-into': ['/secure/new.key'] })).toEqual({ kind: 'generate', path: '/secure/new.key' });
  });
});

describe('given words that do not say which key to rotate to', () => {
  it('when no key flag is given, then the error names both flags', () => {
    expect(usage(['rotate'], {})).toBe('give the new key: --new-key-file <path> (a key you made) or --generate-into <path> (a new file)');
  });

  it('when both are given, or one twice, or one empty, then the error names the flag and the rule', () => {
    expect(usage(['rotate'], { 'new-key-file': ['a'], 'generate-into': ['b'] })).toBe('--new-key-file and --generate-into: give one of them, not both');
    expect(usage(['rotate'], { 'new-key-file': ['a', 'b'] })).toBe('--new-key-file: give it once');
    expect(usage(['rotate'], { 'generate-into': ['a', 'a'] })).toBe('--generate-into: give it once');
    expect(usage(['rotate'], { 'generate-into': [' '] })).toBe('--generate-into: must be a path, not empty');
  });

  it('when the subcommand is missing, unknown or followed by a stray word, then `rotate` is what is expected', () => {
    for (const positionals of [[], ['rotat'], ['rotate', 'now']]) expect(usage(positionals, { 'new-key-file': ['a'] })).toBe('expected: rotate');
  });
});
