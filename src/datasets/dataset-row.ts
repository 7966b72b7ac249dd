/** One row of a dataset, with the line it came from so errors can point at it. */
export interface DatasetRow {
  values: Record<string, unknown>;
  line: number | undefined;
}
