import {InputError} from '../core/errors.ts';

const strictUtf8 = new TextDecoder('utf-8', {fatal: true});

/**
 * A file's bytes as text; bytes that are not UTF-8 are refused with their line, never sent as U+FFFD
 * (a suite's inline cases and prompts are sent as written, like a dataset's rows).
 */
export function decodeUtf8(bytes: Buffer, displayName: string): string {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    throw new InputError('the file is not valid UTF-8 (invalid byte sequence on this line)', {
      file: displayName,
      line: firstBadLine(bytes),
      hint: `save it as UTF-8 (e.g. iconv -f latin1 -t utf-8 ${displayName} > fixed); assay does not guess encodings, so no text is sent garbled`,
    });
  }
}

function firstBadLine(bytes: Buffer): number {
  let line = 1;
  for (let start = 0; start <= bytes.length; line++) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    try {
      strictUtf8.decode(bytes.subarray(start, end));
    } catch {
      return line;
    }
    start = end + 1;
  }
  return line;
}
