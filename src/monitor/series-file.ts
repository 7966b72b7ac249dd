import {closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, truncateSync, writeSync} from 'node:fs';
import {dirname} from 'node:path';
import {InputError} from '../core/errors.ts';
import {type Drift, driftSchema, type SeriesPoint, seriesPointSchema} from './series-point.ts';

export interface SeriesFile {
  points: SeriesPoint[];
  drifts: Drift[];
  /** A torn last line (a kill mid-write) that was left out. */
  tornLine: number | null;
}

/**
 * Reads series.jsonl back, every line parsed: points and drifts. A torn last line (the monitor was
 * killed mid-write) is left out; any other bad line is an input error naming the file and line.
 */
export function readSeries(file: string): SeriesFile {
  if (!existsSync(file)) return {points: [], drifts: [], tornLine: null};
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: SeriesFile = {points: [], drifts: [], tornLine: null};
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    const last = lines.slice(i + 1).every((l) => l.trim() === '');
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch {
      if (last) return void (out.tornLine = i + 1);
      throw new InputError(`line ${i + 1} is not JSON`, {file, line: i + 1, hint: 'series.jsonl is written by assay monitor; restore it or move it away to start a new series'});
    }
    const drift = driftSchema.safeParse(value);
    if (drift.success) return void out.drifts.push(drift.data);
    const point = seriesPointSchema.safeParse(value);
    if (!point.success) throw new InputError(`line ${i + 1} is not a monitor series line: ${point.error.issues[0]?.message ?? 'wrong shape'}`, {file, line: i + 1, hint: 'series.jsonl is written by assay monitor; restore it or move it away to start a new series'});
    out.points.push(point.data);
  });
  return out;
}

/** Cuts a torn last line (a kill mid-write) off the file, so the next append starts a line of its own. */
export function repairSeries(file: string): void {
  if (!existsSync(file)) return;
  const bytes = readFileSync(file);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  truncateSync(file, bytes.lastIndexOf(0x0a) + 1);
}

/** Appends whole lines and syncs them to disk before the next cycle starts. */
export function appendSeries(file: string, lines: ReadonlyArray<SeriesPoint | Drift>): void {
  if (lines.length === 0) return;
  mkdirSync(dirname(file), {recursive: true});
  const fd = openSync(file, 'a');
  try {
    writeSync(fd, lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
