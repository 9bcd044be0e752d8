import { decideGate, parseGateRequest, GateRequestError } from '../../../slo-gate/gate-policy';
import { ConfigError, describeConfig, loadConfig } from '../../../shared/config';
import { redactorFor } from '../../../shared/redaction';

const AT = Date.UTC(2026, 10, 20, 12);
const slo = (id: string, remaining: number | null) => ({
  sloId: id,
  name: id,
  budget: { allowed: 1, consumed: 0, remaining, minutesTotal: null, minutesRemaining: null },
  status: remaining === null ? ('no_data' as const) : remaining <= 0 ? ('exhausted' as const) : ('ok' as const),
});

describe('release gate policy', () => {
  it('allows while every SLO with data has budget left', () => {
    const d = decideGate({ module: 'wallet', emergency: false }, [slo('a', 0.25), slo('b', null)], AT);
    expect(d).toMatchObject({ decision: 'allow', override: false, emergency: false, at: '2026-11-20T12:00:00.000Z' });
    expect(d.reasons).toEqual(['every SLO with data has error budget left', 'b: no data in its window; not judged']);
  });

  it('denies when one SLO has exactly nothing left (remaining 0 counts as exhausted)', () => {
    const d = decideGate({ module: 'wallet', emergency: false }, [slo('a', 0.9), slo('b', 0)], AT);
    expect(d.decision).toBe('deny');
    expect(d.reasons).toEqual(['b: error budget exhausted (0% left)']);
  });

  it('turns a deny into an allow for an emergency, as an override; an emergency with budget left overrides nothing', () => {
    const over = decideGate({ module: 'wallet', emergency: true, reason: 'fix' }, [slo('a', -0.5)], AT);
    expect(over).toMatchObject({ decision: 'allow', override: true, emergencyReason: 'fix' });
    expect(over.reasons).toEqual(['a: error budget exhausted (-50% left)', 'emergency override: fix']);
    expect(decideGate({ module: 'wallet', emergency: true, reason: 'fix' }, [slo('a', 0.5)], AT)).toMatchObject({ decision: 'allow', override: false });
  });

  it('allows a module without SLOs and says so', () => {
    expect(decideGate({ module: 'growth', emergency: false }, [], AT).reasons).toEqual(['module growth has no SLOs; nothing to judge']);
  });

  it.each([
    [{ module: undefined }, /module is required: one of wallet, chat/],
    [{ module: 'wallets' }, /unknown module "wallets": one of wallet/],
    [{ module: 'wallet', emergency: 'yes' }, /emergency must be true or false/],
    [{ module: 'wallet', emergency: 'true' }, /an emergency needs a reason/],
    [{ module: 'wallet', reason: 'why' }, /reason is only taken with emergency=true/],
    [{ module: 'wallet', emergency: 'true', reason: 'x'.repeat(501) }, /at most 500/],
  ])('refuses %j', (raw, message) => {
    expect(() => parseGateRequest(raw)).toThrow(GateRequestError);
    expect(() => parseGateRequest(raw)).toThrow(message);
  });

  it('strips control characters from a reason', () => {
    expect(parseGateRequest({ module: 'wallet', emergency: true, reason: ' hotfix\n\u0007INC-1 ' })).toEqual({ module: 'wallet', emergency: true, reason: 'hotfix INC-1' });
  });
});

describe('OBS_GATE_TOKEN', () => {
  const token = 'ci-gate-token-0123456789abcdef';
  it('is a secret: described as set, redacted from text', () => {
    const config = loadConfig({ OBS_GATE_TOKEN: token });
    expect(config.gateToken).toBe(token);
    expect(describeConfig(config).gateToken).toBe('set (redacted)');
    expect(redactorFor(config).redact(`Bearer ${token}`)).toBe('Bearer [REDACTED]');
  });

  it('refuses a short token, naming the variable but not the value', () => {
    expect(() => loadConfig({ OBS_GATE_TOKEN: 'short-secret' })).toThrow(ConfigError);
    expect(() => loadConfig({ OBS_GATE_TOKEN: 'short-secret' })).toThrow(/OBS_GATE_TOKEN must be at least 16 characters/);
    try {
      loadConfig({ OBS_GATE_TOKEN: 'short-secret' });
    } catch (error) {
      expect(String(error)).not.toContain('short-secret');
    }
  });
});
