// The report names people use: the catalogue's ids and titles with the everyday ways of saying them.

export interface ReportName {
  id: string;
  title: string;
  aliases?: string[];
}

/** Every portal report, by the id the reports module and the CLI use, with titles and common phrasings. */
export const REPORT_NAMES: readonly ReportName[] = [
  {
    id: 'long-distance-detail',
    title: 'Long distance detail',
    aliases: ['LD detail', 'long distance call detail', 'long distance calls', 'detailed long distance', 'long distance call list', 'détail interurbain', 'appels interurbains'],
  },
  {
    id: 'long-distance-summary',
    title: 'Long distance summary',
    aliases: ['LD summary', 'long distance totals', 'long distance overview', 'sommaire interurbain', 'résumé interurbain'],
  },
  {
    id: 'toll-free-summary',
    title: 'Toll-free summary',
    aliases: ['800 summary', 'toll free totals', 'toll free overview', 'sommaire sans frais'],
  },
  {
    id: 'toll-free-detail',
    title: 'Toll-free detail',
    aliases: ['toll free call detail', 'toll free calls', '800 detail', 'détail sans frais', 'appels sans frais'],
  },
  {
    id: 'destination-number-summary',
    title: 'Destination number summary',
    aliases: ['destination summary', 'calls by destination', 'called numbers summary', 'destinations', 'sommaire par destination'],
  },
  {
    id: 'origin-number-summary',
    title: 'Origin number summary',
    aliases: ['origin summary', 'calls by origin', 'originating number summary', 'calling number summary', 'sommaire par origine'],
  },
  {
    id: 'day-of-week-summary',
    title: 'Day of the week summary',
    aliases: ['day of week', 'calls by day of week', 'calls by weekday', 'weekday summary', 'busiest day', 'jour de la semaine'],
  },
  {
    id: 'rated-call-detail',
    title: 'Rated call detail',
    aliases: ['rated calls', 'call detail records', 'CDR', 'call detail', 'call log', 'détail des appels'],
  },
  {
    id: 'account-code-detail',
    title: 'Account code detail',
    aliases: ['account codes report', 'calls by account code', 'account code usage', 'account code calls', 'codes de compte'],
  },
  {
    id: 'internet-usage-summary',
    title: 'Measured internet usage summary',
    aliases: ['internet usage', 'data usage', 'bandwidth usage', 'internet summary', 'utilisation internet'],
  },
  {
    id: 'top-calls-by-number',
    title: 'Top calls by called number',
    aliases: ['top called numbers', 'most called numbers', 'top numbers', 'top calls by number', 'numéros les plus appelés'],
  },
  {
    id: 'top-calls-by-charge',
    title: 'Top calls by charged amount',
    aliases: ['top calls by cost', 'most expensive calls', 'costliest calls', 'top calls by charge', 'priciest calls', 'top calls by amount', 'appels les plus chers'],
  },
  {
    id: 'top-calls-by-duration',
    title: 'Top calls by duration',
    aliases: ['longest calls', 'calls by duration', 'top calls by length', 'top calls by minutes', 'appels les plus longs'],
  },
  {
    id: 'area-code-summary',
    title: 'Area code summary',
    aliases: ['calls by area code', 'area codes', 'area code report', 'indicatifs régionaux'],
  },
  {
    id: 'conferencing-summary',
    title: 'Conferencing summary',
    aliases: ['conference summary', 'conference calls', 'conferencing usage', 'bridge usage', 'sommaire des conférences'],
  },
  {
    id: 'billed-amount',
    title: 'Billed amount',
    aliases: ['billed amounts', 'amount billed', 'billing summary', 'total billed', 'montant facturé'],
  },
  {
    id: 'billed-amount-by-feature',
    title: 'Billed amount by feature',
    aliases: ['billed by feature', 'charges by feature', 'feature charges', 'facturé par fonction'],
  },
  {
    id: 'billed-amount-by-connection',
    title: 'Billed amount by connection number',
    aliases: ['billed by connection', 'charges by connection', 'billed by line', 'charges by line', 'billed by phone number'],
  },
  {
    id: 'billed-amount-by-child',
    title: 'Billed amount summary by child account',
    aliases: ['billed by child account', 'billed by sub account', 'charges by child account', 'child account summary', 'billed by subaccount'],
  },
  {
    id: 'billed-amount-by-category',
    title: 'Billed amount by bill category',
    aliases: ['billed by category', 'charges by category', 'bill category', 'billed by bill category'],
  },
  {
    id: 'charges-by-product-category',
    title: 'Account charges by product category',
    aliases: ['charges by product', 'product category', 'charges by product category', 'product charges'],
  },
  {
    id: 'taxing-summary',
    title: 'Taxing summary',
    aliases: ['tax summary', 'taxes', 'tax report', 'taxing', 'résumé des taxes', 'sommaire des taxes'],
  },
];
