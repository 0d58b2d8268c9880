import { Inject } from '@nestjs/common';
import { QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { PostgresCertificateStore } from '../certificate-store.js';
import { GetCertificateQuery } from './get-certificate.query.js';

@QueryHandler(GetCertificateQuery)
export class GetCertificateHandler implements IQueryHandler<GetCertificateQuery> {
  constructor(@Inject(PostgresCertificateStore) private readonly certificates: PostgresCertificateStore) {}

  // The bytes stored at issuance, as they are: never rebuilt or re-signed.
  async execute({ tenantId }: GetCertificateQuery): Promise<Buffer | undefined> {
    return (await this.certificates.latestFor(tenantId))?.document;
  }
}
