// The default config: four simulated models served by the built-in sandbox through the real
// OpenAI, Anthropic and Gemini SDKs, so `assay run` works offline with no keys.
// Add providers/*.yaml files to benchmark real providers; see the README.
import type {ConfigInput} from 'assay';

export default {
  providers: ['providers/*.yaml'],
  suites: ['suites/*.yaml'],
  concurrency: 16,
  outDir: 'reports',
  judge: 'sim-judge', // the default judge model for judge and rubric graders
  seed: 1,
} satisfies ConfigInput;
