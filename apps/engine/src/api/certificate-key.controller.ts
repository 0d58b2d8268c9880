// The public signing keys, for anyone who must check a certificate: the current one
// (/v1/certificate-key) and every one ever used, with its validity (/v1/certificate-keys).
import { Controller, Get } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { CurrentSigningKeyQuery, SigningKeysQuery } from '@lethe/lifecycle';
import { Answer, ProblemException, Problems, Public } from '../http/index.js';
import { EXAMPLES, signingKeyAnswer, signingKeysAnswer, type SigningKeyAnswer, type SigningKeysAnswer } from './system.answers.js';

@Public()
@Controller('v1')
export class CertificateKeyController {
  constructor(private readonly queries: QueryBus) {}

  /** The key certificates are signed with now: {algorithm, keyId, pem, validFrom, validUntil: null}. */
  @Get('certificate-key')
  @Answer(200, signingKeyAnswer, EXAMPLES.signingKey, 'The current signing key')
  @Problems(404)
  async current(): Promise<SigningKeyAnswer> {
    const key = await this.queries.execute(new CurrentSigningKeyQuery());
    if (!key) throw ProblemException.notFound('no signing key is registered yet: an engine registers its key when it starts');
    return key;
  }

  /** Every key, oldest first: {keys: [{algorithm, keyId, pem, validFrom, validUntil | null}]}. */
  @Get('certificate-keys')
  @Answer(200, signingKeysAnswer, EXAMPLES.signingKeys, 'Every signing key, oldest first')
  async all(): Promise<SigningKeysAnswer> {
    return { keys: await this.queries.execute(new SigningKeysQuery()) };
  }
}
