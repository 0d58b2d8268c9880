// The public half of the certificate signing key, for anyone who must check a certificate.
import { Controller, Get, Inject } from '@nestjs/common';
import type { Lifecycle } from '@lethe/lifecycle';
import { Public } from '../http/index.js';
import { LIFECYCLE } from './lifecycle.token.js';

@Public()
@Controller('v1/certificate-key')
export class CertificateKeyController {
  constructor(@Inject(LIFECYCLE) private readonly lifecycle: Lifecycle) {}

  @Get()
  get() {
    return this.lifecycle.certificates.publicKey();
  }
}
