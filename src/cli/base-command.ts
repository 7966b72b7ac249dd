import {Command} from '@oclif/core';
import {isAssayError} from '../core/errors.ts';
import {enableHeapGovernor} from '../core/heap-governor.ts';
import {suggestNames} from './command-not-found.ts';

/** Turns typed errors into a clear message and their exit code; stack traces only for real bugs (or DEBUG). */
export abstract class BaseCommand extends Command {
  public async init(): Promise<void> {
    await super.init();
    // ASSAY_HEAP_GOVERNOR=0 leaves heap sizing to V8 alone (docs/performance.md#heap-governor).
    if (process.env.ASSAY_HEAP_GOVERNOR !== '0') enableHeapGovernor();
  }

  protected async catch(error: Error & {exitCode?: number; code?: string; oclif?: {exit?: number}; flags?: string[]}): Promise<unknown> {
    // this.exit(n) throws oclif's ExitError: a deliberate exit code, not a mistake.
    if (error.code === 'EEXIT') return super.catch(error);
    if (isAssayError(error)) {
      process.stderr.write(`error: ${error.message}\n${error.hint ? `  fix: ${error.hint}\n` : ''}`);
      if (process.env.DEBUG && error.stack) process.stderr.write(`${error.stack}\n`);
      process.exitCode = error.exitCode;
      return this.exit(error.exitCode);
    }
    // oclif's own flag and argument errors are user mistakes too: exit 2 like every other bad input.
    if (error.oclif?.exit !== undefined && error.oclif.exit !== 0) {
      process.stderr.write(`error: ${error.message.replace(/\nSee more help with --help$/, '')}\n${this.flagSuggestions(error.flags)}  see: assay ${this.id ?? ''} --help\n`);
      return this.exit(2);
    }
    return super.catch(error);
  }

  /** "did you mean --suite?" for each mistyped flag of a NonExistentFlagsError. */
  private flagSuggestions(typed: string[] | undefined): string {
    if (!typed?.length) return '';
    const known = Object.keys(this.ctor.flags ?? {});
    return typed
      .map((flag) => {
        const close = suggestNames(flag.replace(/^-+/, '').split('=')[0]!, known);
        return close.length ? `  did you mean: ${close.map((name) => `--${name}`).join(' or ')}? (for ${flag})\n` : '';
      })
      .join('');
  }
}
