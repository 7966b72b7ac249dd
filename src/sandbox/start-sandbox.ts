import {existsSync} from 'node:fs';
import {resolve} from 'node:path';
import {CONFIG_NAMES, loadConfig, type LoadedConfig} from '../config/load-config.ts';
import {promptOf} from './answer-key.ts';
import {Sandbox} from './sandbox-server.ts';
import {resolveSimModel} from './sim-model.ts';

/** Registers each suite case's right answer (and right tool calls), keyed by its final user message (promptOf). */
export function registerSuiteAnswers(sandbox: Sandbox, loaded: LoadedConfig): void {
  for (const suite of loaded.suites) {
    for (const c of suite.cases) {
      if (!c.messages.some((m) => m.role === 'user')) continue;
      const prompt = promptOf(c.messages);
      const input = {vars: c.vars, expected: c.expected, caseId: c.id};
      let expected = c.expected;
      for (const grader of suite.graders) {
        if (expected !== null) break;
        expected = grader.reference?.(input) ?? null;
      }
      // The right calls, when a tool-call grader knows them (the first that does).
      const calls = suite.params?.tools ? suite.graders.map((g) => g.toolReference?.(input) ?? null).find((r) => r !== null) : undefined;
      if (expected !== null || calls) sandbox.answerKey.register(prompt, {expected, tags: c.tags, group: suite.id, ...(calls && {calls})});
    }
  }
}

export function sandboxFor(loaded: LoadedConfig, opts: {latencyScale?: number} = {}): Sandbox {
  const sandbox = new Sandbox({
    models: [...loaded.models.values()].filter((m) => m.provider.type === 'sandbox').map((m) => resolveSimModel(m.model, m.sim)),
    seed: loaded.config.sandbox?.seed ?? loaded.config.seed,
    latencyScale: opts.latencyScale ?? loaded.config.sandbox?.latencyScale ?? 1,
    batch: loaded.config.sandbox?.batch,
  });
  registerSuiteAnswers(sandbox, loaded);
  return sandbox;
}

/** Starts a standalone sandbox: the config's fleet and answers when there is a config, else any model id. */
export async function startSandbox(opts: {config?: string; port?: number; host?: string; latencyScale?: number; cwd?: string}): Promise<{sandbox: Sandbox; models: string[]}> {
  const cwd = opts.cwd ?? process.cwd();
  const hasConfig = opts.config !== undefined || CONFIG_NAMES.some((n) => existsSync(resolve(cwd, n)));
  let sandbox: Sandbox;
  let models: string[] = [];
  if (hasConfig) {
    const loaded = await loadConfig(opts.config, {cwd});
    sandbox = sandboxFor(loaded, opts);
    models = [...loaded.models.values()].filter((m) => m.provider.type === 'sandbox').map((m) => m.model);
  } else {
    sandbox = new Sandbox({latencyScale: opts.latencyScale ?? 1, anyModel: true});
  }
  await sandbox.listen(opts.port ?? 0, opts.host);
  return {sandbox, models};
}
