import type { NotificationBatch, NotificationRecord } from '../../notify/notification';
import type { AlertLinks } from '../links';
import { STATUS_WORD, batchTitle, isoTime, itemLine, valueStory } from '../message-format';

/** An alert e-mail: one per batch, plain text and HTML saying the same thing. */
export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

const escapeHtml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function textBlock(item: NotificationRecord, links: AlertLinks): string {
  const a = item.alert;
  return [
    `${STATUS_WORD[item.kind]}: ${itemLine(a, item.kind)}`,
    `  ${a.summary}`,
    `  Severity: ${a.severity}    Module: ${a.module}    Value: ${valueStory(a, item.kind)}`,
    item.kind === 'resolved' ? `  Resolved at: ${isoTime(a.resolvedAtMs)} (firing since ${isoTime(a.firedAtMs)})` : `  Firing since: ${isoTime(a.firedAtMs)}`,
    `  Runbook: ${links.runbookUrl(a) ?? links.runbookPath(a)}`,
    `  Dashboard: ${links.dashboardUrl(a)}`,
    `  Alert: ${a.fingerprint}`,
  ].join('\n');
}

function htmlBlock(item: NotificationRecord, links: AlertLinks): string {
  const a = item.alert;
  const runbookUrl = links.runbookUrl(a);
  const runbook = runbookUrl ? `<a href="${escapeHtml(runbookUrl)}">Runbook</a>` : `Runbook: <code>${escapeHtml(links.runbookPath(a))}</code>`;
  const colour = item.kind === 'resolved' ? '#2e7d32' : a.severity === 'P0' ? '#b71c1c' : '#e65100';
  return `<div style="margin:0 0 16px 0">
<h3 style="margin:0;color:${colour}">${escapeHtml(STATUS_WORD[item.kind])}: ${escapeHtml(itemLine(a, item.kind))}</h3>
<p style="margin:4px 0">${escapeHtml(a.summary)}</p>
<table cellpadding="2"><tr><th align="left">Severity</th><td>${escapeHtml(a.severity)}</td></tr>
<tr><th align="left">Module</th><td>${escapeHtml(a.module)}</td></tr>
<tr><th align="left">Value</th><td>${escapeHtml(valueStory(a, item.kind))}</td></tr>
<tr><th align="left">${item.kind === 'resolved' ? 'Resolved at' : 'Firing since'}</th><td>${escapeHtml(isoTime(item.kind === 'resolved' ? a.resolvedAtMs : a.firedAtMs))}</td></tr></table>
<p style="margin:4px 0">${runbook} · <a href="${escapeHtml(links.dashboardUrl(a))}">Dashboard</a> · <code>${escapeHtml(a.fingerprint)}</code></p>
</div>`;
}

/** Renders a batch as one e-mail. Pure. */
export function emailMessage(batch: NotificationBatch, links: AlertLinks): EmailMessage {
  const subject = batchTitle(batch).slice(0, 250);
  const text = `${batch.items.map((item) => textBlock(item, links)).join('\n\n')}\n\n— Avalo observability alerts (obs alerts list shows every alert)\n`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">\n${batch.items.map((item) => htmlBlock(item, links)).join('\n')}\n<p style="color:#666">Avalo observability alerts</p></body></html>`;
  return { subject, text, html };
}
