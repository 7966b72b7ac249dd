/**
 * Reads a value by a dot path with indexes, as written in provider definitions:
 * `choices[0].message.content`, `usage.input_tokens`, and `data[].id` (every element's id).
 */
export function readPath(value: unknown, path: string): unknown {
  const steps = path.match(/[^.[\]]+|\[\d*\]/g) ?? [];
  let current: unknown = value;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (current === null || current === undefined) return undefined;
    if (step === '[]') {
      if (!Array.isArray(current)) return undefined;
      const rest = steps.slice(i + 1).join('.').replace(/\.\[/g, '[');
      return rest ? current.map((item) => readPath(item, rest)) : current;
    }
    const index = /^\[(\d+)\]$/.exec(step);
    current = index ? (Array.isArray(current) ? current[Number(index[1])] : undefined) : (current as Record<string, unknown>)[step];
  }
  return current;
}
