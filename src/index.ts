// The library: everything a command does is a function here; commands only parse flags and render.
export {AssayError, InputError, isAssayError} from './core/errors.ts';
export type {ChatMessage, ErrorClass, FinishReason, Grade, ModelParams, Pricing, Result, ResultError, ToolCall, ToolChoice, ToolDef} from './core/types.ts';
export {ERROR_CLASSES} from './core/types.ts';
export {enableHeapGovernor} from './core/heap-governor.ts';

export {defineConfig, loadConfig, findConfigFile} from './config/load-config.ts';
export type {LoadedConfig, LoadedModel, LoadedProvider} from './config/load-config.ts';
export type {ConfigInput, ProviderInput, SuiteInput, GraderDef, SimProfile} from './config/schema.ts';
export {loadSuite} from './suites/load-suite.ts';
export type {LoadedSuite, SuiteCase, SuiteCases} from './suites/load-suite.ts';
export {loadDataset} from './datasets/load-dataset.ts';

export {createProviderClient} from './providers/create-client.ts';
export {createTokenSource} from './providers/create-token-source.ts';
export type {TokenSource} from './providers/token-source.ts';
export type {Completion, CompletionRequest, ProviderClient} from './providers/provider-client.ts';
export {ProviderError} from './providers/provider-error.ts';
export {classifyError, parseRetryAfterMs} from './providers/classify-error.ts';

export {createGrader, graderContext} from './graders/create-grader.ts';
export {judgePairwise} from './graders/pairwise-judge.ts';
export type {PairwiseOutcome} from './graders/pairwise-judge.ts';
export type {ModelCaller, ModelCall} from './graders/model-caller.ts';
export type {Grader, GradeInput} from './graders/grader.ts';

export {runBenchmark} from './runner/run-benchmark.ts';
export type {RunEvent, RunOptions, RunOutcome} from './runner/run-benchmark.ts';
export {readJournal, latestResults} from './runner/journal.ts';
export {runWorker} from './queue/run-worker.ts';
export type {WorkerOptions, WorkerEvent, WorkerSummary} from './queue/run-worker.ts';
export {RedisRateLimiter, RedisSemaphore, RedisLimits} from './queue/redis-limits.ts';
export {summarize} from './runner/summarize.ts';
export type {GroupStats, ModelComparison, Summary} from './runner/summarize.ts';
export {wilsonInterval} from './stats/wilson-interval.ts';
export {mcnemarExact} from './stats/mcnemar.ts';
export {pairedComparison} from './stats/paired-comparison.ts';
export {pairedTest, casesForEffect, MIN_PAIRED_CASES} from './stats/paired-test.ts';
export type {PairedTest, PairedTestName} from './stats/paired-test.ts';
export {tangoScoreTest} from './stats/tango-interval.ts';
export {caseMeanInterval} from './stats/case-mean-interval.ts';
export {holmAdjust} from './stats/holm.ts';
export {clusteredMean} from './stats/clustered-mean.ts';
export {percentile} from './stats/percentile.ts';

export {writeReports} from './report/write-reports.ts';
export {parseOutputFile, writeOutputFile} from './report/output-file.ts';
export {resultsToCsv, summaryToCsv} from './report/results-csv.ts';
export {renderReportHtml} from './report/report-html.ts';

export {Sandbox} from './sandbox/sandbox-server.ts';
export {startSandbox} from './sandbox/start-sandbox.ts';
export {resolveSimModel} from './sandbox/sim-model.ts';

export {runAb} from './ab/run-ab.ts';
export {detectTrafficFormat, importTrafficRecord, loadTraffic, sampleTraffic} from './ab/load-traffic.ts';
export type {LoadTrafficOptions} from './ab/load-traffic.ts';
export {TRAFFIC_FORMATS} from './ab/traffic-request.ts';
export type {LoggedAnswer, TrafficFormat, TrafficRequest} from './ab/traffic-request.ts';
export {createScrubber, dedupeRequests, SCRUB_PATTERNS, scrubRequests} from './ab/scrub-traffic.ts';
export {ALLOCATIONS, stratifySample, stratumOf} from './ab/stratify-sample.ts';
export type {Allocation, SampleStratum, StratifiedSample, StratifyOptions} from './ab/stratify-sample.ts';
export {stratifiedDifference} from './stats/stratified-difference.ts';
export type {StratifiedDifference} from './stats/stratified-difference.ts';
export {startTelemetry, TelemetryError} from './telemetry/start-telemetry.ts';
export type {Telemetry, TelemetryOptions, TelemetryScope} from './telemetry/start-telemetry.ts';
export {loadEventTelemetry, runEventTelemetry, sampleFromResult} from './telemetry/telemetry-listeners.ts';
export type {RequestSample} from './telemetry/request-sample.ts';
export {runMonitor} from './monitor/run-monitor.ts';
export type {MonitorCycle, MonitorOptions, MonitorOutcome} from './monitor/run-monitor.ts';
export {detectDrift} from './monitor/detect-drift.ts';
export {readSeries} from './monitor/series-file.ts';
export type {Drift, SeriesPoint} from './monitor/series-point.ts';
export {fisherExact} from './stats/fisher-exact.ts';
export {mannWhitney} from './stats/mann-whitney.ts';
export type {AbOptions, AbOutcome} from './ab/run-ab.ts';
export {abVerdict} from './ab/ab-verdict.ts';
export type {AbVerdict} from './ab/ab-verdict.ts';

export {evaluateGate} from './gate/evaluate-gate.ts';
export {junitXml} from './gate/junit-xml.ts';
export {signV4} from './providers/sigv4.ts';

export {runCheck} from './check/run-check.ts';
export {initProject} from './scaffold/init-project.ts';
export type {InitOptions, InitOutcome} from './scaffold/init-project.ts';
export {addProvider, listPresets, providerFromPreset} from './scaffold/add-provider.ts';
export type {AddProviderOptions, AddProviderOutcome, PresetSummary} from './scaffold/add-provider.ts';
export {loadPresets} from './scaffold/load-presets.ts';
export type {Preset} from './scaffold/load-presets.ts';
export type {CheckOptions, CheckReport, CheckStep, CheckStepName, ProviderCheck} from './check/run-check.ts';
export {closestIds} from './check/closest-ids.ts';

export {loadOutcomes} from './routing/load-outcomes.ts';
export {generatePolicy} from './routing/generate-policy.ts';
export type {GenerateOptions, GeneratedPolicy, RuleEvidence, SelectionStep} from './routing/generate-policy.ts';
export {createRouter, routeOrders, stickyFraction} from './routing/create-router.ts';
export type {Router, RouteDecision, RouteRequest, RoutePick} from './routing/create-router.ts';
export {createPolicyClient} from './routing/create-policy-client.ts';
export type {PolicyClient, PolicyEvent, PolicyModel, PolicyRequest, PolicyResponse} from './routing/create-policy-client.ts';
export {learnRouter} from './routing/learn-router.ts';
export type {LearnOptions, LearnResult} from './routing/learn-router.ts';
export {gapRecovered} from './routing/gap-recovered.ts';
export type {GapRecovered} from './routing/gap-recovered.ts';
export {simulatePolicy} from './routing/simulate-policy.ts';
export type {SimulationReport, SimulatedPerformance} from './routing/simulate-policy.ts';
export {explainPolicy} from './routing/explain-policy.ts';
export {loadPolicy, policyToYaml} from './routing/load-policy.ts';
export {routingPolicySchema} from './routing/policy-schema.ts';
export {exportLitellm, buildLitellmConfig, litellmConfigSchema, litellmNotes, LITELLM_CHECKED_AGAINST} from './routing/export-litellm.ts';
export type {LitellmConfig} from './routing/export-litellm.ts';
export {exportPortkey, buildPortkeyConfig, portkeyConfigSchema, portkeyConfigHeader, portkeyNotes} from './routing/export-portkey.ts';
export {gatewayTarget} from './routing/gateway-targets.ts';
export type {GatewayTarget} from './routing/gateway-targets.ts';
export type {PortkeyTarget, PortkeyStrategy} from './routing/export-portkey.ts';
export {costQualityHull, averageImprovementInQuality} from './routing/cost-quality-hull.ts';
export type {CaseOutcomes, ModelOutcome, OutcomeSet, RoutingPolicy, PolicyRule, RuleCondition, WeightedModel, Resilience, ExpectedPerformance, LearnedRouter, LearnedModel} from './routing/policy-types.ts';

export {loadRun} from './report/load-run.ts';
export type {LoadedRun} from './report/load-run.ts';
export {compareRuns} from './report/compare-runs.ts';
export type {RunComparison, ComparisonRow} from './report/compare-runs.ts';
export {renderComparisonHtml} from './report/comparison-html.ts';
export {reportRuns} from './report/report-runs.ts';
export {paretoFrontier} from './report/pareto-frontier.ts';
export {startViewServer} from './view/view-server.ts';
export {listRuns} from './view/list-runs.ts';
export type {ReportHtmlOptions} from './report/report-html.ts';
export type {WriteReportsOptions} from './report/write-reports.ts';

export {priceRequest, batchPricing, cacheRatiosFor, ANTHROPIC_CACHE_RATIOS} from './runner/cost.ts';
export type {TokenUsage, PricedRequest, CacheRatios} from './runner/cost.ts';
export {openaiChatUsage, openaiResponsesUsage, anthropicUsage, geminiUsage, bedrockUsage} from './providers/usage.ts';
export type {UsageParts} from './providers/usage.ts';
export {checkPrices, importPrices} from './prices/run-prices.ts';
export type {PricesOptions, PricesReport, ModelPrices} from './prices/run-prices.ts';
export {loadPriceTable, findPrice, pricingFromEntry} from './prices/price-table.ts';
export type {CostBreakdown, PricingTier} from './core/types.ts';

export {runLoad, sweepRates} from './load/run-load.ts';
export type {LoadOptions, LoadOutcome, LoadEvent, LoadProfile} from './load/run-load.ts';
export type {LoadReport, ModelLoad, StepResult, StepPlan, RequestRecord, Percentiles, Slo} from './load/load-types.ts';
export {stepStats, saturationRps, percentiles, meetsSlo} from './load/step-stats.ts';
export {arrivalTimesMs} from './load/arrivals.ts';
export {parseLengthDist} from './load/length-dist.ts';
export {parseSlo} from './load/parse-slo.ts';
export {startSandboxProcess} from './sandbox/sandbox-process.ts';
