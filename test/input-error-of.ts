import {expect} from 'vitest';
import {InputError} from '../src/core/errors.ts';

/** The InputError `fn` throws (the test fails if it throws something else, or nothing). */
export function inputErrorOf(fn: () => unknown): InputError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error('expected an InputError');
}
