import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ConsoleFilesMissingError, resolveConsoleFiles } from './console-files.js';

describe('resolveConsoleFiles', () => {
  it('given the source tree, when resolved from this module, then finds apps/engine/console and the ES modules of preact and htm', () => {
    const files = resolveConsoleFiles();
    expect(files.assetsDir.endsWith(join('apps', 'engine', 'console'))).toBe(true);
    expect(existsSync(join(files.assetsDir, 'index.html'))).toBe(true);
    expect(files.vendor.map((v) => [v.name, existsSync(join(v.dir, v.module))])).toEqual([
      ['preact', true],
      ['htm', true],
    ]);
  });

  describe('given a build folder', () => {
    let root: string;
    beforeEach(() => {
      root = mkdtempSync(join(tmpdir(), 'lethe-console-files-'));
    });
    afterEach(() => rmSync(root, { recursive: true, force: true }));

    it('when the build copied the console, then its copy is served (the nearest folder up wins)', () => {
      const copy = join(root, 'dist', 'apps', 'engine', 'console');
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, 'index.html'), '<!doctype html>');
      // The installed packages, as npm lays them out.
      const pkg = (name: string, manifest: object, files: string[]) => {
        mkdirSync(join(root, 'node_modules', name, 'dist'), { recursive: true });
        writeFileSync(join(root, 'node_modules', name, 'package.json'), JSON.stringify({ name, ...manifest }));
        for (const f of files) writeFileSync(join(root, 'node_modules', name, 'dist', f), 'export {};');
      };
      pkg('preact', { exports: { '.': { default: './dist/preact.mjs' } } }, ['preact.mjs']);
      pkg('htm', { main: 'dist/htm.js' }, ['htm.js', 'htm.mjs']);
      const module = join(root, 'dist', 'apps', 'engine', 'src', 'console', 'console-files.js');
      const files = resolveConsoleFiles(pathToFileURL(module).href);
      expect(files.assetsDir).toBe(copy);
      expect(files.vendor.map((v) => v.dir)).toEqual([join(root, 'node_modules', 'preact', 'dist'), join(root, 'node_modules', 'htm', 'dist')]);
    });

    it('when a package has no ES module beside its entry, then says which', () => {
      const copy = join(root, 'apps', 'engine', 'console');
      mkdirSync(copy, { recursive: true });
      writeFileSync(join(copy, 'index.html'), '<!doctype html>');
      mkdirSync(join(root, 'node_modules', 'preact', 'dist'), { recursive: true });
      writeFileSync(join(root, 'node_modules', 'preact', 'package.json'), JSON.stringify({ name: 'preact', main: 'dist/preact.js' }));
      writeFileSync(join(root, 'node_modules', 'preact', 'dist', 'preact.js'), '');
      const module = join(root, 'apps', 'engine', 'src', 'console', 'console-files.js');
      expect(() => resolveConsoleFiles(pathToFileURL(module).href)).toThrow(new ConsoleFilesMissingError(`the npm package preact has no preact.mjs beside its entry (${join(root, 'node_modules', 'preact', 'dist')})`));
    });

    it('when no folder up holds the console, then says so (ConsoleFilesMissingError)', () => {
      const module = join(root, 'dist', 'apps', 'engine', 'src', 'console', 'console-files.js');
      expect(() => resolveConsoleFiles(pathToFileURL(module).href)).toThrow(ConsoleFilesMissingError);
      expect(() => resolveConsoleFiles(pathToFileURL(module).href)).toThrow(/apps\/engine\/console\/index\.html/);
    });
  });
});
