/** Live redrawing views only on a real terminal, never in CI. */
export function isInteractive(stream: NodeJS.WriteStream = process.stdout): boolean {
  const ci = process.env.CI;
  return Boolean(stream.isTTY) && (ci === undefined || ci === '' || ci === '0' || ci === 'false');
}
