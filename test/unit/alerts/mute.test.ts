import { inhibitor } from '../../../alerts/mute/inhibition';
import { combineMuters } from '../../../alerts/mute/muter';
import { createSilence, silenceStatus, silencer } from '../../../alerts/mute/silences';
import { parseMatcher } from '../../../alerts/model/matchers';
import { MIN, T0 } from './helpers';

const walletP1 = { alertname: 'payout-failures-high', severity: 'P1', module: 'wallet' };
const walletP0 = { alertname: 'wallet-spend-failures-critical', severity: 'P0', module: 'wallet' };

describe('silences', () => {
  const silence = createSilence({ matchers: [parseMatcher('module=wallet')], startsAtMs: T0, durationMs: 120 * MIN, createdBy: 'ana', comment: 'payment provider maintenance' }, T0, 's1');

  it('mute matching alerts only between start and end', () => {
    expect(silencer([silence], T0 - 1).mutes(walletP1, 'x')).toBeUndefined();
    expect(silencer([silence], T0).mutes(walletP1, 'x')).toEqual({ by: 'silence', silenceId: 's1', comment: 'payment provider maintenance' });
    expect(silencer([silence], T0 + 120 * MIN).mutes(walletP1, 'x')).toBeUndefined();
    expect(silencer([silence], T0).mutes({ ...walletP1, module: 'chat' }, 'x')).toBeUndefined();
    expect([T0 - 1, T0, T0 + 120 * MIN].map((t) => silenceStatus(silence, t))).toEqual(['pending', 'active', 'expired']);
  });

  it.each([
    [{ matchers: [], comment: 'x', durationMs: MIN }, /at least one matcher/],
    [{ matchers: [parseMatcher('module=~.*')], comment: 'x', durationMs: MIN }, /match every alert/],
    [{ matchers: [parseMatcher('module=wallet')], comment: ' ', durationMs: MIN }, /comment/],
    [{ matchers: [parseMatcher('module=wallet')], comment: 'x', durationMs: 0 }, /duration/],
  ])('refuses a silence a user would regret (%#)', (input, message) => {
    expect(() => createSilence({ ...input, startsAtMs: T0, createdBy: 'ana' }, T0)).toThrow(message);
  });
});

describe('inhibition', () => {
  it('a firing P0 of a module mutes the lower-severity alerts of that module, not other modules, not itself', () => {
    const muter = inhibitor([{ fingerprint: 'wallet-spend-failures-critical', labels: walletP0 }]);
    expect(muter.mutes(walletP1, 'payout-failures-high')).toEqual({ by: 'inhibition', rule: 'p0-mutes-module', sourceFingerprint: 'wallet-spend-failures-critical' });
    expect(muter.mutes({ ...walletP1, module: 'chat' }, 'chat-failures-high')).toBeUndefined();
    expect(muter.mutes(walletP0, 'wallet-spend-failures-critical')).toBeUndefined();
  });

  it('a page-tier burn of an SLO mutes its ticket-tier burn', () => {
    const page = { kind: 'slo_burn', burn_tier: 'page', slo: 'wallet-spend-success', severity: 'P1', module: 'wallet' };
    const muter = inhibitor([{ fingerprint: 'page', labels: page }]);
    expect(muter.mutes({ ...page, burn_tier: 'ticket', severity: 'P3' }, 'ticket')).toMatchObject({ rule: 'page-burn-mutes-ticket-burn' });
    expect(muter.mutes({ ...page, burn_tier: 'ticket', severity: 'P3', slo: 'chat-delivery', module: 'chat' }, 'other')).toBeUndefined();
  });

  it('silences and inhibition combine behind one Muter; the first reason wins', () => {
    const s = createSilence({ matchers: [parseMatcher('severity=P1')], startsAtMs: T0, durationMs: MIN, createdBy: 'a', comment: 'c' }, T0, 's');
    const muter = combineMuters(silencer([s], T0), inhibitor([{ fingerprint: 'p0', labels: walletP0 }]));
    expect(muter.mutes(walletP1, 'x')).toMatchObject({ by: 'silence' });
    expect(muter.mutes({ ...walletP1, severity: 'P2' }, 'x')).toMatchObject({ by: 'inhibition' });
  });
});
