/**
 * A prompt containing this sentence is answered with exactly `max_tokens` tokens (256 without it), as a
 * real model told to keep writing would run into its limit: load tests set output lengths with it.
 */
export const KEEP_GENERATING = 'Keep writing until you are stopped; never conclude.';

