// docs/events.md is the published contract: it must show exactly the schema of every type the
// code publishes, and an example that is what the mapping produces and that validates against it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { toIntegrationEvent } from '../mapping/to-integration-event.js';
import { SAMPLES } from '../mapping/samples.js';
import { INTEGRATION_EVENT_TYPES } from './integration-event.js';
import { integrationEventSchema } from './integration-event-schemas.js';

const doc = readFileSync(fileURLToPath(new URL('../../../../docs/events.md', import.meta.url)), 'utf8');
const isInstant = (s: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s));

/** The JSON blocks of the section headed `### \`type\``, in order. */
function blocksOf(type: string): unknown[] {
  const start = doc.indexOf(`### \`${type}\`\n`);
  if (start < 0) return [];
  const rest = doc.slice(start + 1);
  const end = rest.search(/\n#{2,3} /);
  const section = end < 0 ? rest : rest.slice(0, end);
  return [...section.matchAll(/```json\n([\s\S]*?)\n```/g)].map((m) => JSON.parse(m[1]) as unknown);
}

describe('docs/events.md', () => {
  it.each(INTEGRATION_EVENT_TYPES)('%s: shows the schema the code publishes', (type) => {
    expect(blocksOf(type)[0]).toEqual(integrationEventSchema(type));
  });

  it.each(INTEGRATION_EVENT_TYPES)('%s: its example is what the mapping produces, valid against the schema', (type) => {
    const example = blocksOf(type)[1];
    expect(example).toEqual(SAMPLES.map(toIntegrationEvent).find((e) => e?.type === type));
    const validate = new Ajv({ strict: true, formats: { 'date-time': isInstant } }).compile(integrationEventSchema(type));
    expect(validate(example)).toBe(true);
  });
});
