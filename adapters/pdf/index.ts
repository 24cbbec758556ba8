// PDF renderers (pdf-lib): reports and invoices, handed to the core as its ReportRenderers port.
import type { ReportRenderers } from '../../src/domain/reports/index.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import { renderReportPdf } from './report-pdf.js';

export { renderInvoicePdf } from './invoice-pdf.js';
export { prepareFonts } from './pdf-builder.js';
export { renderReportPdf } from './report-pdf.js';

export const pdfRenderers: ReportRenderers = {
  reportPdf: renderReportPdf,
  invoicePdf: renderInvoicePdf,
};
