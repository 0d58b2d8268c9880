// `lethe` usage: every command has its own --help (stdout, exit 0, nothing done), and no command is
// bad usage (exit 2). In-process: a help flag touches no database, so none is needed here.
import { jest } from '@jest/globals';
import { readModels } from '@lethe/readmodel';
import { runCli } from './run-cli.js';

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  try {
    return { code: await runCli(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('lethe <command> --help', () => {
  it.each([
    [['migrate', '--help'], 'usage: lethe migrate\n'],
    [['projections', 'rebuild', '--help'], 'usage: lethe projections rebuild [--projection <name>]\n'],
    [['projections', '--help'], 'usage: lethe projections rebuild [--projection <name>]\n'],
    [['signing-key', 'rotate', '-h'], 'usage: lethe signing-key rotate\n'],
    [['master-key', 'rotate', '--help'], 'usage: lethe master-key rotate (--new-key-file <path> | --generate-into <path>)\n'],
    [['master-key', 'rotate', '--new-key-file', '/nonexistent', '--help'], 'usage: lethe master-key rotate'],
    [['certificate', 'verify', '--help'], 'usage: lethe certificate verify <file>'],
    [['simulate', '--help'], 'usage: lethe simulate'],
    [['help', 'migrate'], 'usage: lethe migrate\n'],
  ])('given `lethe %j`, when run, then it prints that command\'s own help and exits 0', async (argv, start) => {
    const { code, stdout, stderr } = await run(argv);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout.startsWith(start)).toBe(true);
    expect(stdout).not.toContain('commands:');
  });

  it('given `lethe projections rebuild --help`, when run, then it lists every projection name', async () => {
    const { stdout } = await run(['projections', 'rebuild', '--help']);
    for (const model of readModels()) expect(stdout).toContain(model.name);
  });

  it.each([[['--help']], [['help']], [['-h']]])('given `lethe %j`, when run, then it prints the overview and exits 0', async (argv) => {
    const { code, stdout } = await run(argv);
    expect(code).toBe(0);
    expect(stdout).toContain('commands:');
  });

  it('given an unknown command with --help, when run, then it says so and exits 2', async () => {
    const { code, stderr } = await run(['frobnicate', '--help']);
    expect(code).toBe(2);
    expect(stderr).toContain('unknown command: frobnicate');
  });
});

it('given no command, when run, then it prints the usage on stderr and exits 2 (bad usage)', async () => {
  const { code, stdout, stderr } = await run([]);
  expect(code).toBe(2);
  expect(stdout).toBe('');
  expect(stderr).toContain('usage: lethe <command>');
});

describe('a stray flag or word', () => {
  it.each([
    [['signing-key', 'rotate', '--yes-please'], '--yes-please'],
    [['signing-key', 'rotate', 'now'], 'expected: lethe signing-key rotate'],
    [['migrate', '--frobnicate'], '--frobnicate'],
    [['migrate', 'extra'], 'expected: lethe migrate'],
    [['certificate', 'verify', 'c.json', '--bogus-flag'], '--bogus-flag'],
    [['certificate', 'verify', 'c.json', 'd.json'], 'expected: lethe certificate verify <file>'],
  ])('given `lethe %j`, when run, then it exits 2 naming it, before touching anything', async (argv, named) => {
    // No database is reachable here (no DATABASE_URL and no engine data folder is read before the parse).
    const { code, stdout, stderr } = await run(argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr.split('\n')[0]).toContain(named);
    expect(stderr).toContain('usage: lethe');
  });

  it('given an unknown command, when run, then it says so in one line and exits 2', async () => {
    const { code, stderr } = await run(['bogus']);
    expect(code).toBe(2);
    expect(stderr).toBe('unknown command: bogus (lethe --help lists the commands)\n');
  });
});
