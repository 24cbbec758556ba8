// What the conversation engine may call beyond the domain: invoice PDFs and reports rendered to files.
// Wired here because the PDF renderer (pdf-lib) lives in adapters/pdf, outside the core.
import type { ConversationServices } from '../../src/conversation/dialog/turn.js';
import { getInvoicePdf, renderReportFile, reportTable, runReport } from '../../src/domain/reports/index.js';
import { pdfRenderers } from '../pdf/index.js';

/** Rows shown in a chat card; the full report goes in a file. */
const CARD_ROWS = 10;

export function createChatServices(): ConversationServices {
  return {
    async renderInvoicePdf(ctx, actor, invoiceNumber) {
      const file = await getInvoicePdf(ctx, actor, { invoiceNumber }, pdfRenderers);
      return file.kind === 'ok' ? file.value : null;
    },
    async runChatReport(ctx, actor, request) {
      const run = await runReport(ctx, actor, {
        reportId: request.reportId,
        accountNumber: request.accountNumber,
        includeChildren: request.includeChildren,
        from: request.from,
        to: request.to,
        timeZone: request.timeZone,
        limit: request.limit ?? undefined,
        format: request.format ?? undefined,
      });
      if (run.kind === 'too_large_for_pdf') return { kind: 'conflict', message: `${run.message} Say "as CSV" to get it that way.` };
      if (run.kind !== 'ok') return run;
      const table = await reportTable(run.value, CARD_ROWS);
      const file = request.format ? await renderReportFile(run.value, request.format, pdfRenderers) : undefined;
      return {
        kind: 'ok',
        title: run.value.report.title,
        periodLabel: `${run.value.period.label} (times in ${run.value.timeZone})`,
        table: { columns: [...table.columns], rows: [...table.rows.map((r) => [...r]), ...(table.totals.some((t) => t) ? [[...table.totals]] : [])] },
        totalRows: table.rowCount,
        file,
      };
    },
  };
}
