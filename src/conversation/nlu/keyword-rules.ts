// A few phrasings settle the intent whatever the classifier thinks: "billing address" is never a 911 change,
// and a message plainly in another language than English or French is recognised as such.

export interface Classified {
  intent: string;
  confidence: number;
  ranking: { intent: string; score: number }[];
}

const BILLING_ADDRESS = /\b(billing|mailing|invoice|invoicing|postal|remittance) address\b|\badresse (de facturation|postale)\b/i;
const EMERGENCY = /\b(e?911|emergency|urgence)\b/i;

/** The classifier's answer, corrected where the words leave no doubt. */
export function applyKeywordRules(text: string, classified: Classified): Classified {
  if (BILLING_ADDRESS.test(text) && !EMERGENCY.test(text) && classified.intent !== 'billing_address') {
    return { ...classified, intent: 'billing_address', confidence: Math.max(classified.confidence, 0.9) };
  }
  return classified;
}

const STOP_WORDS: Record<string, readonly string[]> = {
  en: ['the', 'my', 'is', 'what', 'how', 'i', 'you', 'to', 'of', 'and', 'a', 'for', 'on', 'where', 'can', 'me', 'our', 'we'],
  fr: ['le', 'la', 'les', 'mon', 'ma', 'mes', 'est', 'quel', 'quelle', 'je', 'vous', 'de', 'et', 'un', 'une', 'pour', 'où', 'notre', 'nous', 'facture', 'compte'],
  // Words that are also English ("was", "die", "con", "per", "come") are left out: they would mislabel English.
  es: ['el', 'los', 'las', 'mi', 'mis', 'es', 'está', 'esta', 'dónde', 'donde', 'qué', 'cómo', 'yo', 'usted', 'por', 'favor', 'quiero', 'necesito', 'factura', 'cuenta', 'para', 'hola', 'gracias'],
  de: ['der', 'das', 'ist', 'wo', 'wie', 'ich', 'sie', 'mein', 'meine', 'meinen', 'und', 'für', 'mit', 'bitte', 'rechnung', 'konto', 'nicht', 'ein', 'eine', 'danke'],
  it: ['il', 'gli', 'mio', 'mia', 'è', 'dove', 'cosa', 'io', 'voglio', 'fattura', 'conto', 'grazie', 'ciao'],
  pt: ['os', 'meu', 'minha', 'é', 'onde', 'como', 'eu', 'você', 'quero', 'preciso', 'fatura', 'conta', 'obrigado', 'olá'],
};

/**
 * The language of a message when it is clearly neither English nor French (Spanish, German, Italian,
 * Portuguese), judged by common short words; null otherwise. "¿" and "¡" settle Spanish.
 */
export function otherLanguage(text: string): string | null {
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  if (words.length === 0) return null;
  const count = (lang: string) => words.filter((w) => STOP_WORDS[lang]?.includes(w)).length;
  const ours = Math.max(count('en'), count('fr'));
  let best: string | null = /[¿¡]/.test(text) ? 'es' : null;
  let bestCount = best ? count(best) + 2 : 0;
  for (const lang of ['es', 'de', 'it', 'pt']) {
    const n = count(lang);
    if (n > bestCount) {
      best = lang;
      bestCount = n;
    }
  }
  return best && bestCount >= 2 && bestCount > ours ? best : null;
}
