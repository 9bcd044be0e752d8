import { HttpStandIn } from './http-stand-in';

/** A webhook path shaped like Slack's; its last part plays the secret token. */
export const SLACK_PATH = '/services/T0AVALO/B0ONCALL/s3cr3tSlackToken0123456789';

/** What the checks read of a block. */
interface SlackBlockShape {
  type?: string;
  text?: { type?: string; text?: unknown };
  fields?: Array<{ text: string }>;
  elements?: unknown[];
}

const BLOCK_TYPES = new Set(['header', 'section', 'context', 'divider', 'actions']);

/**
 * Checks a payload the way Slack's incoming webhooks and Block Kit do
 * (https://api.slack.com/reference/block-kit/blocks): a non-empty `text`, at most 50 blocks of
 * known types, header text plain and ≤ 150 characters, section text ≤ 3,000, ≤ 10 fields of
 * ≤ 2,000, context elements ≤ 10.
 */
export function validateSlackPayload(body: unknown): string[] {
  const problems: string[] = [];
  const b = body as { text?: unknown; blocks?: unknown };
  if (typeof b.text !== 'string' || b.text.trim() === '') problems.push('text must be a non-empty string');
  if (!Array.isArray(b.blocks)) return [...problems, 'blocks must be an array'];
  if (b.blocks.length > 50) problems.push(`${b.blocks.length} blocks, Slack allows 50`);
  for (const [i, block] of (b.blocks as SlackBlockShape[]).entries()) {
    if (!BLOCK_TYPES.has(String(block.type))) problems.push(`block ${i}: unknown type ${String(block.type)}`);
    if (block.type === 'header' && (block.text?.type !== 'plain_text' || String(block.text?.text).length > 150)) problems.push(`block ${i}: header must be plain_text ≤ 150`);
    if (block.type === 'section') {
      if (typeof block.text?.text !== 'string' || block.text.text.length > 3_000) problems.push(`block ${i}: section text missing or over 3,000`);
      if (block.fields && (block.fields.length > 10 || block.fields.some((f) => f.text.length > 2_000))) problems.push(`block ${i}: too many or too long fields`);
    }
    if (block.type === 'context' && (!Array.isArray(block.elements) || block.elements.length > 10)) problems.push(`block ${i}: context needs 1–10 elements`);
  }
  return problems;
}

/** Slack's answers: 200 `ok`, 400 `invalid_payload`, 429 with Retry-After, 500. */
export const SLACK = {
  ok: { status: 200, body: 'ok' },
  invalidPayload: { status: 400, body: 'invalid_payload' },
  rateLimited: (seconds: number) => ({ status: 429, body: 'rate_limited', headers: { 'retry-after': String(seconds) } }),
  serverError: { status: 500, body: 'internal_error' },
};

export function startSlackStandIn(path = SLACK_PATH): Promise<HttpStandIn> {
  return new HttpStandIn(path, validateSlackPayload, SLACK.ok).start();
}
