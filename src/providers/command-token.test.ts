import {describe, expect, it} from 'vitest';
import {parseTokenOutput} from './command-token.ts';

describe('parseTokenOutput', () => {
  const now = Date.parse('2026-11-30T12:00:00Z');

  it('takes a bare token (gcloud auth print-access-token) with no expiry of its own', () => {
    expect(parseTokenOutput('ya29.a0Af-token_value\n', now)).toEqual({token: 'ya29.a0Af-token_value', expiresAtMs: null});
  });

  it('reads az account get-access-token JSON: expires_on (epoch seconds) before expiresOn', () => {
    const out = JSON.stringify({accessToken: 'eyJ0.x.y', expiresOn: '2026-11-30 13:00:00.000000', expires_on: 1_796_040_000, tokenType: 'Bearer'});
    expect(parseTokenOutput(out, now)).toEqual({token: 'eyJ0.x.y', expiresAtMs: 1_796_040_000_000});
  });

  it('reads an ISO expiresOn, and expires_in relative to now', () => {
    expect(parseTokenOutput(JSON.stringify({accessToken: 't1', expiresOn: '2026-11-30T12:30:00Z'}), now)!.expiresAtMs).toBe(Date.parse('2026-11-30T12:30:00Z'));
    expect(parseTokenOutput(JSON.stringify({access_token: 't2', expires_in: 600}), now)).toEqual({token: 't2', expiresAtMs: now + 600_000});
  });

  it('refuses output that is not one token: prose, several words, JSON without a token', () => {
    expect(parseTokenOutput('', now)).toBeNull();
    expect(parseTokenOutput('Please run az login\n', now)).toBeNull();
    expect(parseTokenOutput('{"error": "expired"}', now)).toBeNull();
    expect(parseTokenOutput('{not json', now)).toBeNull();
  });
});
