import { ENGINE_ENV_VARS, loadConfig } from './engine-config.js';
import { problemsOf } from './config-problems.fixture.js';
import { brokerLabel } from './intake-config.js';

const URL = 'amqp://lethe:s3cret-pw@rabbitmq.internal:5672/contracts';

describe('RabbitMQ intake configuration (LETHE_INTAKE_AMQP_*)', () => {
  it('given no URL, then the intake is off', () => {
    expect(loadConfig({}).intake).toBeUndefined();
  });

  it('given only the URL, then the documented names are used', () => {
    expect(loadConfig({ LETHE_INTAKE_AMQP_URL: URL }).intake).toEqual({
      url: URL,
      exchange: 'lethe.contracts',
      queue: 'lethe.intake',
      deadLetterQueue: 'lethe.intake.dead',
    });
  });

  it('given names, then they override the defaults', () => {
    const intake = loadConfig({
      LETHE_INTAKE_AMQP_URL: URL,
      LETHE_INTAKE_AMQP_EXCHANGE: 'crm.events',
      LETHE_INTAKE_AMQP_QUEUE: 'lethe.eu.intake',
      LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE: 'lethe.eu.dead',
    }).intake;
    expect(intake).toMatchObject({ exchange: 'crm.events', queue: 'lethe.eu.intake', deadLetterQueue: 'lethe.eu.dead' });
  });

  it('refuses a URL of another scheme, naming the setting and the rule and never the value', () => {
    const problems = problemsOf({ LETHE_INTAKE_AMQP_URL: 'http://guest:s3cret-pw@localhost:5672' });
    expect(problems).toEqual([expect.stringMatching(/^LETHE_INTAKE_AMQP_URL: must be an amqp:\/\/ or amqps:\/\/ URL/)]);
    expect(problems.join('\n')).not.toContain('s3cret-pw');
  });

  it('refuses names without a URL (they would be ignored), bad names, and one queue for both', () => {
    expect(problemsOf({ LETHE_INTAKE_AMQP_QUEUE: 'lethe.intake' })).toEqual(['LETHE_INTAKE_AMQP_QUEUE: only applies with LETHE_INTAKE_AMQP_URL']);
    expect(problemsOf({ LETHE_INTAKE_AMQP_URL: URL, LETHE_INTAKE_AMQP_EXCHANGE: 'amq.topic' })).toEqual([expect.stringMatching(/^LETHE_INTAKE_AMQP_EXCHANGE: must be 1-255/)]);
    expect(problemsOf({ LETHE_INTAKE_AMQP_URL: URL, LETHE_INTAKE_AMQP_QUEUE: 'has space' })).toEqual([expect.stringMatching(/^LETHE_INTAKE_AMQP_QUEUE: /)]);
    expect(problemsOf({ LETHE_INTAKE_AMQP_URL: URL, LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE: 'lethe.intake' })).toEqual([
      'LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE: must differ from LETHE_INTAKE_AMQP_QUEUE',
    ]);
  });

  it('lists every intake setting among the environment variables the engine reads', () => {
    expect(ENGINE_ENV_VARS).toEqual(
      expect.arrayContaining(['LETHE_INTAKE_AMQP_URL', 'LETHE_INTAKE_AMQP_EXCHANGE', 'LETHE_INTAKE_AMQP_QUEUE', 'LETHE_INTAKE_AMQP_DEAD_LETTER_QUEUE']),
    );
  });

  it('shows the broker in logs without its credentials', () => {
    expect(brokerLabel(URL)).toBe('amqp://rabbitmq.internal:5672/contracts');
    expect(brokerLabel('amqps://u:p@mq.example')).toBe('amqps://mq.example/');
  });
});
