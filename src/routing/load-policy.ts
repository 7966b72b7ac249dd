import {existsSync, readFileSync} from 'node:fs';
import {stringify} from 'yaml';
import {parseStructuredFile} from '../config/structured-file.ts';
import {formatPath, validate} from '../config/validate.ts';
import {InputError} from '../core/errors.ts';
import type {RoutingPolicy} from './policy-types.ts';
import {routingPolicySchema} from './policy-schema.ts';

/** Reads routing-policy.yaml (or .json); a mistake is an InputError naming the file, the field and its line. */
export function loadPolicy(file: string): RoutingPolicy {
  if (!existsSync(file)) throw new InputError('no such file', {file, field: '--policy', hint: 'write one with `assay route --from <run> --out routing-policy.yaml`'});
  const parsed = parseStructuredFile(file, readFileSync(file, 'utf8'));
  const policy = validate(routingPolicySchema, parsed.value, {file, lineOf: parsed.lineOf, what: 'routing policy'}) as RoutingPolicy;
  const known = new Set(Object.keys(policy.models));
  const check = (model: string, path: (string | number)[]) => {
    if (!known.has(model)) throw new InputError(`model "${model}" is not under models`, {file, field: formatPath(path), line: parsed.lineOf(path), hint: 'add it to models: or fix the label'});
  };
  policy.rules.forEach((r, i) => {
    r.route.forEach((w, j) => check(w.model, ['rules', i, 'route', j, 'model']));
    r.fallback.forEach((m, j) => check(m, ['rules', i, 'fallback', j]));
  });
  policy.default.route.forEach((w, j) => check(w.model, ['default', 'route', j, 'model']));
  policy.default.fallback.forEach((m, j) => check(m, ['default', 'fallback', j]));
  if (policy.learned) {
    const {learned} = policy;
    check(learned.base, ['learned', 'base']);
    learned.models.forEach((m, j) => {
      check(m.model, ['learned', 'models', j, 'model']);
      const bytes = Buffer.from(m.weights, 'base64').length;
      if (bytes !== learned.features.dim * 4) {
        throw new InputError(`weights decode to ${bytes} bytes; features.dim ${learned.features.dim} needs ${learned.features.dim * 4} (base64 float32)`, {file, field: formatPath(['learned', 'models', j, 'weights']), line: parsed.lineOf(['learned', 'models', j, 'weights']), hint: 'regenerate the policy with `assay route --learn`; the weights are not hand-editable'});
      }
    });
  }
  return policy;
}

/** The policy as YAML: the file `--out` writes and `assay simulate --policy` reads. */
export function policyToYaml(policy: RoutingPolicy): string {
  return stringify(policy, {lineWidth: 0});
}
