import {readFileSync, writeFileSync} from 'node:fs';
import {extname, resolve} from 'node:path';
import {isMap, isSeq, parseDocument, type Document, type YAMLMap} from 'yaml';
import {loadConfig, type LoadedModel} from '../config/load-config.ts';
import {InputError} from '../core/errors.ts';
import type {Pricing, PricingTier} from '../core/types.ts';
import {findPrice, loadPriceTable, pricingFromEntry} from './price-table.ts';

/** The flat price fields, in the order they are written. */
const FIELDS = ['inputPerMTok', 'outputPerMTok', 'cacheReadPerMTok', 'cacheWritePerMTok', 'cacheWrite1hPerMTok', 'reasoningPerMTok', 'batchInputPerMTok', 'batchOutputPerMTok'] as const;
type Field = (typeof FIELDS)[number];

export interface PriceDifference {
  /** A pricing field, or tiers. */
  field: Field | 'tiers';
  configured: number | PricingTier[] | null;
  table: number | PricingTier[];
}

export interface ModelPrices {
  label: string;
  provider: string;
  model: string;
  /** The provider file the model is defined in. */
  file: string;
  /** The table entry that matched, or null. */
  tableKey: string | null;
  /**
   * match: the configured prices equal the table's; differs: some configured price does not; no-price: neither
   * the config nor the table has one; unpriced: the config has none, the table has one; incomplete: the config
   * lacks prices the table has (e.g. cache prices); not-in-table: only the config has prices.
   */
  status: 'match' | 'differs' | 'no-price' | 'unpriced' | 'incomplete' | 'not-in-table';
  /** Configured prices that differ from the table. */
  differences: PriceDifference[];
  /** Prices the table has and the config lacks (what `import` fills). */
  missing: Partial<Pricing>;
}

export interface PricesReport {
  table: string;
  models: ModelPrices[];
  /** check: no configured price differs from the table and every model has a price. */
  ok: boolean;
  /** import --write: the files written. */
  written: string[];
  /** import --write: models whose prices could not be written (defined in a .ts/.js config), with what to add by hand. */
  manual: Array<{label: string; file: string; pricing: Partial<Pricing>}>;
}

export interface PricesOptions {
  /** A model_prices_and_context_window.json file or URL. */
  table: string;
  config?: string;
  cwd?: string;
  /** Only these model labels (default: every configured model). */
  models?: string[];
  fetchImpl?: typeof fetch;
}

const same = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));

function tiersEqual(a: PricingTier[], b: PricingTier[]): boolean {
  if (a.length !== b.length) return false;
  const sort = (t: PricingTier[]) => [...t].sort((x, y) => x.aboveInputTokens - y.aboveInputTokens);
  const [x, y] = [sort(a), sort(b)];
  return x.every((t, i) => {
    const u = y[i]!;
    return t.aboveInputTokens === u.aboveInputTokens && (Object.keys(u) as Array<keyof PricingTier>).every((k) => typeof t[k] === 'number' && same(t[k] as number, u[k] as number));
  });
}

function compare(model: LoadedModel, tableKey: string | null, table: Pricing | null): ModelPrices {
  const base = {label: model.label, provider: model.provider.id, model: model.model, file: model.provider.file, tableKey};
  const configured = model.pricing;
  if (!table) return {...base, status: configured ? 'not-in-table' : 'no-price', differences: [], missing: {}};
  if (!configured) return {...base, status: 'unpriced', differences: [], missing: table};
  const differences: PriceDifference[] = [];
  const missing: Partial<Pricing> = {};
  for (const field of FIELDS) {
    const t = table[field];
    if (t === undefined) continue;
    const c = configured[field];
    if (c === undefined) missing[field] = t;
    else if (!same(c, t)) differences.push({field, configured: c, table: t});
  }
  if (table.tiers) {
    if (!configured.tiers) missing.tiers = table.tiers;
    else if (!tiersEqual(configured.tiers, table.tiers)) differences.push({field: 'tiers', configured: configured.tiers, table: table.tiers});
  }
  const status = differences.length > 0 ? 'differs' : Object.keys(missing).length > 0 ? 'incomplete' : 'match';
  return {...base, status, differences, missing};
}

async function gather(opts: PricesOptions): Promise<{models: ModelPrices[]; cwd: string; configFile: string}> {
  const cwd = opts.cwd ?? process.cwd();
  const loaded = await loadConfig(opts.config, {cwd});
  const table = await loadPriceTable(opts.table, {cwd, fetchImpl: opts.fetchImpl});
  const wanted = opts.models && opts.models.length > 0 ? new Set(opts.models) : null;
  if (wanted) {
    for (const label of wanted) if (!loaded.models.has(label)) throw new InputError(`no model labelled "${label}" in the config`, {file: loaded.file, hint: `configured labels: ${[...loaded.models.keys()].join(', ')}`});
  }
  const models: ModelPrices[] = [];
  for (const model of loaded.models.values()) {
    if (wanted && !wanted.has(model.label)) continue;
    const found = findPrice(table, model);
    models.push(compare(model, found?.key ?? null, found ? pricingFromEntry(found.entry) : null));
  }
  return {models, cwd, configFile: loaded.file};
}

/** `assay prices check`: configured prices that differ from the table, and models with no price at all. */
export async function checkPrices(opts: PricesOptions): Promise<PricesReport> {
  const {models} = await gather(opts);
  const ok = models.every((m) => m.status !== 'differs' && m.status !== 'no-price' && m.status !== 'unpriced');
  return {table: opts.table, models, ok, written: [], manual: []};
}

/**
 * `assay prices import`: fills the prices the config lacks from the table (configured prices are kept;
 * `check` lists those that differ). Writes the provider files only with `write`, keeping their comments.
 */
export async function importPrices(opts: PricesOptions & {write?: boolean}): Promise<PricesReport> {
  const {models, cwd, configFile} = await gather(opts);
  const report: PricesReport = {table: opts.table, models, ok: true, written: [], manual: []};
  if (!opts.write) return report;
  const byFile = new Map<string, ModelPrices[]>();
  for (const m of models) if (Object.keys(m.missing).length > 0) (byFile.get(m.file) ?? byFile.set(m.file, []).get(m.file)!).push(m);
  for (const [file, list] of byFile) {
    const ext = extname(file).toLowerCase();
    if (ext !== '.yaml' && ext !== '.yml' && ext !== '.json') {
      for (const m of list) report.manual.push({label: m.label, file, pricing: m.missing});
      continue;
    }
    const abs = resolve(cwd, file);
    const text = readFileSync(abs, 'utf8');
    const doc = parseDocument(text);
    for (const m of list) fillPricing(doc, file, file === configFile, m);
    writeFileSync(abs, ext === '.json' ? `${JSON.stringify(doc.toJS(), null, 2)}\n` : doc.toString({lineWidth: 0}));
    report.written.push(file);
  }
  return report;
}

/** Adds the missing prices to one model's `pricing` in a parsed provider (or config) file, leaving everything else as it was. */
function fillPricing(doc: Document, file: string, isConfig: boolean, m: ModelPrices): void {
  let prefix: Array<string | number> = [];
  if (isConfig) {
    // A provider defined inline in a YAML or JSON config: find it by id.
    const providers = doc.get('providers');
    const index = isSeq(providers) ? providers.items.findIndex((p) => isMap(p) && (p as YAMLMap).get('id') === m.provider) : -1;
    if (index < 0) throw new InputError(`cannot find provider "${m.provider}" to write its prices`, {file});
    prefix = ['providers', index];
  }
  const modelsNode = doc.getIn([...prefix, 'models']);
  const index = isSeq(modelsNode) ? modelsNode.items.findIndex((n) => isMap(n) && (n as YAMLMap).get('label') === m.label) : -1;
  if (index < 0) throw new InputError(`cannot find model "${m.label}" to write its prices`, {file, field: 'models'});
  const path = [...prefix, 'models', index, 'pricing'];
  const existing = doc.getIn(path);
  const ordered = Object.fromEntries([...FIELDS, 'tiers' as const].filter((f) => m.missing[f] !== undefined).map((f) => [f, m.missing[f]]));
  if (!isMap(existing)) {
    const node = doc.createNode(ordered);
    node.flow = true;
    doc.setIn(path, node);
    return;
  }
  for (const [field, value] of Object.entries(ordered)) {
    const node = doc.createNode(value);
    if (isSeq(node)) node.flow = true;
    doc.setIn([...path, field], node);
  }
}
