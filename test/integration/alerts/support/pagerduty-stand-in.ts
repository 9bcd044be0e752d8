import Ajv, { type ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HttpStandIn } from './http-stand-in';

/** PagerDuty's own OpenAPI description (test/fixtures/README.md says where it comes from). */
const OPENAPI_PATH = join(__dirname, '..', '..', '..', 'fixtures', 'pagerduty-events-v2.openapi.json');

let validator: ValidateFunction | undefined;

/**
 * The request-body schema of `POST /enqueue` from PagerDuty's OpenAPI, compiled with ajv. Its
 * `$ref`s point into `components`, so the schema is compiled together with them. The document
 * uses the formats `url` and `date-time`, defined here (ajv-formats is not installed).
 */
function enqueueValidator(): ValidateFunction {
  if (validator) return validator;
  const doc = JSON.parse(readFileSync(OPENAPI_PATH, 'utf8')) as {
    paths: Record<string, { post: { requestBody: { content: Record<string, { schema: object }> } } }>;
    components: object;
  };
  const schema = doc.paths['/enqueue']!.post.requestBody.content['application/json']!.schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('url', (s: string) => /^https?:\/\/[^\s/]+/.test(s) && URL.canParse(s));
  ajv.addFormat('date-time', (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)$/.test(s) && !Number.isNaN(Date.parse(s)));
  validator = ajv.compile({ ...schema, components: doc.components });
  return validator;
}

/**
 * Validates an event against PagerDuty's schema, plus two rules of the Events API the schema
 * states only in prose: a trigger carries a payload, a resolve a dedup_key.
 */
export function validatePagerDutyEvent(body: unknown): string[] {
  const validate = enqueueValidator();
  const problems = validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'invalid'}`);
  const event = body as { event_action?: string; payload?: unknown; dedup_key?: unknown };
  if (event.event_action === 'trigger' && event.payload === undefined) problems.push('a trigger needs a payload');
  if (event.event_action === 'resolve' && typeof event.dedup_key !== 'string') problems.push('a resolve needs a dedup_key');
  return problems;
}

export const PAGERDUTY = {
  accepted: { status: 202, body: '{"status":"success","message":"Event processed"}', headers: { 'content-type': 'application/json' } },
  badRequest: { status: 400, body: '{"status":"invalid event","message":"Event object is invalid","errors":["Length of \'routing_key\' is incorrect"]}' },
  rateLimited: (seconds: number) => ({ status: 429, body: '', headers: { 'retry-after': String(seconds) } }),
  serverError: { status: 500, body: 'Internal Server Error' },
};

export function startPagerDutyStandIn(): Promise<HttpStandIn> {
  return new HttpStandIn('/v2/enqueue', validatePagerDutyEvent, PAGERDUTY.accepted).start();
}
