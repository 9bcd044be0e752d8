import { findPersonalData, type PersonalDataKind } from '../../../shared';

describe('the PII guard finds personal data in tag values', () => {
  const personal: Array<[string, PersonalDataKind]> = [
    ['ops@avalo.app', 'email'],
    ['4111111111111111', 'card'],
    ['3782 822463 10005', 'card'],
    ['+1 (415) 555-2671', 'phone'],
    ['0048601234567', 'phone'],
    ['8.8.8.8', 'ip'],
    ['::1', 'ip'],
    ['[fe80::1]:8080', 'ip'],
    ['9b2f6a0e-8c1d-4e3f-a5b6-c7d8e9f0a1b2', 'user_id'],
    ['uid:a8f3k2m9', 'user_id'],
  ];
  it.each(personal)('flags %s as %s', (value, kind) => {
    expect(findPersonalData(value)).toBe(kind);
  });

  const clean = [
    '/api/messages/:id',
    '5xx',
    'GET',
    'europe-west1',
    '4.12.0',
    '2026.11.26',
    'gpt-4o-mini-2024-07-18',
    'insufficient_funds',
    'video',
    'product.wallet.spend',
    'p2p-transfer',
    '12:30',
    'v1',
    'HTTP/2',
  ];
  it.each(clean)('lets the ordinary tag value %s through', (value) => {
    expect(findPersonalData(value)).toBeUndefined();
  });
});
