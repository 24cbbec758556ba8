// Parses a report's own filters (numbers, account codes, call types…) from the strings chat and CLI send.
import { type Invalid, invalid } from '../result.js';
import type { ReportFilterDefinition } from './types.js';

/** A phone number filter: a whole number matches exactly, a few digits match anywhere in the number. */
export type PhoneMatch = { readonly exact: string } | { readonly contains: string };

export type FilterValue = string | number | PhoneMatch;
export type ParsedFilters = Readonly<Record<string, FilterValue>>;

export function parsePhoneMatch(text: string): PhoneMatch | null {
  const trimmed = text.trim();
  if (!/^[\d\s().+-]+$/.test(trimmed)) return null;
  let digits = trimmed.replace(/\D/g, '');
  if (digits.length === 11 && digits.startsWith('1')) digits = digits.slice(1);
  if (digits.length === 10) return { exact: `+1${digits}` };
  if (digits.length >= 3 && digits.length < 10) return { contains: digits };
  return null;
}

/** Choice values are written as people write them: "Long distance", "long-distance", "long_distance". */
export function normaliseChoice(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
}

export function parseFilters(
  definitions: readonly ReportFilterDefinition[],
  input: Readonly<Record<string, string | number | undefined>> | undefined,
  reportTitle: string,
): { kind: 'ok'; value: ParsedFilters; applied: { name: string; label: string; value: string }[] } | Invalid {
  const parsed: Record<string, FilterValue> = {};
  const applied: { name: string; label: string; value: string }[] = [];
  for (const [name, raw] of Object.entries(input ?? {})) {
    if (raw === undefined || String(raw).trim() === '') continue;
    const definition = definitions.find((d) => d.name === name);
    if (!definition) {
      const known = definitions.map((d) => d.name).join(', ');
      return invalid(
        'filters',
        known
          ? `The ${reportTitle} report has no filter "${name}"; its filters are: ${known}.`
          : `The ${reportTitle} report takes no filters besides the period and the account ("${name}" given).`,
      );
    }
    const text = String(raw).trim();
    switch (definition.type) {
      case 'phone': {
        const match = parsePhoneMatch(text);
        if (!match) {
          return invalid(
            name,
            `${definition.label} must be a phone number, or at least 3 of its digits, not "${text}".`,
          );
        }
        parsed[name] = match;
        break;
      }
      case 'choice': {
        const value = normaliseChoice(text);
        if (!definition.values?.includes(value)) {
          return invalid(name, `${definition.label} must be one of ${definition.values?.join(', ')}, not "${text}".`);
        }
        parsed[name] = value;
        break;
      }
      case 'integer': {
        const value = Number(text);
        if (!/^\d+$/.test(text) || value < 1 || value > 1000) {
          return invalid(name, `${definition.label} must be a whole number from 1 to 1000, not "${text}".`);
        }
        parsed[name] = value;
        break;
      }
      case 'text':
        if (text.length > 100) return invalid(name, `${definition.label} is too long.`);
        parsed[name] = text;
        break;
    }
    applied.push({ name, label: definition.label, value: text });
  }
  return { kind: 'ok', value: parsed, applied };
}
