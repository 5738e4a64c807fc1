// The report's stylesheet, inline so the file stands alone: readable on screen, A4 in print.

export const REPORT_CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { font: 10.5pt/1.45 "Segoe UI", "Helvetica Neue", Arial, "Liberation Sans", sans-serif; color: #1b1b1b;
  max-width: 190mm; margin: 0 auto; padding: 10mm 6mm; background: #ffffff; }
header { border-bottom: 3px solid #1f3a5f; margin-bottom: 6mm; padding-bottom: 3mm; }
h1 { font-size: 20pt; margin: 0 0 2mm; color: #1f3a5f; }
h2 { font-size: 13.5pt; margin: 7mm 0 2.5mm; color: #1f3a5f; border-bottom: 1px solid #c9d3e0; padding-bottom: 1mm; }
h3 { font-size: 11pt; margin: 4mm 0 1.5mm; }
p { margin: 1.5mm 0; }
.meta { color: #555555; font-size: 9.5pt; }
.status { padding: 3mm 4mm; border-radius: 2mm; font-weight: 600; margin: 2mm 0 3mm; }
.status.good { background: #e8f5e9; border-left: 5px solid #2e7d32; }
.status.bad { background: #fdecea; border-left: 5px solid #c62828; }
.figures { display: grid; grid-template-columns: repeat(4, 1fr); gap: 3mm; margin: 0; }
.figures div { border: 1px solid #d7dee8; border-radius: 2mm; padding: 2mm 3mm; }
.figures dt { font-size: 8.5pt; color: #555555; }
.figures dd { margin: 0; font-size: 14pt; font-weight: 600; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; font-size: 9.5pt; }
th, td { text-align: left; vertical-align: top; padding: 1.2mm 2mm; border-bottom: 1px solid #dde3ea; }
/* Long names (storage keys, deep paths) wrap rather than push the table off the page. */
td { overflow-wrap: anywhere; }
.problem p { overflow-wrap: anywhere; }
th { background: #f0f4f8; font-weight: 600; }
tr { break-inside: avoid; page-break-inside: avoid; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.when { white-space: nowrap; }
.badge { white-space: nowrap; display: inline-block; padding: 0.2mm 2mm; border-radius: 1.5mm; font-weight: 700; font-size: 8.5pt; }
.pass { background: #e8f5e9; color: #1b5e20; border: 1px solid #2e7d32; }
.fail { background: #fdecea; color: #b71c1c; border: 1px solid #c62828; }
.muted { color: #666666; }
.small { font-size: 8.5pt; }
.problem { border-left: 5px solid #f9a825; background: #fffbea; padding: 2mm 3mm; margin: 2mm 0; break-inside: avoid; }
.problem.serious { border-left-color: #c62828; background: #fdecea; }
.problem h3 { margin: 0 0 1mm; }
.problem .what { font-weight: 600; }
.calendar { display: block; margin: 2mm 0; max-width: 100%; height: auto; }
.cal-month { font-size: 11px; fill: #333333; }
.cal-week { font-size: 11px; font-weight: 600; }
.legend { list-style: none; padding: 0; margin: 1mm 0 3mm; display: flex; flex-wrap: wrap; gap: 2mm 5mm; font-size: 9pt; }
.legend li { display: flex; align-items: center; gap: 1.5mm; }
.bar { display: block; }
code { font-family: "DejaVu Sans Mono", Consolas, monospace; font-size: 9pt; background: #f3f3f3; padding: 0 1mm; }
section { break-inside: auto; }
section > h2 { break-after: avoid; page-break-after: avoid; }
footer { margin-top: 8mm; border-top: 1px solid #c9d3e0; padding-top: 2mm; color: #555555; font-size: 8.5pt; }
@media print { body { padding: 0; max-width: none; } }
`;
