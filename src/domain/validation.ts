// Checks of user-supplied values shared by the write use cases: phone numbers, addresses, emails.
import { invalid, type Invalid } from './result.js';

const CANADIAN_PROVINCES = ['AB', 'BC', 'MB', 'NB', 'NL', 'NS', 'NT', 'NU', 'ON', 'PE', 'QC', 'SK', 'YT'];
const US_STATES = [
  'AL', 'AK', 'AZ', 'AR', 'CA', 'CO', 'CT', 'DE', 'DC', 'FL', 'GA', 'HI', 'ID', 'IL', 'IN', 'IA', 'KS', 'KY', 'LA',
  'ME', 'MD', 'MA', 'MI', 'MN', 'MS', 'MO', 'MT', 'NE', 'NV', 'NH', 'NJ', 'NM', 'NY', 'NC', 'ND', 'OH', 'OK', 'OR',
  'PA', 'RI', 'SC', 'SD', 'TN', 'TX', 'UT', 'VT', 'VA', 'WA', 'WV', 'WI', 'WY', 'PR',
];
const TOLL_FREE_AREA_CODES = new Set(['800', '833', '844', '855', '866', '877', '888']);

/** A North American number as E.164 (+1NXXNXXXXXX), or null if it is not a dialable NANP number. */
export function normaliseNanpNumber(input: string): string | null {
  if (!/^[\d\s().+-]{10,20}$/.test(input.trim())) return null;
  let digits = input.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (digits.length !== 10) return null;
  // Area code and exchange both start with 2-9; N11 codes (411, 911…) are service codes, not numbers.
  if (!/^[2-9]\d\d[2-9]\d{6}$/.test(digits)) return null;
  if (/^\d11$/.test(digits.slice(0, 3)) || /^\d11$/.test(digits.slice(3, 6))) return null;
  return `+1${digits}`;
}

export function isTollFreeNumber(e164: string): boolean {
  return TOLL_FREE_AREA_CODES.has(e164.slice(2, 5));
}

export interface PostalAddress {
  street: string;
  city: string;
  region: string;
  postalCode: string;
  country: string;
}

/** Validates and tidies a Canadian or US street address; 911 and billing addresses must pass. */
export function validateAddress(input: PostalAddress): { kind: 'ok'; value: PostalAddress } | Invalid {
  const country = input.country.trim().toUpperCase();
  const region = input.region.trim().toUpperCase();
  const street = input.street.trim().replace(/\s+/g, ' ');
  const city = input.city.trim().replace(/\s+/g, ' ');
  let postalCode = input.postalCode.trim().toUpperCase();
  if (country !== 'CA' && country !== 'US') return invalid('country', 'The country must be Canada (CA) or the United States (US).');
  if (street.length < 3 || street.length > 200 || !/\d/.test(street)) {
    return invalid('street', 'The street address needs a civic number and a street name.');
  }
  if (city.length < 2 || city.length > 100) return invalid('city', 'Please give the city.');
  const regions = country === 'CA' ? CANADIAN_PROVINCES : US_STATES;
  if (!regions.includes(region)) {
    return invalid('region', country === 'CA' ? 'That is not a Canadian province or territory code.' : 'That is not a US state code.');
  }
  if (country === 'CA') {
    const compact = postalCode.replace(/\s/g, '');
    if (!/^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z]\d[ABCEGHJ-NPRSTV-Z]\d$/.test(compact)) {
      return invalid('postalCode', 'That is not a valid Canadian postal code (like M5V 2T6).');
    }
    postalCode = `${compact.slice(0, 3)} ${compact.slice(3)}`;
  } else if (!/^\d{5}(-\d{4})?$/.test(postalCode)) {
    return invalid('postalCode', 'That is not a valid ZIP code (like 60601 or 60601-1234).');
  }
  return { kind: 'ok', value: { street, city, region, postalCode, country } };
}

export function isValidEmail(email: string): boolean {
  return email.length <= 254 && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

/** Text fields from people: trimmed, bounded, and never empty when required. */
export function cleanText(value: string | undefined, max: number): string {
  return (value ?? '').trim().replace(/\s+/g, ' ').slice(0, max);
}
