import {z} from 'zod';

const nonNegative = z.number().nonnegative();
const positiveInt = z.number().int().positive();

export const paramsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: positiveInt.optional(),
  topP: z.number().min(0).max(1).optional(),
  topK: positiveInt.optional(),
  stop: z.array(z.string()).optional(),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  seed: z.number().int().optional(),
  /** Reasoning: an effort level (OpenAI reasoning_effort, Anthropic output_config.effort, Gemini thinkingLevel) or a token budget (Anthropic thinking.budget_tokens, Gemini thinkingBudget). */
  reasoning: z
    .union([z.strictObject({effort: z.enum(['minimal', 'low', 'medium', 'high'])}), z.strictObject({budgetTokens: positiveInt})])
    .optional(),
  /** Structured output: a JSON Schema the answer must follow (OpenAI response_format, Anthropic output_config.format, Gemini responseJsonSchema), or any JSON object. */
  responseFormat: z
    .union([
      z.strictObject({type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()), name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(), strict: z.boolean().optional()}),
      z.strictObject({type: z.literal('json_object')}),
    ])
    .optional(),
  /** Fields merged into the provider's request body as they are: what assay does not model (service tiers, metadata, provider-specific switches). */
  extra: z.record(z.string(), z.unknown()).optional(),
});

/** Prices that change above a prompt size (long-context tiers): every field the base pricing has but batch prices. */
export const pricingTierSchema = z.strictObject({
  /** Applies when the prompt (uncached input + cache reads + cache writes) is larger than this many tokens. */
  aboveInputTokens: positiveInt,
  inputPerMTok: nonNegative,
  outputPerMTok: nonNegative,
  cacheReadPerMTok: nonNegative.optional(),
  cacheWritePerMTok: nonNegative.optional(),
  cacheWrite1hPerMTok: nonNegative.optional(),
  reasoningPerMTok: nonNegative.optional(),
});

export const pricingSchema = z.strictObject({
  inputPerMTok: nonNegative,
  outputPerMTok: nonNegative,
  /** Input read from the provider's prompt cache; unset: the provider type's documented ratio (Anthropic 0.1×), else the input price (cost marked estimated). */
  cacheReadPerMTok: nonNegative.optional(),
  /** Input written to the prompt cache (Anthropic's 5-minute writes; 1.25× the input price when unset). */
  cacheWritePerMTok: nonNegative.optional(),
  /** Input written to the prompt cache with a 1-hour lifetime (Anthropic: 2× the input price when unset). */
  cacheWrite1hPerMTok: nonNegative.optional(),
  /** Reasoning ("thinking") output; unset: the output price, as OpenAI, Anthropic and Google bill it. */
  reasoningPerMTok: nonNegative.optional(),
  /** Prices through the provider's batch API (`assay run --batch`); default half the standard ones, as OpenAI, Anthropic and Gemini charge. The same discount applies to cache and reasoning prices. */
  batchInputPerMTok: nonNegative.optional(),
  batchOutputPerMTok: nonNegative.optional(),
  /** Long-context prices, e.g. [{aboveInputTokens: 200000, inputPerMTok: 2.5, outputPerMTok: 15}]; the highest tier the prompt exceeds applies to the whole request. */
  tiers: z.array(pricingTierSchema).optional(),
});

export const limitsSchema = z.strictObject({
  concurrency: positiveInt.optional(),
  rpm: positiveInt.optional(),
  tpm: positiveInt.optional(),
});

export const retrySchema = z.strictObject({
  maxAttempts: positiveInt.optional(),
  baseDelayMs: nonNegative.optional(),
  maxDelayMs: nonNegative.optional(),
  /** A provider asking to wait longer than this is not retried now: the case ends as rate-limit, for --resume later. */
  maxRetryAfterMs: nonNegative.optional(),
});

export const breakerSchema = z.union([
  z.literal(false),
  z.strictObject({
    errorRate: z.number().gt(0).max(1).optional(),
    minRequests: positiveInt.optional(),
    cooldownMs: nonNegative.optional(),
    windowMs: positiveInt.optional(),
  }),
]);

const probability = z.number().min(0).max(1);

/** How a simulated model behaves in the sandbox. Only meaningful for providers of type `sandbox`. */
export const simProfileSchema = z.strictObject({
  /** Probability of a correct answer: one number, or per tag with a `default`. */
  accuracy: z.union([probability, z.record(z.string(), probability)]).optional(),
  /** Median time to first token, and the log-normal spread around it. */
  ttftMs: nonNegative.optional(),
  msPerToken: nonNegative.optional(),
  latencySigma: nonNegative.optional(),
  /** Probability that a correct answer is wrapped in prose ("The answer is 42."). */
  verbosity: probability.optional(),
  /** As a judge: probability that a reply has no parsable verdict. */
  judgeFormatErrors: probability.optional(),
  /** As a pairwise judge: probability that it simply prefers the first answer shown. */
  positionBias: probability.optional(),
  /** A "thinking" model: reasoning tokens per reply, reported in each wire's own field (and billed as output). */
  reasoningTokens: z.number().int().nonnegative().optional(),
  /**
   * Prompt caching: a prompt whose prefix (every message but the last) was sent before reports that prefix as
   * cached input; the first time, the Anthropic wire reports it as a cache write (with this lifetime).
   */
  promptCache: z.union([z.boolean(), z.strictObject({minTokens: z.number().int().nonnegative().optional(), ttl: z.enum(['5m', '1h']).optional()})]).optional(),
  /** A gateway that prices requests itself: the OpenAI wire reports this cost as usage.cost (OpenRouter) or the x-litellm-response-cost header (LiteLLM). */
  reportCost: z
    .strictObject({
      inputPerMTok: nonNegative,
      outputPerMTok: nonNegative,
      cacheReadPerMTok: nonNegative.optional(),
      via: z.enum(['usage', 'header']).optional(),
    })
    .optional(),
  /**
   * A self-hosted deployment's capacity, as continuous batching behaves: at most `maxConcurrent`
   * requests decode at once, each token slower by `slowdownPerActive` (a fraction of msPerToken) per
   * other active request; up to `queueLimit` more wait (their TTFT grows); past that, `overloadStatus`.
   */
  capacity: z
    .strictObject({
      maxConcurrent: positiveInt,
      queueLimit: z.number().int().min(0).optional(),
      slowdownPerActive: nonNegative.optional(),
      overloadStatus: z.union([z.literal(429), z.literal(503)]).optional(),
    })
    .optional(),
  faults: z
    .strictObject({
      rateLimit: probability.optional(),
      server: probability.optional(),
      reset: probability.optional(),
      stall: probability.optional(),
      malformed: probability.optional(),
      retryAfterS: nonNegative.optional(),
      /** Delay before headers for the slow-headers fault, in ms. */
      slowHeadersMs: nonNegative.optional(),
    })
    .optional(),
});

export const modelSchema = z.strictObject({
  label: z.string().min(1),
  model: z.string().min(1),
  type: z.enum(['chat', 'embedding', 'judge-only']).default('chat'),
  params: paramsSchema.optional(),
  pricing: pricingSchema.optional(),
  limits: limitsSchema.optional(),
  stream: z.boolean().optional(),
  sim: simProfileSchema.optional(),
});

export const PROVIDER_TYPES = ['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible', 'http', 'bedrock', 'sandbox'] as const;
export const WIRE_FORMATS = ['openai', 'anthropic', 'gemini'] as const;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not a secret');

/** Static keys (bearer, header, query), AWS SigV4, or a token source whose short-lived tokens are sent as "Authorization: Bearer". */
export const AUTH_TYPES = ['bearer', 'header', 'query', 'sigv4', 'none', 'oauth2', 'command', 'google-adc', 'azure-entra'] as const;

export const authSchema = z.strictObject({
  type: z.enum(AUTH_TYPES).optional(),
  env: envName.optional(),
  name: z.string().optional(),
  region: z.string().optional(),
  service: z.string().optional(),
  /** oauth2: the token endpoint (RFC 6749 client credentials grant). */
  tokenURL: z.string().url().optional(),
  /** oauth2 and azure-entra: variables holding the client id and secret (azure-entra defaults AZURE_CLIENT_ID, AZURE_CLIENT_SECRET). */
  clientIdEnv: envName.optional(),
  clientSecretEnv: envName.optional(),
  scope: z.string().optional(),
  audience: z.string().optional(),
  /** oauth2: send the client credentials as HTTP Basic (RFC 6749 2.3.1, the default) or in the form body. */
  clientAuth: z.enum(['basic', 'body']).optional(),
  /** command: a shell command that prints a token (or az-style JSON with accessToken and expiresOn). */
  command: z.string().min(1).optional(),
  /** command: how long a printed token is used before the command runs again (default 15 minutes). */
  refreshIntervalMs: positiveInt.optional(),
  /** google-adc: a service-account or authorized-user JSON file; default $GOOGLE_APPLICATION_CREDENTIALS, then gcloud's application_default_credentials.json. */
  credentialsFile: z.string().optional(),
  /** azure-entra: the directory (tenant) id; default $AZURE_TENANT_ID. */
  tenantId: z.string().optional(),
  /** azure-entra: the identity endpoint; default $AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com. */
  authorityHost: z.string().url().optional(),
});

/** How to talk to an API that is not OpenAI-, Anthropic- or Gemini-shaped (provider type `http`). */
export const httpSpecSchema = z.strictObject({
  method: z.enum(['POST', 'PUT', 'GET']).default('POST'),
  /** A full URL template ({{baseURL}}, {{model}}...), or `path` appended to baseURL. */
  url: z.string().optional(),
  path: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** A Handlebars template that renders JSON: {{json prompt}}, {{json messages}}, {{model}}, {{params.maxTokens}}. */
  body: z.string().min(1),
  response: z.strictObject({
    text: z.string().min(1),
    inputTokens: z.string().optional(),
    outputTokens: z.string().optional(),
    /** Paths to cached-input, cache-write and reasoning counts and to a reported cost in USD (see docs/costs.md). */
    cacheReadTokens: z.string().optional(),
    cacheWriteTokens: z.string().optional(),
    reasoningTokens: z.string().optional(),
    costUsd: z.string().optional(),
    /** A response header carrying the request's cost in USD, e.g. x-litellm-response-cost. */
    costHeader: z.string().optional(),
    /** The API's input count includes its cache reads and writes (OpenAI-style), so assay subtracts them; its output count includes reasoning. */
    inputIncludesCache: z.boolean().optional(),
    outputIncludesReasoning: z.boolean().optional(),
    finishReason: z.string().optional(),
  }),
  /** SSE streaming: paths are read from each event's JSON data. */
  stream: z
    .strictObject({
      body: z.string().optional(),
      text: z.string().min(1),
      /** A data payload that ends the stream, e.g. "[DONE]"; without it the stream ends when the connection does. */
      done: z.string().optional(),
      inputTokens: z.string().optional(),
      outputTokens: z.string().optional(),
      cacheReadTokens: z.string().optional(),
      cacheWriteTokens: z.string().optional(),
      reasoningTokens: z.string().optional(),
      costUsd: z.string().optional(),
      finishReason: z.string().optional(),
      error: z.string().optional(),
    })
    .optional(),
  models: z.strictObject({url: z.string().optional(), path: z.string().optional(), ids: z.string().min(1)}).optional(),
});

export const providerSchema = z.strictObject({
  id: z.string().min(1),
  type: z.enum(PROVIDER_TYPES),
  /** For `sandbox` providers: which real wire format (and SDK) to speak. */
  wire: z.enum(WIRE_FORMATS).optional(),
  /** For `http` providers. */
  http: httpSpecSchema.optional(),
  baseURL: z
    .string()
    .url('must be a URL with a scheme, e.g. http://localhost:8080/v1')
    .refine((u) => /^https?:\/\/[^/]/i.test(u), 'must be an http:// or https:// URL, e.g. http://localhost:8080/v1 (a URL without a scheme is not sent anywhere)')
    .optional(),
  /** azure-openai: the resource URL (https://NAME.openai.azure.com); each model's `model` is a deployment name. */
  endpoint: z.string().url().optional(),
  /** azure-openai: the api-version query parameter; leave it out for the v1 API at {endpoint}/openai/v1. */
  apiVersion: z.string().min(1).optional(),
  /** gemini: Vertex AI instead of the Gemini API (AI Studio); authenticates with google-adc unless auth says otherwise. */
  vertex: z.strictObject({project: z.string().min(1), location: z.string().min(1)}).optional(),
  /** Where an OpenAI-compatible server departs from OpenAI's API (presets set these). */
  compat: z
    .strictObject({
      /** Send stream_options.include_usage (default yes); some servers refuse the field (Mistral answers 422). */
      streamOptions: z.boolean().optional(),
      /** The token-limit parameter's name: max_tokens (openai-compatible's default) or max_completion_tokens (openai's). */
      maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    })
    .optional(),
  auth: authSchema.optional(),
  headers: z.record(z.string(), z.string()).optional(),
  query: z.record(z.string(), z.string()).optional(),
  limits: limitsSchema.optional(),
  retry: retrySchema.optional(),
  timeoutMs: positiveInt.optional(),
  /** A stream that sends nothing for this long is aborted (and retried) even if timeoutMs has not passed. */
  stallTimeoutMs: positiveInt.optional(),
  circuitBreaker: breakerSchema.optional(),
  /** Stop sending to a model after `after` identical auth, not-found or bad-request failures in a row (default 3); false never stops. */
  failFast: z.union([z.literal(false), z.strictObject({after: positiveInt})]).optional(),
  /** Use the response cache for this provider (default: yes for real providers at temperature 0, no for the sandbox). */
  cache: z.boolean().optional(),
  stream: z.boolean().optional(),
  /** A cost the provider or gateway reports per request (OpenRouter usage.cost, LiteLLM x-litellm-response-cost): `use` it as the result's cost (default), or `ignore` it and use the computed one (both are recorded). */
  reportedCost: z.enum(['use', 'ignore']).optional(),
  models: z.array(modelSchema).min(1),
});

export const messageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string(),
});

const normalizeSchema = z.enum(['none', 'trim', 'squad']);

const named = {name: z.string().optional()};
const template = z.union([z.string(), z.array(z.string())]);
const substring = <T extends string>(type: T) =>
  z.strictObject({type: z.literal(type), value: template.optional(), caseSensitive: z.boolean().default(true), ...named});

/** Graders that need no model: usable on their own and as rubric criteria. */
export const deterministicGraderSchema = z.discriminatedUnion('type', [
  z.strictObject({type: z.literal('exact-match'), expected: template.optional(), normalize: normalizeSchema.default('trim'), ...named}),
  substring('contains'),
  substring('not-contains'),
  substring('contains-any'),
  substring('contains-all'),
  substring('starts-with'),
  z.strictObject({
    type: z.literal('regex'),
    pattern: z.string(),
    flags: z.string().regex(/^[dgimsuy]*$/, 'only the JavaScript RegExp flags dgimsuy').optional(),
    ...named,
  }),
  z.strictObject({type: z.literal('json-valid'), ...named}),
  z.strictObject({type: z.literal('json-schema'), schema: z.record(z.string(), z.unknown()).optional(), schemaFile: z.string().optional(), ...named}),
  z.strictObject({
    type: z.literal('numeric'),
    expected: z.string().optional(),
    absTol: z.number().nonnegative().default(1e-9),
    relTol: z.number().nonnegative().default(0),
    ...named,
  }),
  z.strictObject({
    type: z.enum(['similarity', 'levenshtein']),
    expected: template.optional(),
    threshold: z.number().min(0).max(1).default(0.8),
    normalize: normalizeSchema.default('trim'),
    ...named,
  }),
  z.strictObject({type: z.literal('length'), min: z.number().int().nonnegative().optional(), max: z.number().int().nonnegative().optional(), unit: z.enum(['chars', 'words']).default('chars'), ...named}),
  z.strictObject({type: z.literal('latency'), maxMs: z.number().positive(), ...named}),
  z.strictObject({type: z.literal('cost'), maxUsd: z.number().nonnegative(), ...named}),
  z.strictObject({
    type: z.literal('custom'),
    /** A function registered under `graders` in bench.config.ts... */
    function: z.string().optional(),
    /** ...or a JS/TS module, relative to the suite file, whose export is the function. */
    module: z.string().optional(),
    export: z.string().default('default'),
    ...named,
  }),
]);

export const graderSchema = z.discriminatedUnion('type', [
  deterministicGraderSchema,
  z.strictObject({
    type: z.literal('judge'),
    rubric: z.string().min(1),
    /** A model label; defaults to the config's `judge`. */
    model: z.string().optional(),
    scale: z.enum(['grade', 'score10']).default('grade'),
    threshold: z.number().min(0).max(1).optional(),
    reference: z.string().optional(),
    ...named,
  }),
  z.strictObject({
    type: z.literal('rubric'),
    criteria: z
      .array(
        z.union([
          z.string().min(1),
          z.strictObject({weight: z.number().positive().default(1), criterion: z.string().min(1)}),
          z.strictObject({weight: z.number().positive().default(1), check: deterministicGraderSchema}),
        ]),
      )
      .min(1),
    model: z.string().optional(),
    threshold: z.number().min(0).max(1).default(0.75),
    ...named,
  }),
]);

const scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const caseSchema = z.record(z.string(), z.unknown()).and(
  z.object({
    id: z.union([z.string(), z.number()]).optional(),
    expected: scalar.optional(),
    tags: z.union([z.string(), z.array(z.string())]).optional(),
  }),
);

export const suiteSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only'),
    description: z.string().optional(),
    tags: z.array(z.string()).default([]),
    prompt: z.string().optional(),
    messages: z.array(messageSchema).min(1).optional(),
    system: z.string().optional(),
    dataset: z.string().optional(),
    cases: z.array(caseSchema).optional(),
    models: z.array(z.string()).optional(),
    params: paramsSchema.optional(),
    graders: z.array(graderSchema).default([]),
    /** This suite's own thresholds, per model within the suite. */
    gate: z.lazy(() => gateSchema).optional(),
  })
  .refine((s) => (s.prompt === undefined) !== (s.messages === undefined), {
    message: 'give exactly one of `prompt` or `messages`',
    path: ['prompt'],
  })
  .refine((s) => (s.dataset === undefined) !== (s.cases === undefined), {
    message: 'give exactly one of `dataset` (a file) or `cases` (inline)',
    path: ['dataset'],
  });

export const gateSchema = z.strictObject({
  minPassRate: probability.optional(),
  maxErrorRate: probability.optional(),
  maxP95LatencyMs: nonNegative.optional(),
  maxCostUsd: nonNegative.optional(),
});

export const configSchema = z.strictObject({
  providers: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1),
  /** May be empty while onboarding providers: `assay check` and `assay ab` need none; `assay run` does. */
  suites: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).default([]),
  concurrency: positiveInt.default(16),
  outDir: z.string().default('reports'),
  judge: z.string().optional(),
  /** Custom grader functions, referenced from suites as {type: custom, function: NAME}. */
  graders: z.record(z.string(), z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function')).optional(),
  gate: gateSchema.optional(),
  repeat: positiveInt.default(1),
  seed: z.number().int().default(1),
  /** A case whose messages are longer than this (in characters) is refused before anything is sent. */
  maxPromptChars: positiveInt.default(1_000_000),
  cache: z
    .union([
      z.boolean(),
      z.strictObject({
        enabled: z.boolean().optional(),
        /** Where cached responses live, relative to the config file. */
        dir: z.string().optional(),
      }),
    ])
    .optional(),
  sandbox: z
    .strictObject({
      seed: z.number().int().optional(),
      /** Multiplies every simulated latency: 0 makes the sandbox answer instantly. */
      latencyScale: nonNegative.optional(),
      /** The emulated batch APIs: turnaround (default 2000 ms × latencyScale), share of requests that fail, expiry. */
      batch: z
        .strictObject({
          turnaroundMs: nonNegative.optional(),
          failureRate: probability.optional(),
          expireAfterMs: nonNegative.optional(),
        })
        .optional(),
    })
    .optional(),
});

export type ModelParamsInput = z.infer<typeof paramsSchema>;
export type SimProfile = z.infer<typeof simProfileSchema>;
export type AuthDef = z.infer<typeof authSchema>;
export type ModelDef = z.infer<typeof modelSchema>;
export type ProviderDef = z.infer<typeof providerSchema>;
export type HttpSpec = z.infer<typeof httpSpecSchema>;
export type ProviderType = ProviderDef['type'];
export type WireFormat = (typeof WIRE_FORMATS)[number];
export type GraderDef = z.infer<typeof graderSchema>;
export type DeterministicGraderDef = z.infer<typeof deterministicGraderSchema>;
export type SuiteDef = z.infer<typeof suiteSchema>;
export type GateDef = z.infer<typeof gateSchema>;
export type ConfigInput = z.input<typeof configFileSchema>;
export type ConfigDef = z.infer<typeof configSchema>;
export type ProviderInput = z.input<typeof providerSchema>;
export type SuiteInput = z.input<typeof suiteSchema>;

/**
 * The config as editors, `defineConfig` and the JSON Schema see it: inline providers and suites typed
 * in full. Loading validates each inline object on its own (naming its place in the config), so
 * configSchema itself keeps them opaque.
 */
export const configFileSchema = configSchema.extend({
  providers: z.array(z.union([z.string(), providerSchema])).min(1),
  suites: z.array(z.union([z.string(), suiteSchema])).min(1),
});
