// Reading the answer to a question the bot asked: the detail it was waiting for, from what was said.
import type { PendingQuestion, SlotValue } from './state.js';
import { entitiesOf, firstEntity, type Turn } from './turn.js';

const FREE_TEXT_SLOTS = new Set(['description', 'reason', 'name']);

/** The awaited detail if this message gives it, else null (a change of topic or not understood). */
export function resumeOrFill(turn: Turn, pending: PendingQuestion): { value: SlotValue } | null {
  const text = turn.text.trim();
  switch (pending.awaiting) {
    case 'account': {
      const accounts = entitiesOf(turn, 'account').sort((a, b) => b.score - a.score);
      const best = accounts[0];
      if (best && (best.score >= 0.99 || accounts.length === 1)) return { value: best.value };
      return null;
    }
    case 'amountCents': {
      const money = firstEntity(turn, 'money');
      if (money) return { value: money.value };
      const bare = /^\$?\s*(\d{1,7})(?:[.,](\d{1,2}))?\s*\$?$/.exec(text);
      if (bare) return { value: Number(bare[1]) * 100 + Number((bare[2] ?? '0').padEnd(2, '0')) };
      return null;
    }
    case 'preferredContact': {
      if (/\b(e-?mail|courriel|mail)\b/i.test(text)) return { value: 'email' };
      if (/\b(phone|call|ring|téléphone|telephone|appel)/i.test(text)) return { value: 'phone' };
      if (/\b(chat|here|message)\b/i.test(text)) return { value: 'chat' };
      return null;
    }
    case 'email': {
      const email = /[^\s@]+@[^\s@]+\.[^\s@]+/.exec(text)?.[0];
      if (email) return { value: email.toLowerCase().replace(/[.,;]+$/, '') };
      const phone = firstEntity(turn, 'phone');
      return phone ? { value: null } : null;
    }
    case 'ringTo':
    case 'line':
    case 'tollFree': {
      const phone = firstEntity(turn, 'phone');
      return phone ? { value: phone.value } : null;
    }
    case 'address': {
      const address = firstEntity(turn, 'address');
      return address ? { value: { ...address.value } } : null;
    }
    case 'ticket': {
      const ticket = firstEntity(turn, 'ticket');
      return ticket ? { value: ticket.value } : null;
    }
    case 'reportId': {
      const report = firstEntity(turn, 'report');
      return report ? { value: report.value } : null;
    }
    case 'format': {
      const format = firstEntity(turn, 'format');
      return format ? { value: format.value } : null;
    }
    case 'role': {
      const role = /\b(primary|billing|technical|tech)\b/i.exec(text)?.[1]?.toLowerCase();
      return role ? { value: role === 'tech' ? 'technical' : role } : null;
    }
    case 'permissions': {
      const said = ['billing', 'tickets', 'services', 'reports'].filter((p) => new RegExp(`\\b${p.slice(0, -1)}`, 'i').test(text));
      if (/\b(everything|all|full)\b/i.test(text)) return { value: 'billing,tickets,services,reports' };
      return said.length ? { value: said.join(',') } : null;
    }
    default: {
      if (!FREE_TEXT_SLOTS.has(pending.awaiting)) return null;
      // A free-text answer is taken as given unless it is plainly a new request.
      const { intent, confidence } = turn.understanding;
      const newRequest = confidence >= 0.85 && intent !== pending.intent && intent !== 'out_of_scope' && text.split(/\s+/).length <= 6;
      return text.length >= 3 && !newRequest ? { value: text.slice(0, 2000) } : null;
    }
  }
}
