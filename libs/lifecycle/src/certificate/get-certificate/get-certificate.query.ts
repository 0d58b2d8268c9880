import { Query } from '@nestjs/cqrs';

/** The tenant's signed deletion certificate exactly as issued (JSON, UTF-8), or undefined until it is issued. */
export class GetCertificateQuery extends Query<Buffer | undefined> {
  constructor(readonly tenantId: string) {
    super();
  }
}
