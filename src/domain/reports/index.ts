// Reports: the catalogue, running a report for an actor, CSV export, custom reports, schedules and their scheduler.
export { describeReport, describeReports, findReport, REPORT_CATALOGUE, type ReportDefinition } from './catalogue.js';
export { CALL_DIMENSIONS, CALL_FIELDS, CALL_MEASURES, CALL_TYPES } from './call-query.js';
export { csvBytes, csvChunks, csvField, UTF8_BOM } from './csv.js';
export {
  type CustomReportDefinition,
  type CustomReportSummary,
  compileCustomDefinition,
  deleteCustomReport,
  listCustomReports,
  saveCustomReport,
} from './custom-reports.js';
export { createConversationDelivery, type DeliveredReportPayload } from './delivery.js';
export { columnHeader, formatDuration, formatMoney, formatTotals, parseDuration, rowFormatter } from './format.js';
export {
  canonicalZone,
  MAX_PERIOD_MONTHS,
  NAMED_PERIODS,
  type NamedPeriod,
  namedPeriod,
  resolvePeriod,
  ZoneClock,
} from './period.js';
export {
  describeResult,
  exportReport,
  getInvoicePdf,
  type ReportRenderers,
  type ReportTable,
  type RunReportInput,
  renderReportFile,
  reportFilename,
  reportTable,
  runReport,
  tooLargeForPdf,
} from './run-report.js';
export {
  createReportScheduler,
  type DeliverReport,
  type ReportScheduler,
  type ReportSchedulerOptions,
  type ScheduledDelivery,
  type ScheduledRunOutcome,
} from './scheduler.js';
export {
  deleteScheduledReport,
  FREQUENCIES,
  listScheduledReports,
  nextRunAfter,
  type ScheduledReportSummary,
  type ScheduleReportInput,
  scheduledPeriod,
  scheduleReport,
} from './schedules.js';
export * from './types.js';
