import type {GraderDef} from '../config/schema.ts';
import {contains} from './contains.ts';
import {exactMatch} from './exact-match.ts';
import type {Grader} from './grader.ts';
import {jsonValid} from './json-valid.ts';
import {regex} from './regex.ts';

export function createGrader(def: GraderDef, file: string): Grader {
  switch (def.type) {
    case 'exact-match':
      return exactMatch(def, file);
    case 'contains':
      return contains(def, file);
    case 'regex':
      return regex(def, file);
    case 'json-valid':
      return jsonValid(def);
  }
}
