import type {Pricing, PricingTier} from '../core/types.ts';
import type {ModelPrices, PricesReport} from './run-prices.ts';

const price = (v: number | PricingTier[] | null) => (v === null ? 'unset' : Array.isArray(v) ? v.map((t) => `>${t.aboveInputTokens}: ${t.inputPerMTok}/${t.outputPerMTok}`).join(', ') : `$${v}`);
const fields = (p: Partial<Pricing>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}: ${Array.isArray(v) ? `[${v.map((t) => JSON.stringify(t)).join(', ')}]` : v}`)
    .join(', ');

function line(m: ModelPrices, mode: 'check' | 'import', wrote: boolean): string {
  const where = m.tableKey ? ` (table: ${m.tableKey})` : '';
  switch (m.status) {
    case 'match':
      return `  ok         ${m.label}${where}`;
    case 'differs': {
      const also = Object.keys(m.missing).length === 0 ? '' : mode === 'check' ? `; the table also has ${fields(m.missing)}` : `; ${wrote ? 'filled' : 'would fill'} ${fields(m.missing)}`;
      return `  DIFFERS    ${m.label}${where}: ${m.differences.map((d) => `${d.field} ${price(d.configured)} in ${m.file}, ${price(d.table)} in the table`).join('; ')}${also}`;
    }
    case 'no-price':
      return `  NO PRICE   ${m.label} (${m.model}): not priced in ${m.file} and not in the table; its cost is unknown`;
    case 'unpriced':
      return mode === 'check'
        ? `  NO PRICE   ${m.label}${where}: not priced in ${m.file}; the table has {${fields(m.missing)}} (assay prices import --write fills it)`
        : `  ${wrote ? 'filled' : 'would fill'} ${m.label}${where}: {${fields(m.missing)}}`;
    case 'incomplete':
      return mode === 'check' ? `  missing    ${m.label}${where}: the table also has ${fields(m.missing)}` : `  ${wrote ? 'filled' : 'would fill'} ${m.label}${where}: ${fields(m.missing)}`;
    case 'not-in-table':
      return `  unlisted   ${m.label} (${m.model}): not in the table; the configured price stays`;
  }
}

/** The text `assay prices check` and `assay prices import` print. */
export function renderPrices(report: PricesReport, mode: 'check' | 'import', write = false): string {
  const out = [`prices of ${report.models.length} configured model(s) against ${report.table}:`];
  for (const m of report.models) out.push(line(m, mode, write));
  if (mode === 'check') {
    out.push('', report.ok ? 'every configured price matches the table' : 'some prices differ from the table or are missing: fix them in the provider files, or fill missing ones with `assay prices import TABLE --write`');
  } else if (write) {
    out.push('', report.written.length > 0 ? `wrote ${report.written.join(', ')} (comments kept)` : 'nothing to write: every price the table has is configured');
    for (const m of report.manual) out.push(`add by hand to model ${m.label} in ${m.file} (a code config is not rewritten): pricing: {${fields(m.pricing)}}`);
  } else if (report.models.some((m) => Object.keys(m.missing).length > 0)) {
    out.push('', 'nothing written: add --write to fill these prices into the provider files (configured prices are kept; `assay prices check` lists those that differ)');
  }
  return out.join('\n');
}
