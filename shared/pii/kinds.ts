/**
 * The kinds of personal data the guard recognises, and how a rejection reason names each one.
 * A reason names the kind, never the value (docs/AUDIT.md).
 */
export type PersonalDataKind =
  | 'email'
  | 'phone'
  | 'card'
  | 'ip'
  | 'user_id'
  | 'jwt'
  | 'secret'
  | 'bank_account'
  | 'device_id'
  | 'national_id'
  | 'location';

export const PERSONAL_DATA_DESCRIPTIONS: Record<PersonalDataKind, string> = {
  email: 'an e-mail address',
  phone: 'a phone number',
  card: 'a payment card number',
  ip: 'an IP address',
  user_id: 'a raw user id',
  jwt: 'a JSON Web Token',
  secret: 'a secret (bearer token, API key or credentials)',
  bank_account: 'a bank account number (IBAN)',
  device_id: 'a device identifier (MAC address)',
  national_id: 'a national identification number (US SSN)',
  location: 'precise geographic coordinates',
};
