import {createHash} from 'node:crypto';

/** A CSP source allowing exactly this inline script or style text: no 'unsafe-inline' needed. */
export function cspHash(text: string): string {
  return `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;
}

/**
 * The report's policy: nothing may be fetched (default-src 'none', connect-src 'none'), only the
 * page's own script and style run (by hash), images only as data: URLs, no forms, no <base>.
 */
export function reportCsp(opts: {scripts: readonly string[]; styles: readonly string[]; formAction?: 'none' | 'self'}): string {
  const script = opts.scripts.length > 0 ? opts.scripts.map(cspHash).join(' ') : "'none'";
  const style = opts.styles.length > 0 ? opts.styles.map(cspHash).join(' ') : "'none'";
  return `default-src 'none'; script-src ${script}; style-src ${style}; img-src data:; font-src data:; connect-src 'none'; base-uri 'none'; form-action '${opts.formAction ?? 'none'}'`;
}
