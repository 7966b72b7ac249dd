import {z} from 'zod';

const nonNegative = z.number().nonnegative();
const positiveInt = z.number().int().positive();

export const paramsSchema = z.strictObject({
  temperature: z.number().min(0).max(2).optional().describe('Sampling temperature; 0 for the most repeatable answers (and for the response cache).'),
  maxTokens: positiveInt.optional().describe('Most tokens a reply may have (Anthropic requires one; 1024 is sent when unset).'),
  topP: z.number().min(0).max(1).optional().describe('Nucleus sampling: the share of probability mass sampled from.'),
  topK: positiveInt.optional().describe('Sample from the K most likely tokens (Anthropic, Gemini; a warning elsewhere).'),
  stop: z.array(z.string()).optional().describe('Sequences that end the reply.'),
  frequencyPenalty: z.number().min(-2).max(2).optional(),
  presencePenalty: z.number().min(-2).max(2).optional(),
  seed: z.number().int().optional().describe('Seed for providers that take one (OpenAI, Gemini); a warning elsewhere.'),
  reasoning: z
    .union([z.strictObject({effort: z.enum(['minimal', 'low', 'medium', 'high'])}), z.strictObject({budgetTokens: positiveInt})])
    .optional()
    .describe('Reasoning: an effort level (OpenAI reasoning_effort, Anthropic output_config.effort, Gemini thinkingLevel) or a token budget (Anthropic thinking.budget_tokens, Gemini thinkingBudget).'),
  responseFormat: z
    .union([
      z.strictObject({type: z.literal('json_schema'), schema: z.record(z.string(), z.unknown()), name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(), strict: z.boolean().optional()}),
      z.strictObject({type: z.literal('json_object')}),
    ])
    .optional()
    .describe('Structured output: a JSON Schema the answer must follow (OpenAI response_format, Anthropic output_config.format, Gemini responseJsonSchema), or any JSON object.'),
  extra: z.record(z.string(), z.unknown()).optional().describe('Fields merged into the provider\'s request body as they are: what assay does not model (service tiers, metadata, provider-specific switches).'),
});

/** Prices that change above a prompt size (long-context tiers): every field the base pricing has but batch prices. */
export const pricingTierSchema = z.strictObject({
  aboveInputTokens: positiveInt.describe('Applies when the prompt (uncached input + cache reads + cache writes) is larger than this many tokens.'),
  inputPerMTok: nonNegative.describe('USD per million input tokens above the tier\'s threshold.'),
  outputPerMTok: nonNegative.describe('USD per million output tokens above the tier\'s threshold.'),
  cacheReadPerMTok: nonNegative.optional(),
  cacheWritePerMTok: nonNegative.optional(),
  cacheWrite1hPerMTok: nonNegative.optional(),
  reasoningPerMTok: nonNegative.optional(),
});

export const pricingSchema = z.strictObject({
  inputPerMTok: nonNegative.describe('USD per million uncached input tokens.'),
  outputPerMTok: nonNegative.describe('USD per million output tokens.'),
  cacheReadPerMTok: nonNegative.optional().describe('Input read from the provider\'s prompt cache; unset: the provider type\'s documented ratio (Anthropic 0.1×), else the input price (cost marked estimated).'),
  cacheWritePerMTok: nonNegative.optional().describe('Input written to the prompt cache (Anthropic\'s 5-minute writes; 1.25× the input price when unset).'),
  cacheWrite1hPerMTok: nonNegative.optional().describe('Input written to the prompt cache with a 1-hour lifetime (Anthropic: 2× the input price when unset).'),
  reasoningPerMTok: nonNegative.optional().describe('Reasoning ("thinking") output; unset: the output price, as OpenAI, Anthropic and Google bill it.'),
  batchInputPerMTok: nonNegative.optional().describe('Prices through the provider\'s batch API (`assay run --batch`); default half the standard ones, as OpenAI, Anthropic and Gemini charge. The same discount applies to cache and reasoning prices.'),
  batchOutputPerMTok: nonNegative.optional().describe('See batchInputPerMTok.'),
  tiers: z.array(pricingTierSchema).optional().describe('Long-context prices, e.g. [{aboveInputTokens: 200000, inputPerMTok: 2.5, outputPerMTok: 15}]; the highest tier the prompt exceeds applies to the whole request.'),
});

export const limitsSchema = z.strictObject({
  concurrency: positiveInt.optional().describe('Most requests in flight at once.'),
  rpm: positiveInt.optional().describe('Most requests per minute.'),
  tpm: positiveInt.optional().describe('Most tokens (input + output) per minute.'),
}).meta({id: 'limits'});

export const retrySchema = z.strictObject({
  maxAttempts: positiveInt.optional().describe('Attempts per request, the first included.'),
  baseDelayMs: nonNegative.optional().describe('First backoff delay; it doubles with each attempt (with jitter).'),
  maxDelayMs: nonNegative.optional().describe('Longest backoff delay.'),
  maxRetryAfterMs: nonNegative.optional().describe('A provider asking to wait longer than this is not retried now: the case ends as rate-limit, for --resume later.'),
}).meta({id: 'retry'});

export const breakerSchema = z.union([
  z.literal(false),
  z.strictObject({
    errorRate: z.number().gt(0).max(1).optional().describe('Share of failed requests in the window that opens the breaker.'),
    minRequests: positiveInt.optional().describe('Requests in the window before the breaker may open.'),
    cooldownMs: nonNegative.optional().describe('How long an open breaker refuses requests before letting one through.'),
    windowMs: positiveInt.optional().describe('The window over which the error rate is measured.'),
  }),
]).meta({id: 'circuitBreaker'});

const probability = z.number().min(0).max(1);

/** How a simulated model behaves in the sandbox. Only meaningful for providers of type `sandbox`. */
export const simProfileSchema = z.strictObject({
  accuracy: z.union([probability, z.record(z.string(), probability)]).optional().describe('Probability of a correct answer: one number, or per tag with a `default`.'),
  ttftMs: nonNegative.optional().describe('Median time to first token, and the log-normal spread around it.'),
  msPerToken: nonNegative.optional().describe('Time per streamed token.'),
  latencySigma: nonNegative.optional().describe('Spread of the log-normal latency around its median (default 0.35).'),
  verbosity: probability.optional().describe('Probability that a correct answer is wrapped in prose ("The answer is 42.").'),
  judgeFormatErrors: probability.optional().describe('As a judge: probability that a reply has no parsable verdict.'),
  positionBias: probability.optional().describe('As a pairwise judge: probability that it simply prefers the first answer shown.'),
  reasoningTokens: z.number().int().nonnegative().optional().describe('A "thinking" model: reasoning tokens per reply, reported in each wire\'s own field (and billed as output).'),
  promptCache: z
    .union([z.boolean(), z.strictObject({minTokens: z.number().int().nonnegative().optional(), ttl: z.enum(['5m', '1h']).optional()})])
    .optional()
    .describe('Prompt caching: a prompt whose prefix (every message but the last) was sent before reports that prefix as cached input; the first time, the Anthropic wire reports it as a cache write (with this lifetime).'),
  reportCost: z
    .strictObject({
      inputPerMTok: nonNegative,
      outputPerMTok: nonNegative,
      cacheReadPerMTok: nonNegative.optional(),
      via: z.enum(['usage', 'header']).optional(),
    })
    .optional()
    .describe('A gateway that prices requests itself: the OpenAI wire reports this cost as usage.cost (OpenRouter) or the x-litellm-response-cost header (LiteLLM).'),
  capacity: z
    .strictObject({
      maxConcurrent: positiveInt,
      queueLimit: z.number().int().min(0).optional(),
      slowdownPerActive: nonNegative.optional(),
      overloadStatus: z.union([z.literal(429), z.literal(503)]).optional(),
    })
    .optional()
    .describe('A self-hosted deployment\'s capacity, as continuous batching behaves: at most `maxConcurrent` requests decode at once, each token slower by `slowdownPerActive` (a fraction of msPerToken) per other active request; up to `queueLimit` more wait (their TTFT grows); past that, `overloadStatus`.'),
  faults: z
    .strictObject({
      rateLimit: probability.optional(),
      server: probability.optional(),
      reset: probability.optional(),
      stall: probability.optional(),
      malformed: probability.optional(),
      retryAfterS: nonNegative.optional(),
      slowHeadersMs: nonNegative.optional().describe('Delay before headers for the slow-headers fault, in ms.'),
    })
    .optional(),
});

export const modelSchema = z.strictObject({
  label: z.string().min(1).describe('The name suites, reports and policies use; unique across providers.'),
  model: z.string().min(1).describe('The model id sent to the API (a deployment name for azure-openai).'),
  type: z.enum(['chat', 'embedding', 'judge-only']).default('chat').describe('chat models run suites; embedding and judge-only models only when named.'),
  params: paramsSchema.optional().describe('Default request parameters, mapped to each API (one an API lacks is a warning, not sent).'),
  pricing: pricingSchema.optional().describe('USD per million tokens; without it a result\'s cost is "unknown", never 0.'),
  limits: limitsSchema.optional().describe('Per-model limits, applied on top of the provider\'s.'),
  stream: z.boolean().optional().describe('Stream replies (default: the provider\'s `stream`, else yes).'),
  sim: simProfileSchema.optional().describe('How the simulated model behaves (sandbox providers only).'),
}).meta({id: 'model', description: 'A model a provider serves.'});

export const PROVIDER_TYPES = ['openai', 'azure-openai', 'anthropic', 'gemini', 'openai-compatible', 'http', 'bedrock', 'sandbox'] as const;

const httpURL = z
  .string()
  .url('must be a URL with a scheme, e.g. http://localhost:8080/v1')
  .refine((u) => /^https?:\/\/[^/]/i.test(u), 'must be an http:// or https:// URL, e.g. http://localhost:8080/v1 (a URL without a scheme is not sent anywhere)');

function omit<T extends Record<string, unknown>, K extends keyof T>(shape: T, key: K): Omit<T, K> {
  const {[key]: _dropped, ...rest} = shape;
  return rest;
}
export const WIRE_FORMATS = ['openai', 'anthropic', 'gemini'] as const;

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the NAME of an environment variable, not a secret');

/** Static keys (bearer, header, query), AWS SigV4, or a token source whose short-lived tokens are sent as "Authorization: Bearer". */
export const AUTH_TYPES = ['bearer', 'header', 'query', 'sigv4', 'none', 'oauth2', 'command', 'google-adc', 'azure-entra'] as const;

export const authSchema = z.strictObject({
  type: z.enum(AUTH_TYPES).optional().describe('Where the credential goes: bearer (default), header or query with `name`, sigv4, none, or a token source (oauth2, command, google-adc, azure-entra).'),
  env: envName.optional().describe('The NAME of the variable holding the key, never the key (defaults: OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY).'),
  name: z.string().optional().describe('header and query: the header or parameter name.'),
  region: z.string().optional().describe('sigv4 and bedrock: the AWS region (default AWS_REGION).'),
  service: z.string().optional().describe('sigv4: the AWS service name (default execute-api).'),
  tokenURL: httpURL.optional().describe('oauth2: the token endpoint (RFC 6749 client credentials grant).'),
  clientIdEnv: envName.optional().describe('oauth2 and azure-entra: variables holding the client id and secret (azure-entra defaults AZURE_CLIENT_ID, AZURE_CLIENT_SECRET).'),
  clientSecretEnv: envName.optional(),
  scope: z.string().optional(),
  audience: z.string().optional(),
  clientAuth: z.enum(['basic', 'body']).optional().describe('oauth2: send the client credentials as HTTP Basic (RFC 6749 2.3.1, the default) or in the form body.'),
  command: z.string().min(1).optional().describe('command: a shell command that prints a token (or az-style JSON with accessToken and expiresOn).'),
  refreshIntervalMs: positiveInt.optional().describe('command: how long a printed token is used before the command runs again (default 15 minutes).'),
  credentialsFile: z.string().optional().describe('google-adc: a service-account or authorized-user JSON file; default $GOOGLE_APPLICATION_CREDENTIALS, then gcloud\'s application_default_credentials.json.'),
  tenantId: z.string().optional().describe('azure-entra: the directory (tenant) id; default $AZURE_TENANT_ID.'),
  authorityHost: httpURL.optional().describe('azure-entra: the identity endpoint; default $AZURE_AUTHORITY_HOST, else https://login.microsoftonline.com.'),
}).meta({id: 'auth'});

/** How to talk to an API that is not OpenAI-, Anthropic- or Gemini-shaped (provider type `http`). */
export const httpSpecSchema = z.strictObject({
  method: z.enum(['POST', 'PUT', 'GET']).default('POST').describe('HTTP method.'),
  url: z.string().optional().describe('A full URL template ({{baseURL}}, {{model}}...), or `path` appended to baseURL.'),
  path: z.string().optional().describe('Appended to baseURL (or give `url`).'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra headers for this API.'),
  body: z.string().min(1).describe('A Handlebars template that renders JSON: {{json prompt}}, {{json messages}}, {{model}}, {{params.maxTokens}}.'),
  response: z.strictObject({
    text: z.string().min(1).describe('Path to the reply text.'),
    inputTokens: z.string().optional(),
    outputTokens: z.string().optional(),
    cacheReadTokens: z.string().optional().describe('Paths to cached-input, cache-write and reasoning counts and to a reported cost in USD (see docs/costs.md).'),
    cacheWriteTokens: z.string().optional(),
    reasoningTokens: z.string().optional(),
    costUsd: z.string().optional(),
    costHeader: z.string().optional().describe('A response header carrying the request\'s cost in USD, e.g. x-litellm-response-cost.'),
    inputIncludesCache: z.boolean().optional().describe('The API\'s input count includes its cache reads and writes (OpenAI-style), so assay subtracts them; its output count includes reasoning.'),
    outputIncludesReasoning: z.boolean().optional(),
    finishReason: z.string().optional(),
  }),
  stream: z
    .strictObject({
      body: z.string().optional(),
      text: z.string().min(1),
      done: z.string().optional().describe('A data payload that ends the stream, e.g. "[DONE]"; without it the stream ends when the connection does.'),
      inputTokens: z.string().optional(),
      outputTokens: z.string().optional(),
      cacheReadTokens: z.string().optional(),
      cacheWriteTokens: z.string().optional(),
      reasoningTokens: z.string().optional(),
      costUsd: z.string().optional(),
      finishReason: z.string().optional(),
      error: z.string().optional(),
    })
    .optional()
    .describe('SSE streaming: paths are read from each event\'s JSON data.'),
  models: z.strictObject({url: z.string().optional(), path: z.string().optional(), ids: z.string().min(1)}).optional().describe('Lets `assay check` list model ids: a URL or path, and the dot path to the ids.'),
});

/** Fields every provider type takes. */
const providerCommon = {
  id: z.string().min(1).describe('Unique across the project; results and reports name the provider by it.'),
  baseURL: httpURL.optional().describe("Where the API lives, e.g. http://localhost:8080/v1 for an OpenAI-compatible server; default: the SDK's own (a sandbox provider with none runs the sandbox in-process)."),
  auth: authSchema.optional().describe('How requests are authenticated; default: a bearer key from the provider type\'s usual variable (OPENAI_API_KEY, ANTHROPIC_API_KEY, GEMINI_API_KEY).'),
  headers: z.record(z.string(), z.string()).optional().describe('Extra headers on every request.'),
  query: z.record(z.string(), z.string()).optional().describe('Extra query parameters on every request.'),
  limits: limitsSchema.optional().describe('Limits for the whole provider; per-model limits apply on top.'),
  retry: retrySchema.optional().describe('How failed requests are retried (rate limits, server errors, cut connections).'),
  timeoutMs: positiveInt.optional().describe('Deadline for a whole request, in ms.'),
  stallTimeoutMs: positiveInt.optional().describe('A stream that sends nothing for this long is aborted (and retried) even if timeoutMs has not passed.'),
  circuitBreaker: breakerSchema.optional().describe('Stop sending to a model while most of its requests fail; false turns it off.'),
  failFast: z.union([z.literal(false), z.strictObject({after: positiveInt})]).optional().describe('Stop sending to a model after `after` identical auth, not-found or bad-request failures in a row (default 3); false never stops.'),
  cache: z.boolean().optional().describe('Use the response cache for this provider (default: yes for real providers at temperature 0, no for the sandbox).'),
  stream: z.boolean().optional().describe('Default for its models: stream replies (what measures time to first token).'),
  reportedCost: z.enum(['use', 'ignore']).optional().describe('A cost the provider or gateway reports per request (OpenRouter usage.cost, LiteLLM x-litellm-response-cost): `use` it as the result\'s cost (default), or `ignore` it and use the computed one (both are recorded).'),
  models: z.array(modelSchema).min(1).describe('The models this provider serves.'),
};

/** Where an OpenAI-compatible server departs from OpenAI's API (presets set these). */
const compatSchema = z
  .strictObject({
    streamOptions: z.boolean().optional().describe('Send stream_options.include_usage (default yes); some servers refuse the field (Mistral answers 422).'),
    maxTokensParam: z.enum(['max_tokens', 'max_completion_tokens']).optional().describe("The token-limit parameter's name: max_tokens (openai-compatible's default) or max_completion_tokens (openai's)."),
  })
  .optional()
  .describe("Where an OpenAI-compatible server departs from OpenAI's API (presets set these).");

const apiSchema = z.enum(['chat', 'responses']).optional().describe('chat completions (default), or OpenAI\'s Responses API for models served only there (docs/providers.md).');

/**
 * One object per provider type, told apart by `type`: a field of another type is an unknown field here,
 * and a type's required fields (azure-openai's endpoint, http's http block, sandbox's wire) are required
 * by the schema, so errors and the JSON Schema name the right fields for each type.
 */
export const providerSchema = z.discriminatedUnion('type', [
  z.strictObject({type: z.literal('openai').describe('Which API the provider speaks; it decides which other fields apply.'), ...providerCommon, compat: compatSchema, api: apiSchema}),
  z.strictObject({
    type: z.literal('azure-openai'),
    ...omit(providerCommon, 'baseURL'),
    endpoint: httpURL.describe('The resource URL (https://NAME.openai.azure.com); each model\'s `model` is a deployment name.'),
    apiVersion: z.string().min(1).optional().describe('The api-version query parameter; leave it out for the v1 API at {endpoint}/openai/v1.'),
    compat: compatSchema,
    api: apiSchema,
  }),
  z.strictObject({type: z.literal('anthropic'), ...providerCommon}),
  z.strictObject({
    type: z.literal('gemini'),
    ...providerCommon,
    vertex: z
      .strictObject({project: z.string().min(1), location: z.string().min(1)})
      .optional()
      .describe('Vertex AI instead of the Gemini API (AI Studio); authenticates with google-adc unless auth says otherwise.'),
  }),
  z.strictObject({
    type: z.literal('openai-compatible'),
    ...providerCommon,
    baseURL: httpURL.describe('Where the server lives, e.g. http://127.0.0.1:11434/v1 for Ollama.'),
    compat: compatSchema,
  }),
  z.strictObject({type: z.literal('http'), ...providerCommon, http: httpSpecSchema.describe('How to build the request and read the reply.')}),
  z.strictObject({type: z.literal('bedrock'), ...providerCommon}),
  z.strictObject({
    type: z.literal('sandbox'),
    ...providerCommon,
    wire: z.enum(WIRE_FORMATS).describe('Which real wire format (and SDK) the simulated provider speaks.'),
    compat: compatSchema,
    api: apiSchema,
  }),
]).describe('A provider: where its API lives, how to authenticate, limits, and its models.');

const toolName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, '1 to 64 letters, digits, underscores or dashes (what every API accepts as a function name)');

/** A function the model may call; `parameters` is a JSON Schema for its arguments (an object). */
export const toolSchema = z.strictObject({
  name: toolName,
  description: z.string().optional(),
  parameters: z.record(z.string(), z.unknown()).default({type: 'object', properties: {}}),
});

/** auto: the model decides; none: no calls; required: at least one call; {name}: that tool. */
export const toolChoiceSchema = z.union([z.enum(['auto', 'none', 'required']), z.strictObject({name: toolName})]);

/** A call an assistant turn made earlier in a multi-turn case; argument strings are templates. */
export const messageToolCallSchema = z.strictObject({
  /** Pairs the call with its tool result; default call_<turn>_<n>. */
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).optional(),
  name: toolName,
  arguments: z.record(z.string(), z.unknown()).default({}),
});

/** An image (PNG, JPEG, WebP, GIF) or a file (PDF): a path relative to the suite file, a URL, or data (a data: URL, or base64 with mediaType). Each is a template. */
const mediaPart = <T extends string>(type: T) =>
  z.strictObject({type: z.literal(type), path: z.string().optional(), url: z.string().optional(), data: z.string().optional(), mediaType: z.string().optional()});

export const contentPartSchema = z.discriminatedUnion('type', [z.strictObject({type: z.literal('text'), text: z.string()}), mediaPart('image'), mediaPart('file')]);

export const messageSchema = z
  .strictObject({
    role: z.enum(['system', 'user', 'assistant', 'tool']),
    /** Text, or (in a user turn) a list of parts: text, images and files. */
    content: z.union([z.string(), z.array(contentPartSchema).min(1)]).optional(),
    /** assistant: the tools it called in this turn. */
    toolCalls: z.array(messageToolCallSchema).min(1).optional(),
    /** tool: the call this result answers (default: the next unanswered call before it) and its tool's name (default: that call's). */
    toolCallId: z.string().optional(),
    toolName: toolName.optional(),
  })
  .refine((m) => m.content !== undefined || (m.role === 'assistant' && m.toolCalls), {message: 'needs `content` (only an assistant turn with toolCalls may leave it out)', path: ['content']})
  .refine((m) => !m.toolCalls || m.role === 'assistant', {message: 'only an assistant turn has toolCalls', path: ['toolCalls']})
  .refine((m) => typeof m.content !== 'object' || m.role === 'user', {message: 'content parts (images, files) belong to a user turn; other turns take text', path: ['content']})
  .refine((m) => (m.toolCallId === undefined && m.toolName === undefined) || m.role === 'tool', {message: 'toolCallId and toolName belong to a tool turn', path: ['toolCallId']});

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
  z.strictObject({
    type: z.literal('tool-call'),
    /** The tool expected to be called (a template); null or an empty rendering: no call expected. */
    name: z.string().nullable(),
    /** Expected arguments: values are templates; "{{column}}" alone inserts the column's value as is (an object from a JSON dataset). */
    arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
    /** exact: the same arguments; subset: these arguments among others; schema: any arguments valid for the tool's parameters. */
    match: z.enum(['exact', 'subset', 'schema']).default('exact'),
  }),
  z.strictObject({
    type: z.literal('tool-calls'),
    /** The calls expected, or a template naming a dataset column that holds them (a JSON list of {name, arguments}). */
    calls: z.union([z.array(z.strictObject({name: toolName, arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).optional()})), z.string()]),
    match: z.enum(['exact', 'subset', 'schema']).default('exact'),
    /** Count a call as right only in the expected order (default: any order). */
    ordered: z.boolean().default(false),
    /** The F1 over calls at or above which the grade passes. */
    threshold: z.number().min(0).max(1).default(1),
    ...named,
  }),
  z.strictObject({type: z.literal('latency'), maxMs: z.number().positive(), ...named}),
  z.strictObject({type: z.literal('cost'), maxUsd: z.number().nonnegative(), ...named}),
  z.strictObject({
    type: z.literal('custom'),
    function: z.string().optional().describe('A function registered under `graders` in bench.config.ts...'),
    module: z.string().optional().describe('...or a JS/TS module, relative to the suite file, whose export is the function.'),
    export: z.string().default('default'),
    ...named,
  }),
]);

export const graderSchema = z.discriminatedUnion('type', [
  deterministicGraderSchema,
  z.strictObject({
    type: z.literal('judge'),
    rubric: z.string().min(1),
    model: z.string().optional().describe('A model label; defaults to the config\'s `judge`.'),
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
    id: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, dot, dash and underscore only').describe('Unique across the project; letters, digits, dot, dash and underscore.'),
    description: z.string().optional(),
    tags: z.array(z.string()).default([]).describe('Tags every case inherits.'),
    prompt: z.string().optional().describe('A Handlebars template over the case\'s columns (raw text, no HTML escaping); or give `messages`.'),
    messages: z.array(messageSchema).min(1).optional().describe('Messages whose contents are templates; or give `prompt`.'),
    system: z.string().optional().describe('A system message sent before the prompt.'),
    dataset: z.string().optional().describe('A CSV, TSV, JSONL or JSON file of cases, relative to the suite file; or give `cases`.'),
    cases: z.array(caseSchema).optional().describe('Cases inline; or give `dataset`.'),
    models: z.array(z.string()).optional().describe('The model labels that run this suite (default: every chat model).'),
    params: paramsSchema.optional().describe('Overrides of the models\' params for this suite.'),
    tools: z.array(toolSchema).min(1).optional().describe('Functions the model may call, sent in each API\'s native tool format (docs/request-features.md#tools).'),
    toolChoice: toolChoiceSchema.optional().describe('auto (the model decides), none, required (at least one call), or {name} (that tool).'),
    graders: z.array(graderSchema).default([]).describe('How each answer is scored; a result passes when every grader passes.'),
    gate: z.lazy(() => gateSchema).optional().describe('This suite\'s own thresholds, per model within the suite.'),
  })
  .refine((s) => (s.prompt === undefined) !== (s.messages === undefined), {
    message: 'give exactly one of `prompt` or `messages`',
    path: ['prompt'],
  })
  .refine((s) => s.toolChoice === undefined || s.tools !== undefined, {message: 'toolChoice needs `tools`', path: ['toolChoice']})
  .refine((s) => typeof s.toolChoice !== 'object' || (s.tools ?? []).some((t) => t.name === (s.toolChoice as {name: string}).name), {
    message: 'toolChoice names a tool that is not in `tools`',
    path: ['toolChoice'],
  })
  .refine((s) => (s.dataset === undefined) !== (s.cases === undefined), {
    message: 'give exactly one of `dataset` (a file) or `cases` (inline)',
    path: ['dataset'],
  });

export const gateSchema = z.strictObject({
  minPassRate: probability.optional().describe('Lowest pass rate allowed.'),
  maxErrorRate: probability.optional().describe('Highest share of errored requests allowed.'),
  maxP95LatencyMs: nonNegative.optional().describe('Highest p95 latency allowed.'),
  maxCostUsd: nonNegative.optional().describe('Highest total cost of the run allowed.'),
});

export const configSchema = z.strictObject({
  providers: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).min(1).describe('Globs of provider files (relative to the config), or inline provider objects.'),
  suites: z.array(z.union([z.string(), z.record(z.string(), z.unknown())])).default([]).describe('May be empty while onboarding providers: `assay check` and `assay ab` need none; `assay run` does.'),
  concurrency: positiveInt.default(16).describe('Global cap on requests in flight.'),
  outDir: z.string().default('reports').describe('Where run directories go, relative to the config.'),
  judge: z.string().optional().describe('Default judge model label for judge and rubric graders.'),
  graders: z.record(z.string(), z.custom<(...args: never[]) => unknown>((v) => typeof v === 'function', 'must be a function')).optional().describe('Custom grader functions, referenced from suites as {type: custom, function: NAME}.'),
  gate: gateSchema.optional().describe('Thresholds checked after a run: exit 1 when one fails.'),
  repeat: positiveInt.default(1).describe('Default --repeat: how many times each case is sent to each model.'),
  seed: z.number().int().default(1).describe('Default --seed (sampling, shuffles, and the sandbox).'),
  maxPromptChars: positiveInt.default(1_000_000).describe('A case whose messages are longer than this (in characters) is refused before anything is sent.'),
  cache: z
    .union([
      z.boolean(),
      z.strictObject({
        enabled: z.boolean().optional(),
        dir: z.string().optional().describe('Where cached responses live, relative to the config file.'),
      }),
    ])
    .optional(),
  sandbox: z
    .strictObject({
      seed: z.number().int().optional(),
      latencyScale: nonNegative.optional().describe('Multiplies every simulated latency: 0 makes the sandbox answer instantly.'),
      batch: z
        .strictObject({
          turnaroundMs: nonNegative.optional(),
          failureRate: probability.optional(),
          expireAfterMs: nonNegative.optional(),
        })
        .optional()
        .describe('The emulated batch APIs: turnaround (default 2000 ms × latencyScale), share of requests that fail, expiry.'),
    })
    .optional(),
});

export type ModelParamsInput = z.infer<typeof paramsSchema>;
export type SimProfile = z.infer<typeof simProfileSchema>;
export type AuthDef = z.infer<typeof authSchema>;
export type ModelDef = z.infer<typeof modelSchema>;
/**
 * A provider of any type, with the fields of the other types present as `undefined`: code reads
 * `provider.wire` without a cast, and it is typed `WireFormat` (never undefined) once `type` is checked.
 */
export type ProviderDef = WithAbsentKeys<z.infer<typeof providerSchema>>;
type KeysOfUnion<U> = U extends unknown ? keyof U : never;
type WithAbsentKeys<U, K extends PropertyKey = KeysOfUnion<U>> = U extends unknown ? U & {[P in Exclude<K, keyof U>]?: undefined} : never;
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
