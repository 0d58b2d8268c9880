// Reads the deploy folder the way the checks in this folder need it: the Dockerfile's instructions by
// stage, the compose file's services, the Helm chart's values and templates. No container engine or
// helm binary is needed (none is on CI): what they would do is checked from the files.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DEPLOY = join(ROOT, 'deploy');
export const CHART = join(DEPLOY, 'helm', 'lethe');

export const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
/** YAML as compose reads it: `<<` merge keys included (YAML 1.1's, which compose supports). */
export const YAML_OPTIONS = { uniqueKeys: true, merge: true } as const;
export const readYaml = <T = any>(path: string): T => parseYaml(read(path), YAML_OPTIONS) as T; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every file under `dir` (repository-relative, `/`-separated). */
export function filesUnder(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = posix.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

export interface DockerInstruction {
  readonly keyword: string;
  readonly args: string;
}

export interface DockerStage {
  readonly name: string | undefined;
  readonly instructions: DockerInstruction[];
}

/** The Dockerfile's stages and their instructions (continuation lines joined, comments dropped). */
export function dockerStages(path = 'deploy/Dockerfile'): DockerStage[] {
  const lines = read(path)
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const stages: DockerStage[] = [];
  for (const line of lines) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line)!;
    const k = keyword.toUpperCase();
    if (k === 'FROM') stages.push({ name: /\sAS\s+(\S+)$/i.exec(args)?.[1], instructions: [] });
    stages.at(-1)?.instructions.push({ keyword: k, args: args.trim() });
  }
  return stages;
}

/** An instruction's exec form (`["a", "b"]`) as its words. */
export function execForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed) || !parsed.every((w) => typeof w === 'string')) throw new Error(`not an exec form: ${args}`);
  return parsed;
}

/** The names an ENV instruction sets (`ENV A=1 B=2`, or the legacy `ENV A 1`). */
export function envNames(args: string): string[] {
  if (!args.includes('=')) return [args.split(/\s+/)[0]];
  return [...args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1]);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Yaml = any;

export function compose(): { services: Record<string, Yaml>; volumes: Record<string, Yaml> } {
  return readYaml('deploy/compose.yaml');
}

/** The compose services that run the engine's image (built from deploy/Dockerfile). */
export function engineServices(): [string, Yaml][] {
  return Object.entries(compose().services).filter(([, s]) => s.build?.dockerfile === 'deploy/Dockerfile');
}

/** A service's environment as a map (compose accepts a map or a list of NAME=value). */
export function serviceEnv(service: Yaml): Record<string, string> {
  const env = service.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((e: string) => [e.split('=')[0], e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)]));
}

/** Names a shell entrypoint assigns (`NAME=...`, `export NAME`): they reach the engine too. */
export function shellAssignments(words: readonly string[]): string[] {
  const script = words.join(' ');
  return [...new Set([...script.matchAll(/(?:^|[\s;&|(])(?:export\s+)?([A-Z_][A-Z0-9_]*)=/g)].map((m) => m[1]))];
}

export interface VolumeMount {
  readonly source: string;
  readonly target: string;
  readonly bind: boolean;
}

/** A service's volumes in short syntax (`source:target[:ro]`). */
export function mounts(service: Yaml): VolumeMount[] {
  return (service.volumes ?? []).map((v: string) => {
    const [source, target] = v.split(':');
    return { source, target, bind: source.startsWith('.') || source.startsWith('/') };
  });
}

/** Where a path inside a container comes from: the mount whose target holds it, and the rest of the path. */
export function mountOf(service: Yaml, containerPath: string): { mount: VolumeMount; rest: string } | undefined {
  const found = mounts(service)
    .filter((m) => containerPath === m.target || containerPath.startsWith(`${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  return found && { mount: found, rest: posix.relative(found.target, containerPath) };
}

/** A bind mount's source as a repository-relative path (compose resolves it against deploy/). */
export const bindSource = (source: string): string => relative(ROOT, join(DEPLOY, source)).split('\\').join('/');

/** The chart's templates, by file name. */
export function templates(): Record<string, string> {
  const dir = join(CHART, 'templates');
  return Object.fromEntries(readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]));
}

export const chartValues = (): Yaml => readYaml('deploy/helm/lethe/values.yaml');
export const chartSchema = (): Yaml => JSON.parse(read('deploy/helm/lethe/values.schema.json'));

/** `.Values.a.b.c` (or `$.Values…`) paths a template reads. */
export function valuePaths(template: string): string[] {
  return [...new Set([...template.matchAll(/\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)/g)].map((m) => m[1].slice(1)))];
}

/** The engine environment a template sets: `- name: NAME` entries whose name is upper case. */
export function templateEnvNames(template: string): string[] {
  return [...new Set([...template.matchAll(/^\s*- name: ([A-Z][A-Z0-9_]*)\s*$/gm)].map((m) => m[1]))];
}

/**
 * The environment the chart gives the engine from its settings values: LETHE_* name → value path,
 * read from the `lethe.env` helper (`- name: X` then `value: {{ $root.Values.a.b | quote }}`).
 */
export function chartSettingsEnv(): Record<string, string> {
  const helpers = templates()['_helpers.tpl'];
  const pairs = [...helpers.matchAll(/- name: ([A-Z][A-Z0-9_]*)\s*\n\s*value: \{\{ \$root\.Values\.([A-Za-z0-9_.]+) \| quote \}\}/g)];
  return Object.fromEntries(pairs.map((m) => [m[1], m[2]]));
}

/** The value at a dotted path, or undefined. */
export function at(values: Yaml, path: string): unknown {
  return path.split('.').reduce<Yaml>((v, key) => (v !== null && typeof v === 'object' && key in v ? v[key] : undefined), values);
}

/** Whether a dotted path exists in the values (a leaf or an object). */
export function hasPath(values: Yaml, path: string): boolean {
  let v: Yaml = values;
  for (const key of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(key in v)) return false;
    v = v[key];
  }
  return true;
}
