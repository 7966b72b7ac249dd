import {renameSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {loadCsv} from './load-csv.ts';
import {renderLoadHtml} from './load-html.ts';
import type {LoadReport, RequestRecord} from './load-types.ts';

/** Written beside a temporary name and renamed into place, so a reader never sees half a file. */
function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** The load run directory: load.csv and load.html first, then load.json and run.json (whose presence says the run finished). */
export function writeLoadRun(dir: string, report: LoadReport, records: readonly RequestRecord[], meta: {argv: string[]; configFile: string}): void {
  writeAtomic(join(dir, 'load.csv'), loadCsv(records));
  writeAtomic(join(dir, 'load.html'), renderLoadHtml(report));
  writeAtomic(join(dir, 'load.json'), `${JSON.stringify(report, null, 2)}\n`);
  const models = Object.fromEntries(Object.values(report.models).map((m) => [m.label, {provider: m.provider, model: m.model, simulated: m.simulated}]));
  writeAtomic(
    join(dir, 'run.json'),
    `${JSON.stringify({id: report.runId, kind: 'load', startedAt: report.startedAt, endedAt: report.endedAt, argv: meta.argv, configFile: meta.configFile, simulated: report.simulated, models}, null, 2)}\n`,
  );
}
