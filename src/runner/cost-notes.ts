import type {LoadedConfig} from '../config/load-config.ts';
import {cacheRatiosFor, costsDisagree, priceRequest} from './cost.ts';
import type {RunEvent} from './run-event.ts';

/**
 * Passes events on, adding a warning the first time a model's cost rests on a missing cache price
 * (and what was used instead), and the first time its computed and reported costs disagree.
 */
export function withCostNotes(emit: (e: RunEvent) => void, loaded: LoadedConfig): (e: RunEvent) => void {
  const said = new Set<string>();
  const once = (key: string, message: string) => {
    if (said.has(key)) return;
    said.add(key);
    emit({type: 'warning', message});
  };
  return (e) => {
    emit(e);
    if (e.type !== 'result' || e.result.status !== 'ok') return;
    const r = e.result;
    const model = loaded.models.get(r.model);
    if (!model) return;
    if (r.costEstimated && r.inputTokens !== null && r.outputTokens !== null) {
      const priced = priceRequest(model.pricing, {...r, inputTokens: r.inputTokens, outputTokens: r.outputTokens}, cacheRatiosFor(model.provider));
      for (const note of priced?.assumptions ?? []) once(`${r.model}\u0000${note}`, `${r.model}: pricing has ${note}; its costs are marked estimated (set the price in ${model.provider.file})`);
    }
    if (typeof r.computedCostUsd === 'number' && typeof r.reportedCostUsd === 'number' && costsDisagree(r.computedCostUsd, r.reportedCostUsd)) {
      once(
        `${r.model}\u0000mismatch`,
        `${r.model}: the provider reported $${r.reportedCostUsd.toPrecision(4)} for a request assay computes at $${r.computedCostUsd.toPrecision(4)} from the pricing in ${model.provider.file}: check that pricing (or run \`assay prices check\`)`,
      );
    }
  };
}
