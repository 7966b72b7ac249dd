import {murmurMix} from '../core/murmur-mix.ts';
/** How a request becomes a feature vector: stored in the policy so training and serving agree exactly. */
export interface FeatureConfig {
  /** Hashed feature space size (a power of two). */
  dim: number;
  /** Word n-gram lengths (lowercased alphanumeric runs). */
  wordNgrams: number[];
  /** Character n-gram lengths (lowercased, whitespace collapsed). */
  charNgrams: number[];
  /** Metadata fields used as `field=value` indicators (tags are always used). */
  metadataFields: string[];
}

export const DEFAULT_FEATURES: FeatureConfig = {dim: 1 << 14, wordNgrams: [1, 2], charNgrams: [4], metadataFields: []};

export interface FeatureRequest {
  input?: string;
  tags?: readonly string[];
  metadata?: Readonly<Record<string, string | number | boolean | null | undefined>>;
  inputTokens?: number | null;
}

/** A sparse vector: parallel index and value arrays. */
export interface SparseVector {
  index: Int32Array;
  value: Float64Array;
}

// Group seeds keep word, character, tag and metadata features from sharing buckets by construction.
const WORD = 0x9e3779b1;
const CHAR = 0x85ebca77;
const TAG = 0xc2b2ae3d;
const META = 0x27d4eb2f;
const LENGTH = 0x165667b1;

const mix = murmurMix;

/** Whitespace as JavaScript's \\s knows it (ASCII and the Unicode space separators). */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

function hashString(seed: number, s: string, start = 0, end = s.length): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = start; i < end; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return mix(h);
}

/**
 * Turns requests into hashed sparse features: sublinear term frequencies of word and character
 * n-grams (each group L2-normalised, so a long prompt does not outweigh a short one), tag and
 * metadata indicators, the log of the input size, and a bias. One instance reuses its scratch
 * buffers: featurise() allocates only the returned vector.
 */
export class Featuriser {
  private readonly counts: Float64Array;
  private readonly touched: Int32Array;
  private readonly mask: number;
  private codes = new Uint16Array(1024);
  readonly config: FeatureConfig;

  constructor(config: FeatureConfig) {
    this.config = config;
    if (!Number.isInteger(Math.log2(config.dim))) throw new Error(`feature dim must be a power of two, got ${config.dim}`);
    this.counts = new Float64Array(config.dim);
    this.touched = new Int32Array(config.dim);
    this.mask = config.dim - 1;
  }

  featurise(req: FeatureRequest): SparseVector {
    const {counts, touched, mask} = this;
    let nTouched = 0;
    const out: number[] = [];
    const outValue: number[] = [];
    const add = (bucket: number, v: number) => {
      if (counts[bucket] === 0) touched[nTouched++] = bucket;
      counts[bucket]! += v;
    };
    /** Moves the touched buckets of one group into the output, sublinear tf and L2-normalised. */
    const flush = () => {
      let norm = 0;
      for (let k = 0; k < nTouched; k++) {
        const b = touched[k]!;
        counts[b] = 1 + Math.log(counts[b]!);
        norm += counts[b]! * counts[b]!;
      }
      const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
      for (let k = 0; k < nTouched; k++) {
        const b = touched[k]!;
        out.push(b);
        outValue.push(counts[b]! * scale);
        counts[b] = 0;
      }
      nTouched = 0;
    };

    const text = (req.input ?? '').toLowerCase();
    if (this.config.wordNgrams.length > 0) {
      // Word boundaries as [start, end) pairs over alphanumeric runs: no substrings are allocated.
      const bounds: number[] = [];
      let start = -1;
      for (let i = 0; i <= text.length; i++) {
        const c = i < text.length ? text.charCodeAt(i) : 32;
        const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c >= 0xc0;
        if (alnum && start < 0) start = i;
        else if (!alnum && start >= 0) {
          bounds.push(start, i);
          start = -1;
        }
      }
      const words = bounds.length / 2;
      const wordHash = new Uint32Array(words);
      for (let w = 0; w < words; w++) wordHash[w] = hashString(WORD, text, bounds[2 * w]!, bounds[2 * w + 1]!);
      for (const n of this.config.wordNgrams) {
        for (let w = 0; w + n <= words; w++) {
          let h = n;
          for (let k = 0; k < n; k++) h = mix((Math.imul(h, 0x01000193) ^ wordHash[w + k]!) >>> 0);
          add(h & mask, 1);
        }
      }
      flush();
    }
    if (this.config.charNgrams.length > 0) {
      // Lowercased text with whitespace runs collapsed to one space, as char codes in a reused buffer.
      if (this.codes.length < text.length) this.codes = new Uint16Array(text.length * 2);
      const codes = this.codes;
      let len = 0;
      let space = false;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (isSpace(c)) {
          if (!space) codes[len++] = 32;
          space = true;
        } else {
          codes[len++] = c;
          space = false;
        }
      }
      for (const n of this.config.charNgrams) {
        const seed = (0x811c9dc5 ^ (CHAR + n)) >>> 0;
        for (let i = 0; i + n <= len; i++) {
          let h = seed;
          for (let k = 0; k < n; k++) h = Math.imul(h ^ codes[i + k]!, 0x01000193);
          const bucket = mix(h) & mask;
          if (counts[bucket] === 0) touched[nTouched++] = bucket;
          counts[bucket]!++;
        }
      }
      flush();
    }
    for (const tag of req.tags ?? []) add(hashString(TAG, tag) & mask, 1);
    for (const field of this.config.metadataFields) {
      const v = req.metadata?.[field];
      if (v !== undefined && v !== null) add(hashString(META, `${field}=${String(v)}`) & mask, 1);
    }
    const tokens = req.inputTokens ?? (text.length > 0 ? Math.ceil(text.length / 4) : null);
    if (tokens !== null) add(hashString(LENGTH, 'log-tokens') & mask, Math.log1p(tokens) / 8);
    // Indicators and the length are used as they are (no tf transform, no normalisation).
    for (let k = 0; k < nTouched; k++) {
      const b = touched[k]!;
      out.push(b);
      outValue.push(counts[b]!);
      counts[b] = 0;
    }
    nTouched = 0;
    return {index: Int32Array.from(out), value: Float64Array.from(outValue)};
  }
}
