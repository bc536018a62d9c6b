// The catalog as Markdown tables, for docs/metrics.md: the section between the catalog markers there is
// this text (catalog.test.ts checks it; `npx tsx test/write-metric-docs.ts` rewrites it).
import type { CatalogMetric, MetricSource } from './catalog.js';
import { CATALOG } from './catalog.js';
import { DERIVATION_RULES } from './derive.js';
import { describeFormula } from './formulas.js';
import { STORED_METRICS } from './stored-metrics.js';

export const CATALOG_DOCS_START =
  '<!-- catalog:start (generated from src/metrics/catalog; run npx tsx test/write-metric-docs.ts) -->';
export const CATALOG_DOCS_END = '<!-- catalog:end -->';

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ');
}

/** An OTel histogram is shown by its own name, not as the `_count` and `_sum` series it is stored as. */
function shownName(source: MetricSource): string {
  if (source.family !== 'OpenTelemetry') return source.metric;
  return source.metric.replace(/_(count|sum)$/, '');
}

function sourceList(sources: readonly MetricSource[], prometheus: boolean): string {
  const picked = sources.filter(
    (s) => (s.family === 'OpenTelemetry' || s.family === 'browser beacon') !== prometheus,
  );
  const names = [
    ...new Set(picked.map((s) => (prometheus ? `${s.family}: \`${s.metric}\`` : `\`${shownName(s)}\``))),
  ];
  return names.length > 0 ? names.join('<br>') : '—';
}

function formulaCell(metric: CatalogMetric): string {
  return metric.formulas.map((formula) => describeFormula(formula)).join('; else ');
}

/** The catalog tables, one per metric type, then the stored series and the derivation rules. */
export function renderCatalogMarkdown(): string {
  const lines: string[] = [];
  for (const type of CATALOG) {
    lines.push(
      `### ${type.name} — ${type.zh} (${type.kind}, by ${type.dimensions.map((d) => `\`${d}\``).join(', ')})`,
      '',
    );
    lines.push('| metric | unit | 中文 | English | per minute | OpenTelemetry / beacon | Prometheus |');
    lines.push('|---|---|---|---|---|---|---|');
    for (const metric of type.metrics) {
      lines.push(
        `| \`${metric.name}\` | ${metric.unit} | ${cell(metric.zh)} | ${cell(metric.en)} | ${cell(formulaCell(metric))} | ${sourceList(metric.sources, false)} | ${sourceList(metric.sources, true)} |`,
      );
    }
    lines.push('');
  }
  lines.push('### Stored series', '');
  lines.push('| scope | stored metric | unit | push temporality | a point is |');
  lines.push('|---|---|---|---|---|');
  for (const stored of STORED_METRICS) {
    lines.push(
      `| ${stored.scope} | \`${stored.name}\` | ${stored.unit} | ${stored.temporality} | ${cell(stored.meaning)} |`,
    );
  }
  lines.push('', '### Derivation rules', '');
  lines.push('| source | raw series | stored metric | how |');
  lines.push('|---|---|---|---|');
  for (const rule of DERIVATION_RULES) {
    for (const [stored, how] of Object.entries(rule.produces)) {
      lines.push(`| ${rule.family} | \`${rule.metric}\` | \`${stored}\` | ${cell(how)} |`);
    }
  }
  return lines.join('\n');
}

/** docs/metrics.md with its catalog section replaced by the current catalog. */
export function withCatalogSection(markdown: string): string {
  const start = markdown.indexOf(CATALOG_DOCS_START);
  const end = markdown.indexOf(CATALOG_DOCS_END);
  if (start < 0 || end < start) throw new Error('docs/metrics.md lacks the catalog markers');
  return `${markdown.slice(0, start + CATALOG_DOCS_START.length)}\n\n${renderCatalogMarkdown()}\n\n${markdown.slice(end)}`;
}
