// Renders an invoice as a PDF: header, billing address, line items by bill category, taxes, total and due date.
import type { InvoiceDetail } from '../../src/domain/index.js';
import { formatMoney, ZoneClock } from '../../src/domain/reports/index.js';
import { PAGE_LETTER, type PageWriter, PdfBuilder } from './pdf-builder.js';

const MARGIN = 48;
const ROW = 11;
const SIZE = 8.5;
const FOOTER_Y = 24;

const CATEGORY_TITLES: Record<string, string> = {
  monthly_charges: 'Monthly charges',
  usage: 'Usage',
  one_time_charges: 'One-time charges',
  credits: 'Credits',
};
const PRODUCT_TITLES: Record<string, string> = {
  voice: 'Voice',
  long_distance: 'Long distance',
  toll_free: 'Toll-free',
  internet: 'Internet',
  conferencing: 'Conferencing',
  tax: 'Tax',
};

export async function renderInvoicePdf(
  invoice: InvoiceDetail,
  options: { generatedAt: string; timeZone: string },
): Promise<Uint8Array> {
  const [width, height] = PAGE_LETTER;
  const right = width - MARGIN;
  const money = (cents: number) => `${formatMoney(cents, 'display')} ${invoice.currency}`;
  const issuedMs = Date.parse(invoice.issuedAt);
  const clock = new ZoneClock(options.timeZone, issuedMs, issuedMs);
  const issuedOn = Number.isNaN(issuedMs) ? invoice.issuedAt : clock.localDate(invoice.issuedAt);

  const metadata = {
    title: `Invoice ${invoice.number} — ${invoice.accountName}`,
    subject: `Billing period ${invoice.periodStart} to ${invoice.periodEnd}`,
    createdAt: new Date(options.generatedAt),
  };
  return PdfBuilder.render(metadata, (pdf) => {
    const { regular, bold } = pdf;
    let page: PageWriter = pdf.addPage(PAGE_LETTER);
    let y = height - MARGIN;

    // Header: the document on the left, its key facts on the right.
    page.text(bold, 22, MARGIN, y - 18, 'Invoice');
    page.text(regular, 10, MARGIN, y - 34, invoice.number, 'left', 0.3);
    const facts: [string, string][] = [
      ['Invoice number', invoice.number],
      ['Account', invoice.accountNumber],
      ['Billing period', `${invoice.periodStart} to ${invoice.periodEnd}`],
      ['Issued', issuedOn],
      ['Due date', invoice.dueDate],
      ['Amount due', money(invoice.totalCents)],
    ];
    let fy = y - 8;
    for (const [label, value] of facts) {
      page.textRow(fy, [
        { face: regular, size: SIZE, x: right - 150, text: label, align: 'right' },
        { face: label === 'Amount due' ? bold : regular, size: SIZE, x: right, text: value, align: 'right' },
      ]);
      fy -= ROW;
    }
    y = Math.min(y - 60, fy) - 10;

    // Bill to.
    const address = invoice.billingAddress;
    page.text(bold, 9, MARGIN, y, 'Bill to');
    y -= ROW + 1;
    for (const line of [
      invoice.accountName,
      address.street,
      `${address.city} ${address.region} ${address.postalCode}`.trim(),
      address.country,
    ]) {
      page.text(regular, SIZE + 0.5, MARGIN, y, line);
      y -= ROW;
    }
    y -= 8;

    // The amount due, where the eye goes first.
    page.fillRects([[MARGIN, y - 26, right - MARGIN, 30]], 0.92);
    page.textRow(y - 15, [
      { face: bold, size: 11, x: MARGIN + 10, text: `Total due by ${invoice.dueDate}` },
      { face: bold, size: 11, x: right - 10, text: money(invoice.totalCents), align: 'right' },
    ]);
    y -= 48;

    const columns = { description: MARGIN + 4, connection: MARGIN + 270, product: MARGIN + 380, amount: right - 4 };
    const tableHeader = () => {
      page.fillRects([[MARGIN, y - 4, right - MARGIN, ROW + 2]], 0.88);
      page.textRow(y, [
        { face: bold, size: SIZE, x: columns.description, text: 'Description' },
        { face: bold, size: SIZE, x: columns.connection, text: 'Connection' },
        { face: bold, size: SIZE, x: columns.product, text: 'Product' },
        { face: bold, size: SIZE, x: columns.amount, text: `Amount (${invoice.currency})`, align: 'right' },
      ]);
      y -= ROW + 4;
    };
    const ensure = (needed: number, withHeader: boolean) => {
      if (y - needed >= MARGIN + 16) return;
      page = pdf.addPage(PAGE_LETTER);
      y = height - MARGIN;
      if (withHeader) tableHeader();
    };

    tableHeader();
    for (const category of Object.keys(CATEGORY_TITLES)) {
      const lines = invoice.lines.filter((l) => l.billCategory === category);
      if (lines.length === 0) continue;
      ensure(ROW * 3, true);
      page.text(bold, SIZE + 0.5, MARGIN + 4, y, CATEGORY_TITLES[category]!);
      y -= ROW;
      for (const line of lines) {
        ensure(ROW, true);
        page.textRow(y, [
          {
            face: regular,
            size: SIZE,
            x: columns.description + 8,
            text: regular.fit(line.description, SIZE, columns.connection - columns.description - 14),
          },
          { face: regular, size: SIZE, x: columns.connection, text: line.connectionNumber ?? '' },
          {
            face: regular,
            size: SIZE,
            x: columns.product,
            text: PRODUCT_TITLES[line.productCategory] ?? line.productCategory,
          },
          {
            face: regular,
            size: SIZE,
            x: columns.amount,
            text: formatMoney(line.amountCents, 'display'),
            align: 'right',
          },
        ]);
        y -= ROW;
      }
      const subtotal = lines.reduce((sum, l) => sum + l.amountCents, 0);
      page.line(columns.amount - 80, y + ROW - 3, columns.amount, y + ROW - 3, 0.4, 0.5);
      page.textRow(y, [
        { face: bold, size: SIZE, x: columns.amount - 90, text: `${CATEGORY_TITLES[category]} total`, align: 'right' },
        { face: bold, size: SIZE, x: columns.amount, text: formatMoney(subtotal, 'display'), align: 'right' },
      ]);
      y -= ROW + 6;
    }

    const taxes = invoice.lines.filter((l) => l.billCategory === 'taxes');
    ensure(ROW * (taxes.length + 4), false);
    page.text(bold, SIZE + 0.5, MARGIN + 4, y, 'Taxes');
    y -= ROW;
    if (taxes.length === 0) {
      page.text(
        regular,
        SIZE,
        columns.description + 8,
        y,
        'No taxes apply to this invoice (tax exemptions on file).',
        'left',
        0.35,
      );
      y -= ROW;
    }
    for (const tax of taxes) {
      page.textRow(y, [
        { face: regular, size: SIZE, x: columns.description + 8, text: tax.description },
        { face: regular, size: SIZE, x: columns.amount, text: formatMoney(tax.amountCents, 'display'), align: 'right' },
      ]);
      y -= ROW;
    }
    if (taxes.length > 0) {
      page.line(columns.amount - 80, y + ROW - 3, columns.amount, y + ROW - 3, 0.4, 0.5);
      page.textRow(y, [
        { face: bold, size: SIZE, x: columns.amount - 90, text: 'Taxes total', align: 'right' },
        { face: bold, size: SIZE, x: columns.amount, text: formatMoney(invoice.taxCents, 'display'), align: 'right' },
      ]);
      y -= ROW;
    }
    y -= 10;

    ensure(ROW * 5, false);
    page.line(columns.product, y + ROW - 2, right, y + ROW - 2, 0.8);
    const summary: [string, string, boolean][] = [
      ['Subtotal', money(invoice.subtotalCents), false],
      ['Taxes', money(invoice.taxCents), false],
      ['Total', money(invoice.totalCents), true],
      ['Due date', invoice.dueDate, false],
    ];
    for (const [label, value, strong] of summary) {
      page.textRow(y, [
        { face: strong ? bold : regular, size: strong ? 10 : SIZE + 0.5, x: columns.product, text: label },
        {
          face: strong ? bold : regular,
          size: strong ? 10 : SIZE + 0.5,
          x: columns.amount,
          text: value,
          align: 'right',
        },
      ]);
      y -= strong ? ROW + 3 : ROW;
    }

    const count = pdf.pages.length;
    pdf.pages.forEach((p, i) => {
      p.line(MARGIN, FOOTER_Y + 10, right, FOOTER_Y + 10, 0.4, 0.6);
      p.textRow(
        FOOTER_Y,
        [
          {
            face: regular,
            size: 7.5,
            x: MARGIN,
            text: `Invoice ${invoice.number} · ${invoice.accountName} (${invoice.accountNumber})`,
          },
          { face: regular, size: 7.5, x: right, text: `Page ${i + 1} of ${count}`, align: 'right' },
        ],
        0.3,
      );
    });
  });
}
