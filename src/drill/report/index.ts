// The annual disaster-recovery report: gathered once as plain data, rendered as HTML, Markdown or JSON.

import type { ReportData } from './report-data.js';
import { renderHtml } from './render-html.js';
import { renderMarkdown } from './render-markdown.js';

export type * from './report-data.js';
export { gatherReport, type ReportOptions } from './gather-report.js';
export { renderHtml } from './render-html.js';
export { renderMarkdown } from './render-markdown.js';

export type ReportFormat = 'html' | 'md' | 'json';

export function renderReport(data: ReportData, format: ReportFormat): string {
  if (format === 'html') return renderHtml(data);
  if (format === 'md') return renderMarkdown(data);
  return `${JSON.stringify(data, null, 2)}\n`;
}
