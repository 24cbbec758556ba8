// What a saved custom report's id looks like ("custom:12"), apart from the module that stores and validates them.
export const CUSTOM_REPORT_PREFIX = 'custom:';

export function isCustomReportId(reportId: string): boolean {
  return reportId.trim().startsWith(CUSTOM_REPORT_PREFIX);
}
