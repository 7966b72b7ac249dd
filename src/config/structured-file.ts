import {isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode} from 'yaml';
import {InputError} from '../core/errors.ts';

export type FieldPath = ReadonlyArray<PropertyKey>;

/** A parsed YAML or JSON file that can say on which line any field path sits. */
export interface StructuredFile {
  file: string;
  value: unknown;
  lineOf(path: FieldPath): number | undefined;
}

/** Parses YAML (and JSON, which YAML 1.2 contains) keeping positions, so errors can name a line. */
export function parseStructuredFile(file: string, text: string): StructuredFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {lineCounter, uniqueKeys: true, prettyErrors: false});
  const first = doc.errors[0];
  if (first) {
    const offset = first.pos[0];
    throw new InputError(`not valid ${file.endsWith('.json') ? 'JSON' : 'YAML'}: ${first.message.split('\n')[0]}`, {
      file,
      line: lineCounter.linePos(offset).line,
      hint: 'fix the syntax at that line (indentation, a missing colon or quote, a duplicate key)',
    });
  }
  const value = doc.toJS({maxAliasCount: 100});
  return {
    file,
    value,
    lineOf(path) {
      for (let depth = path.length; depth >= 0; depth--) {
        const node = nodeAt(doc.contents as YamlNode | null, path.slice(0, depth));
        if (node?.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

function nodeAt(root: YamlNode | null, path: FieldPath): YamlNode | undefined {
  let node: unknown = root;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (p.key as {value?: unknown} | null)?.value === key);
      if (!pair) return undefined;
      // Point at the key when the value is absent (`field:` with nothing after it).
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof key === 'number') {
      node = node.items[key];
    } else {
      return undefined;
    }
  }
  return (node as YamlNode | undefined) ?? undefined;
}
