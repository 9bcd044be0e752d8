import type { NotificationBatch, NotificationRecord } from '../../notify/notification';
import type { AlertLinks } from '../links';
import { STATUS_WORD, batchTitle, counts, isoTime, itemLine, valueStory } from '../message-format';

/**
 * The Slack incoming-webhook payload: `text` (the notification and fallback text) and Block Kit
 * `blocks` (https://api.slack.com/reference/block-kit/blocks). Limits honoured: 50 blocks per
 * message, 150 characters in a header, 3,000 in a section's text, 10 fields of 2,000.
 */
export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

export type SlackText = { readonly type: 'mrkdwn' | 'plain_text'; readonly text: string };
export type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | { readonly type: 'divider' };

/** Blocks per alert: a section and a context with its links, then a divider. */
export const MAX_ALERTS_PER_MESSAGE = 15;

const SEVERITY_EMOJI: Readonly<Record<string, string>> = { P0: ':rotating_light:', P1: ':red_circle:', P2: ':large_orange_circle:', P3: ':large_blue_circle:' };

/** Slack's mrkdwn needs &, < and > escaped (https://api.slack.com/reference/surfaces/formatting#escaping). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

function alertBlocks(item: NotificationRecord, links: AlertLinks): SlackBlock[] {
  const a = item.alert;
  const status = STATUS_WORD[item.kind];
  const emoji = item.kind === 'resolved' ? ':white_check_mark:' : (SEVERITY_EMOJI[a.severity] ?? '');
  const when = item.kind === 'resolved' ? `*Resolved*\n${isoTime(a.resolvedAtMs)}` : `*Firing since*\n${isoTime(a.firedAtMs)}`;
  const runbookUrl = links.runbookUrl(a);
  const runbook = runbookUrl ? `<${runbookUrl}|Runbook>` : `Runbook: \`${escapeMrkdwn(links.runbookPath(a))}\``;
  return [
    {
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`${emoji} *${status}* · *${escapeMrkdwn(itemLine(a, item.kind))}*\n${escapeMrkdwn(a.summary)}`, 3_000) },
      fields: [
        { type: 'mrkdwn', text: `*Severity*\n${a.severity}` },
        { type: 'mrkdwn', text: clip(`*Value*\n${escapeMrkdwn(valueStory(a, item.kind))}`, 2_000) },
        { type: 'mrkdwn', text: `*Module*\n${escapeMrkdwn(a.module)}` },
        { type: 'mrkdwn', text: when },
      ],
    },
    {
      type: 'context',
      elements: [
        { type: 'mrkdwn', text: runbook },
        { type: 'mrkdwn', text: `<${links.dashboardUrl(a)}|Dashboard>` },
        { type: 'mrkdwn', text: clip(`\`${escapeMrkdwn(a.fingerprint)}\``, 2_000) },
      ],
    },
    { type: 'divider' },
  ];
}

/** One message for every alert of a batch (alerts that fire together for a channel go together). Pure. */
export function slackMessage(batch: NotificationBatch, links: AlertLinks): SlackMessage {
  const { firing, resolved } = counts(batch);
  const header = [firing > 0 ? `${firing} firing` : '', resolved > 0 ? `${resolved} resolved` : ''].filter(Boolean).join(' · ');
  const shown = batch.items.slice(0, MAX_ALERTS_PER_MESSAGE);
  const blocks: SlackBlock[] = [{ type: 'header', text: { type: 'plain_text', text: clip(`Alerts: ${header}`, 150) } }];
  for (const item of shown) blocks.push(...alertBlocks(item, links));
  if (batch.items.length > shown.length) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${batch.items.length - shown.length} more; run \`obs alerts list\` for all of them.` }] });
  }
  return { text: clip(batchTitle(batch), 3_000), blocks };
}
