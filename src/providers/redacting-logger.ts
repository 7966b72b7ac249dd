import {inspect} from 'node:util';
import {redact} from './classify-error.ts';

type LogFn = (message: string, ...rest: unknown[]) => void;

/** The SDKs' logger shape (openai, @anthropic-ai/sdk): one function per level. */
export interface SdkLogger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

/**
 * The logger handed to the SDKs, so OPENAI_LOG=debug / ANTHROPIC_LOG=debug keep working without ever
 * printing a key. The SDKs hide a few header names, but not a key a server echoes back in a body or
 * a header of its own, nor a key sent under a custom header name: every line is redacted by value.
 */
export function redactingLogger(secrets: string[], write: (line: string) => void = (line) => process.stderr.write(line)): SdkLogger {
  const level =
    (name: string): LogFn =>
    (message, ...rest) => {
      const text = [message, ...rest].map((part) => (typeof part === 'string' ? part : inspect(part, {depth: 8, breakLength: Number.POSITIVE_INFINITY}))).join(' ');
      write(`[${name}] ${redact(text, secrets)}\n`);
    };
  return {error: level('error'), warn: level('warn'), info: level('info'), debug: level('debug')};
}
