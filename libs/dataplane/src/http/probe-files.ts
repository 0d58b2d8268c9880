// The content of the http read probe's two files. Errors name the entry (a line number, a header name or
// a tenant id) and the rule, never a header value.
import { SettingsFileError } from './settings-file.js';
import { parseUrlTemplate, UrlTemplateError, type UrlTemplate } from './url-template.js';

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** Visible ASCII, space and tab: no CR or LF (header injection), no control characters. */
const VALUE = /^[\t\x20-\x7e]*$/;
/** Set by the HTTP client itself, or hop-by-hop: a file must not set them. */
const RESERVED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'keep-alive', 'upgrade', 'expect', 'te', 'trailer', 'proxy-connection']);

/**
 * The headers every probe sends (credentials, typically `Authorization`): a JSON object of name → string
 * value, or `Name: value` lines (blank lines and lines starting with `#` skipped). Names are HTTP tokens,
 * each at most once (case-insensitive), not one the client sets itself (Host, Content-Length, …); values
 * are visible ASCII, spaces and tabs, surrounding spaces trimmed.
 */
export function parseHeadersFile(content: string): Readonly<Record<string, string>> {
  const entries: { name: string; value: unknown; where: string }[] = [];
  const text = content.replace(/^\uFEFF/, '');
  if (text.trimStart().startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new SettingsFileError('is not valid JSON (an object of header name to value, or `Name: value` lines)');
    }
    if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SettingsFileError('must be a JSON object of header name to value');
    Object.entries(json).forEach(([name, value], i) => entries.push({ name, value, where: `entry ${i + 1}` }));
  } else {
    text.split(/\r?\n/).forEach((line, i) => {
      const trimmed = line.trim();
      if (trimmed === '' || trimmed.startsWith('#')) return;
      const colon = line.indexOf(':');
      if (colon <= 0) throw new SettingsFileError(`line ${i + 1} must be \`Name: value\``);
      entries.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1), where: `line ${i + 1}` });
    });
  }
  const headers: Record<string, string> = {};
  const seen = new Set<string>();
  for (const { name, value, where } of entries) {
    if (!TOKEN.test(name)) throw new SettingsFileError(`${where}: the header name must be an HTTP token (letters, digits, ! # $ % & ' * + - . ^ _ \` | ~)`);
    const key = name.toLowerCase();
    if (RESERVED.has(key)) throw new SettingsFileError(`${where}: the header ${name} is set by the HTTP client, not by the file`);
    if (seen.has(key)) throw new SettingsFileError(`${where}: the header ${name} is given twice`);
    seen.add(key);
    if (typeof value !== 'string') throw new SettingsFileError(`${where}: the value of ${name} must be a string`);
    const trimmed = value.trim();
    if (!VALUE.test(trimmed)) throw new SettingsFileError(`${where}: the value of ${name} must be visible ASCII characters, spaces or tabs`);
    if (trimmed === '') throw new SettingsFileError(`${where}: the value of ${name} is empty`);
    headers[name] = trimmed;
  }
  return headers;
}

/**
 * Tenants' own URL templates: a JSON object of tenant id → template. Each template follows the global
 * template's rules but needs only {databaseId} (a tenant's URL may name the tenant its own way).
 */
export function parseTenantUrlsFile(content: string, allowHttp: boolean): ReadonlyMap<string, UrlTemplate> {
  let json: unknown;
  try {
    json = JSON.parse(content.replace(/^\uFEFF/, ''));
  } catch {
    throw new SettingsFileError('is not valid JSON (an object of tenant id to URL template)');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new SettingsFileError('must be a JSON object of tenant id to URL template');
  const templates = new Map<string, UrlTemplate>();
  for (const [tenantId, template] of Object.entries(json)) {
    const who = `the entry of tenant ${JSON.stringify(tenantId)}`;
    if (tenantId === '') throw new SettingsFileError('a tenant id is empty');
    if (typeof template !== 'string') throw new SettingsFileError(`${who} must be a string (a URL template)`);
    try {
      templates.set(tenantId, parseUrlTemplate(template, { required: ['databaseId'], allowHttp }));
    } catch (error) {
      if (error instanceof UrlTemplateError) throw new SettingsFileError(`${who} ${error.rule}`);
      throw error;
    }
  }
  return templates;
}
