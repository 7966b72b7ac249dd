import {readFileSync} from 'node:fs';
import {dirname, relative, resolve} from 'node:path';
import {describe, expect, it} from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');

/** Modules a file loads when it is loaded: static imports and runtime re-exports (not `import type`, not `import()`). */
function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [
    ...text.matchAll(/^import\s+(?!type\s)[^'";]*?\s+from\s+'([^']+)'/gm),
    ...text.matchAll(/^import\s+'([^']+)'/gm),
    ...text.matchAll(/^export\s+(?!type\s)(?:\*|\{[^}]*\})\s+from\s+'([^']+)'/gm),
  ].map((m) => m[1]!);
  return specs.filter((s) => s.startsWith('.')).map((s) => resolve(dirname(file), s));
}

/** Every module loaded, transitively, when `entry` is imported. */
function staticallyReachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const todo = [resolve(ROOT, entry)];
  while (todo.length > 0) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    todo.push(...staticImports(file));
  }
  return new Set([...seen].map((f) => relative(ROOT, f)));
}

// `npm run check:imports` (dependency-cruiser, run before the tests) checks layers and cycles; it merges a
// static import of a module into a dynamic one of the same module, so what a run loads is checked here.
describe('import rules (docs/architecture.md)', () => {
  it('loads no executor and no sandbox module when a run starts: they are imported lazily, when used', () => {
    const loaded = [...staticallyReachable('src/runner/run-benchmark.ts')];
    expect(loaded.length).toBeGreaterThan(20);
    expect(loaded.filter((f) => /^src\/(batch|queue|sandbox)\/|^src\/runner\/execute-local\.ts$/.test(f))).toEqual([]);
  });

  it('keeps the sandbox out of what the executors load', () => {
    for (const entry of ['src/runner/execute-local.ts', 'src/batch/execute-batch.ts', 'src/queue/execute-queue.ts', 'src/queue/run-worker.ts', 'src/check/run-check.ts']) {
      expect([...staticallyReachable(entry)].filter((f) => f.startsWith('src/sandbox/')), entry).toEqual([]);
    }
  });

  it('loads OpenTelemetry only when a telemetry flag asks for it (docs/telemetry.md)', () => {
    const openTelemetry = /^(?:import\s+(?!type\s)[^'";]*?\s+from\s+|export\s+(?!type\s)(?:\*|\{[^}]*\})\s+from\s+|import\s+)'@opentelemetry\//m;
    for (const entry of ['src/commands/run.ts', 'src/commands/load.ts', 'src/commands/monitor.ts', 'src/index.ts']) {
      const loaded = [...staticallyReachable(entry)];
      expect(loaded.filter((f) => openTelemetry.test(readFileSync(resolve(ROOT, f), 'utf8'))), entry).toEqual([]);
    }
  });

  it('loads an SDK, ajv, ink or Redis only when a run uses them: `assay run` against one OpenAI-wire provider loads none but openai', () => {
    const heavy = /^(?:import\s+(?!type\s)[^'";]*?\s+from\s+|export\s+(?!type\s)(?:\*|\{[^}]*\})\s+from\s+|import\s+)'(openai|@anthropic-ai\/sdk|@google\/genai|ajv|ink|react|bullmq|ioredis|playwright-core|jiti)(?:\/[^']*)?'/m;
    for (const entry of ['src/commands/run.ts', 'src/runner/run-benchmark.ts', 'src/runner/execute-local.ts']) {
      const loaded = [...staticallyReachable(entry)];
      expect(loaded.filter((f) => heavy.test(readFileSync(resolve(ROOT, f), 'utf8'))).map((f) => `${f}: ${heavy.exec(readFileSync(resolve(ROOT, f), 'utf8'))![1]}`), entry).toEqual([]);
    }
  });

});
