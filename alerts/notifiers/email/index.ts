import type { ChannelId } from '../../../shared/channels';
import type { ObservabilityConfig } from '../../../shared/config';
import type { NotifierDefinition } from '../notifier-definition';
import { emailMessage } from './email-message';
import { EmailNotifier } from './email-notifier';

function recipientsOf(channel: ChannelId, config: ObservabilityConfig): { to: string[]; env: string } {
  const [value, env] = channel === 'finance-email' ? [config.financeEmail, 'FINANCE_EMAIL'] : [config.opsEmail, 'OPS_EMAIL'];
  return { to: (value ?? '').split(',').map((a) => a.trim()).filter(Boolean), env };
}

/**
 * The sender: `observability-alerts@` the recipients' own domain, which their mail server
 * accepts as local. (shared/config.ts has no sender variable yet.)
 */
export function senderFor(to: readonly string[]): string {
  const domain = (to[0] ?? 'localhost').split('@')[1] ?? 'localhost';
  return `"Avalo observability" <observability-alerts@${domain}>`;
}

export const emailDefinition: NotifierDefinition = {
  create(channel, deps) {
    const { to, env } = recipientsOf(channel, deps.config);
    const missing = [deps.config.smtpUrl ? '' : 'SMTP_URL', to.length > 0 ? '' : env].filter(Boolean);
    if (missing.length > 0 || !deps.config.smtpUrl) return { unconfigured: `${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set` };
    return new EmailNotifier(channel, deps.config.smtpUrl, to, senderFor(to), deps);
  },
  preview(channel, batch, deps) {
    const { to } = recipientsOf(channel, deps.config);
    return { to, ...emailMessage(batch, deps.links) };
  },
};
