import { deadLetterHeaders } from './dead-letter.js';

describe('deadLetterHeaders', () => {
  it('keeps the original headers and adds the code, the first field and rule, every error, and where it came from', () => {
    const headers = deadLetterHeaders(
      { exchange: 'lethe.contracts', routingKey: 'contract.terminated', headers: { 'x-trace': 'abc' } },
      { code: 'invalid', errors: [{ field: 'effectiveAt', rule: 'must be an ISO 8601 instant' }, { field: 'contractId', rule: 'is required' }] },
    );
    expect(headers).toEqual({
      'x-trace': 'abc',
      'x-lethe-rejected-code': 'invalid',
      'x-lethe-rejected-field': 'effectiveAt',
      'x-lethe-rejected-rule': 'must be an ISO 8601 instant',
      'x-lethe-rejected-errors': JSON.stringify([{ field: 'effectiveAt', rule: 'must be an ISO 8601 instant' }, { field: 'contractId', rule: 'is required' }]),
      'x-lethe-original-exchange': 'lethe.contracts',
      'x-lethe-original-routing-key': 'contract.terminated',
    });
  });
});
