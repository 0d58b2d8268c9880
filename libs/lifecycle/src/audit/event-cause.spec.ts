// Given the metadata the lifecycle stores with an event, when its cause is read, then the family of
// the cause (request, timer, followed event, engine step, contract system), never the raw id.
import { causeOf } from './event-cause.js';

const UUID = '5f0c2d3e-8b4a-4c55-9d21-6a7e0b9c4f11';
const by = (causationId: string, inContractStream = false) => causeOf({ schemaVersion: 1, causationId, occurredAt: '2027-01-04T09:00:00.000Z' }, inContractStream);

describe('event causes', () => {
  it('given a request cause, then the API operation', () => {
    expect(by('onboard:acme:9f86d081884c7d65')).toEqual({ kind: 'request', name: 'onboard-tenant' });
    expect(by('backup:b:2026-12-21T08:00')).toEqual({ kind: 'request', name: 'record-backup' });
    expect(by('backup-deleted:b-1')).toEqual({ kind: 'request', name: 'delete-backup' });
    expect(by('rotation-period:2027-01-04T09:00:00.000Z:90')).toEqual({ kind: 'request', name: 'change-key-ring-policy' });
    expect(by(`cancel:${UUID}`)).toEqual({ kind: 'request', name: 'cancel-shred' });
  });

  it('given a durable timer cause, then the timer kind ops see in the schedule', () => {
    expect(by('key-retire:acme:vkv-1:2027-03-01T00:00:00.000Z')).toEqual({ kind: 'timer', name: 'retirement' });
    expect(by('key-rotation:acme:after:vkv-1')).toEqual({ kind: 'timer', name: 'rotation' });
    expect(by('shred-step:termination:t-1:destroy-keys')).toEqual({ kind: 'timer', name: 'shred-execution' });
    expect(by('shred-deadline:acme:termination:t-1')).toEqual({ kind: 'timer', name: 'shred-deadline' });
    expect(by('reprotect:db-1:vkv-1:vkv-2')).toEqual({ kind: 'timer', name: 'reprotection' });
    expect(by('detected:vkv-3')).toEqual({ kind: 'timer', name: 'key-detection' });
  });

  it('given a processor following an event, then the event id to resolve', () => {
    expect(by(`saga:${UUID}`)).toEqual({ kind: 'event', eventId: UUID });
    expect(by(UUID, true)).toEqual({ kind: 'event', eventId: UUID });
    expect(by('saga:not-an-id')).toBeNull();
  });

  it('given the engine acting on its own, then its step', () => {
    expect(by('open-key-ring:acme')).toEqual({ kind: 'engine', name: 'open-key-ring' });
    expect(by(`dc-${UUID}`)).toEqual({ kind: 'engine', name: 'issue-certificate' });
  });

  it('given a contract-stream event without a cause, then the HTTP route or the contract system itself', () => {
    expect(causeOf({ schemaVersion: 1, receivedAt: '2027-01-04T09:00:00.000Z', source: 'http' }, true)).toEqual({ kind: 'request', name: 'terminate-contract' });
    expect(causeOf({ receivedAt: '2027-01-04T09:00:00.000Z' }, true)).toEqual({ kind: 'contract-system', name: 'contract-stream' });
    expect(causeOf({ schemaVersion: 1, receivedAt: '2027-01-04T09:00:00.000Z', source: 'amqp' }, true)).toEqual({ kind: 'contract-system', name: 'message-broker' });
  });

  it('given no cause, or one of no known family, then null', () => {
    expect(causeOf({ schemaVersion: 1 }, false)).toBeNull();
    expect(by('something-new:x')).toBeNull();
    expect(by('toString')).toBeNull();
  });
});
