import {Command} from '@oclif/core';
import {isAssayError} from '../core/errors.ts';

/** Turns typed errors into a clear message and their exit code; stack traces only for real bugs (or DEBUG). */
export abstract class BaseCommand extends Command {
  protected async catch(error: Error & {exitCode?: number; code?: string; oclif?: {exit?: number}}): Promise<unknown> {
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
      process.stderr.write(`error: ${error.message}\n  see: assay ${this.id ?? ''} --help\n`);
      return this.exit(2);
    }
    return super.catch(error);
  }
}
