// The `http` read probe: reads a database's sentinel the way a client of the tenant's data service
// would (GET on the tenant's URL, with the credentials of the headers file) and judges the answer with
// classifyProbeAnswer. The whole exchange, body included, has one time limit (AbortSignal.timeout).
// Redirects are never followed. Never rejects.
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Agent, fetch } from 'undici';
import type { ProbeResult, ReadProbe } from '../data-plane.js';
import { describeError } from '../local/describe-error.js';
import { classifyProbeAnswer, inconclusiveProbe, MAX_PROBE_BODY_BYTES, type FailureSignature, type ProbeAnswer } from './classify-probe-answer.js';
import { parseHeadersFile, parseTenantUrlsFile } from './probe-files.js';
import { SettingsFile, SettingsFileError } from './settings-file.js';
import { parseUrlTemplate, UrlTemplateError, type UrlTemplate } from './url-template.js';

export interface HttpReadProbeOptions {
  /** The template of a tenant's URL: its own, else the global one; undefined when neither. May reject. */
  readonly urlFor: (tenantId: string) => Promise<UrlTemplate | undefined>;
  /** Headers sent with every probe (credentials). May reject. */
  readonly headers: () => Promise<Readonly<Record<string, string>>>;
  /** No complete answer within this many milliseconds → inconclusive (timeout). */
  readonly timeoutMs: number;
  readonly signature: FailureSignature;
  /** PEM of the CA(s) to trust for https instead of Node's bundled list. */
  readonly ca?: string;
}

export class HttpReadProbe implements ReadProbe {
  private readonly agent: Agent;

  constructor(private readonly options: HttpReadProbeOptions) {
    if (!(options.timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
    if (options.signature.statuses.length === 0) throw new RangeError('the failure signature needs at least one status');
    if (options.signature.problemType === undefined && options.signature.bodyPattern === undefined) {
      throw new RangeError('the failure signature needs a problem type or a body pattern: a status alone does not prove a key destroyed');
    }
    // Our own agent (not the process-wide one), so the CA applies to the probe only.
    this.agent = new Agent(options.ca ? { connect: { ca: options.ca } } : {});
  }

  async probe(tenantId: string, databaseId: string): Promise<ProbeResult> {
    const target = { tenantId, databaseId };
    try {
      let template: UrlTemplate | undefined;
      let headers: Readonly<Record<string, string>>;
      try {
        template = await this.options.urlFor(tenantId);
        headers = await this.options.headers();
      } catch (error) {
        const why = error instanceof SettingsFileError ? error.rule : describeError(error);
        return inconclusiveProbe('settings-unreadable', target, `a settings file of the probe ${why}`);
      }
      if (!template) return inconclusiveProbe('no-url', target, 'no URL template for this tenant, and no global one');
      const answer = await this.exchange(template.expand(tenantId, databaseId), headers);
      return classifyProbeAnswer(answer, this.options.signature, { ...target, origin: template.origin, timeoutMs: this.options.timeoutMs });
    } catch (error) {
      return inconclusiveProbe('unexpected-error', target, `the probe failed: ${describeError(error)}`);
    }
  }

  /** Closes the probe's connections. */
  async close(): Promise<void> {
    await this.agent.close();
  }

  private async exchange(url: URL, headers: Readonly<Record<string, string>>): Promise<ProbeAnswer> {
    try {
      const response = await fetch(url, {
        method: 'GET',
        headers: { accept: 'application/json, application/problem+json, */*;q=0.5', 'user-agent': 'lethe-read-probe', ...headers },
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs),
        dispatcher: this.agent,
      });
      const { text, complete } = await readCapped(response.body, MAX_PROBE_BODY_BYTES);
      return { kind: 'response', status: response.status, contentType: response.headers.get('content-type'), body: text, complete };
    } catch (error) {
      return { kind: 'failure', error };
    }
  }
}

/** At most `max` bytes of the body as UTF-8; the rest is not read (the stream is cancelled). */
async function readCapped(body: ReadableStream<Uint8Array> | null, max: number): Promise<{ text: string; complete: boolean }> {
  if (!body) return { text: '', complete: true };
  const reader = body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { text: Buffer.concat(chunks).toString('utf8'), complete: true };
    chunks.push(Buffer.from(value));
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return { text: Buffer.concat(chunks).subarray(0, max).toString('utf8'), complete: false };
    }
  }
}

/** Settings of the http read probe, as configured; files are paths. */
export interface HttpReadProbeSettings {
  /** The global URL template (both placeholders); unset: tenants of the tenant URLs file only. */
  readonly urlTemplate?: string;
  /** JSON object of tenant id → URL template, read again when it changes. */
  readonly tenantUrlsFile?: string;
  /** Headers sent with every probe; must be readable by its owner only. Read again when it changes. */
  readonly headersFile?: string;
  readonly timeoutMs: number;
  readonly signature: FailureSignature;
  /** PEM file of the CA(s) that signed the data service's certificate. */
  readonly caFile?: string;
  /** Accept http:// URLs (tests; credentials then travel in clear). */
  readonly allowHttp: boolean;
}

/** A setting of HttpReadProbeSettings that cannot be used, and the rule it breaks (never its value). */
export class HttpProbeSettingError extends Error {
  constructor(
    readonly setting: 'urlTemplate' | 'tenantUrlsFile' | 'headersFile' | 'caFile',
    readonly rule: string,
    /** For urlTemplate: 'https-only' when the URL is http:// without allowHttp. */
    readonly code: 'https-only' | 'invalid' = 'invalid',
  ) {
    super(`${setting}: ${rule}`);
    this.name = 'HttpProbeSettingError';
  }
}

/**
 * Checks the settings and reads the files (at boot), then builds the probe. HttpProbeSettingError
 * names the first setting that cannot be used. Close the probe when done.
 */
export async function openHttpReadProbe(settings: HttpReadProbeSettings): Promise<HttpReadProbe> {
  let global: UrlTemplate | undefined;
  if (settings.urlTemplate !== undefined) {
    try {
      global = parseUrlTemplate(settings.urlTemplate, { required: ['tenantId', 'databaseId'], allowHttp: settings.allowHttp });
    } catch (error) {
      if (error instanceof UrlTemplateError) throw new HttpProbeSettingError('urlTemplate', error.rule, error.code);
      throw error;
    }
  }
  if (global === undefined && settings.tenantUrlsFile === undefined) {
    throw new HttpProbeSettingError('urlTemplate', 'is needed (or a tenant URLs file): the probe must know where to read');
  }
  const open = async <T>(setting: 'tenantUrlsFile' | 'headersFile', path: string, parse: (content: string) => T, secret: boolean) => {
    try {
      return await SettingsFile.open(path, { parse, secret });
    } catch (error) {
      if (error instanceof SettingsFileError) throw new HttpProbeSettingError(setting, error.rule);
      throw error;
    }
  };
  const tenantUrls = settings.tenantUrlsFile === undefined ? undefined : await open('tenantUrlsFile', settings.tenantUrlsFile, (c) => parseTenantUrlsFile(c, settings.allowHttp), false);
  const headers = settings.headersFile === undefined ? undefined : await open('headersFile', settings.headersFile, parseHeadersFile, true);
  let ca: string | undefined;
  if (settings.caFile !== undefined) {
    try {
      ca = await readFile(settings.caFile, 'utf8');
    } catch (error) {
      throw new HttpProbeSettingError('caFile', `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    try {
      if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new Error('no certificate');
      new X509Certificate(ca);
    } catch {
      throw new HttpProbeSettingError('caFile', 'must be a PEM file of one or more certificates');
    }
  }
  return new HttpReadProbe({
    urlFor: async (tenantId) => (tenantUrls ? (await tenantUrls.current()).get(tenantId) : undefined) ?? global,
    headers: async () => (headers ? headers.current() : {}),
    timeoutMs: settings.timeoutMs,
    signature: settings.signature,
    ...(ca !== undefined ? { ca } : {}),
  });
}
