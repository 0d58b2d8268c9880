// The API's OpenAPI description, served at /docs (and /docs/openapi.json). Request bodies come
// from the same zod schemas that validate them (see ZodBody).
import type { INestApplication } from '@nestjs/common';
import { ApiBody, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { z } from 'zod';

type BodySchema = Extract<Parameters<typeof ApiBody>[0], { schema: unknown }>['schema'];

export function openApiSchema(schema: z.ZodType): BodySchema {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  delete json.$schema;
  return json as BodySchema;
}

export function setupOpenApi(app: INestApplication): void {
  const config = new DocumentBuilder()
    .setTitle('Lethe')
    .setDescription(
      'Tenant data lifecycle engine: onboarding, terminations and deletion requests, verified crypto-shredding and signed deletion certificates. ' +
        'Bearer tokens carry a role: contract-system, ops-reader, operator or admin. Errors are application/problem+json.',
    )
    .setVersion('1')
    .addBearerAuth()
    .addSecurityRequirements('bearer')
    .build();
  const document = SwaggerModule.createDocument(app, config);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
