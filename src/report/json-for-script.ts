/**
 * JSON that can sit inside a <script> element: the HTML tokenizer ends a script at `</script>` no
 * matter its type, so `<`, `>` and `&` become \u escapes (valid JSON, same value), and so do U+2028
 * and U+2029, which older JavaScript parsers treat as line breaks. Django's json_script does the same.
 */
export function jsonForScript(value: unknown): string {
  return escapeForScript(JSON.stringify(value));
}

/** The escaping alone, for JSON written in pieces (each character is escaped on its own, so pieces escape as the whole would). */
export const escapeForScript = (json: string): string => json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
