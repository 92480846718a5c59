/**
 * Every environment variable dynflow reads, with what it is for. `.env.example`
 * and `docs/config.md` list exactly these (a test keeps them in step).
 */

export interface EnvVariable {
  name: string;
  description: string;
  /** Never logged or echoed in an error. */
  secret: boolean;
  /** The default, as the user would write it; undefined when there is none. */
  default?: string;
  /**
   * Every deployment sets it. `.env.example` ships only these as assignments;
   * the rest are commented out there, so a file used with `docker run
   * --env-file` or compose's `env_file` never overrides the image's own values
   * (`HOST`, `NODE_ENV`, `DYNFLOW_DATA_DIR`).
   */
  mustSet?: boolean;
}

export const ENV_VARIABLES: readonly EnvVariable[] = Object.freeze([
  // GitHub App
  { name: "APP_ID", mustSet: true, secret: false, description: "GitHub App id. Leave APP_ID and the private key unset to start the setup flow that registers the app." },
  { name: "PRIVATE_KEY", secret: true, description: "The App's private key (PEM text; \\n escapes and base64 are accepted). Or use PRIVATE_KEY_PATH." },
  { name: "PRIVATE_KEY_PATH", mustSet: true, secret: false, description: "Path of the App's private key .pem file. Or use PRIVATE_KEY." },
  { name: "WEBHOOK_SECRET", mustSet: true, secret: true, description: "Secret GitHub signs webhooks with; required once APP_ID is set." },
  { name: "GHE_HOST", secret: false, description: "GitHub Enterprise Server host name (e.g. github.example.com); unset for github.com." },
  { name: "GHE_PROTOCOL", secret: false, default: "https", description: "Protocol of the GitHub Enterprise Server." },
  { name: "GH_ORG", secret: false, description: "Organization the setup flow registers the app under; unset registers it on your account." },
  { name: "DYNFLOW_APP_SLUG", secret: false, description: "The App's slug, so @<slug> commands work; looked up from GitHub when unset." },
  // HTTP server
  { name: "HOST", secret: false, default: "localhost", description: "Address the server listens on (0.0.0.0 in containers)." },
  { name: "PORT", secret: false, default: "3000", description: "Port the server listens on." },
  { name: "WEBHOOK_PATH", secret: false, default: "/api/github/webhooks", description: "Path GitHub posts webhooks to." },
  { name: "WEBHOOK_PROXY_URL", secret: false, description: "Development only: a smee.io channel that forwards webhooks to this machine." },
  { name: "LOG_LEVEL", secret: false, default: "info", description: "fatal, error, warn, info, debug, trace or silent." },
  { name: "NODE_ENV", secret: false, description: "production makes the App credentials, the webhook secret and the model API key required." },
  // Model
  { name: "ANTHROPIC_API_KEY", mustSet: true, secret: true, description: "API key for the Claude API; required in production." },
  { name: "ANTHROPIC_BASE_URL", secret: false, description: "Base URL of the Claude API, for a gateway or proxy; unset for the public API." },
  // Storage and queue
  { name: "DYNFLOW_DATA_DIR", secret: false, default: "./data", description: "Directory for the SQLite database, clones and workspaces." },
  { name: "DATABASE_URL", secret: true, description: "PostgreSQL URL (postgres://...) shared by all processes; unset uses SQLite in DYNFLOW_DATA_DIR." },
  { name: "REDIS_URL", secret: true, description: "Redis URL (redis:// or rediss://) for the shared job queue; unset uses an in-process queue." },
  // Global caps and prices
  { name: "DYNFLOW_MAX_CONCURRENCY", secret: false, default: "32", description: "Agents running at once across all runs of this deployment (1-4096)." },
  { name: "DYNFLOW_MAX_AGENTS", secret: false, default: "1000", description: "Most agents any one run may start; repository caps cannot exceed it (1-100000)." },
  { name: "DYNFLOW_MAX_CONCURRENT_RUNS", secret: false, default: "4", description: "Runs executing at once in one process (per worker when scaled out); more wait in the queue (1-1024)." },
  {
    name: "DYNFLOW_MAX_CONCURRENCY_PER_INSTALLATION",
    secret: false,
    default: "16",
    description: "Agents running at once for one installation across all its runs, so one organisation cannot take every slot (1-4096).",
  },
  // Dashboard and transcripts
  {
    name: "GITHUB_CLIENT_ID",
    secret: false,
    description: "The App's client ID (its settings page; the setup flow saves it): turns on the dashboard's sign-in with GitHub.",
  },
  { name: "GITHUB_CLIENT_SECRET", secret: true, description: "The App's client secret, with GITHUB_CLIENT_ID." },
  {
    name: "DYNFLOW_PUBLIC_URL",
    secret: false,
    description: "Where people reach this deployment, e.g. https://dynflow.example.com: dashboard links and the sign-in callback.",
  },
  { name: "DYNFLOW_SESSION_SECRET", secret: true, description: "Key of the dashboard's session cookies (32+ characters); unset derives one from the client secret." },
  { name: "DYNFLOW_TRANSCRIPT_AGENT_KB", secret: false, default: "256", description: "Most kilobytes of transcript kept per agent; the rest is cut, and the cut shown (4-65536)." },
  { name: "DYNFLOW_TRANSCRIPT_RUN_MB", secret: false, default: "64", description: "Most megabytes of transcripts kept per run (1-65536)." },
  { name: "DYNFLOW_TRANSCRIPT_RETENTION_DAYS", secret: false, default: "30", description: "Days transcripts are kept before the app prunes them (1-3650)." },
  {
    name: "DYNFLOW_CHANGE_RETENTION_DAYS",
    secret: false,
    default: "30",
    description: "Days a worker change sent as data is kept for a run that never pushed it (so a resume finds it) before the app prunes it (1-3650).",
  },
  { name: "DYNFLOW_CI_SWEEP_SECONDS", secret: false, default: "30", description: "How often CI waits past their deadline are looked for, in seconds (1-3600)." },
  {
    name: "DYNFLOW_PRICES",
    secret: false,
    description:
      'JSON price overrides by model id in US dollars per million tokens, e.g. {"my-model":{"input":3,"output":15,"cacheWrite":3.75,"cacheRead":0.3}}.',
  },
]);
