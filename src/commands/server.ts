import { Flags } from '@oclif/core';
import { MlfCommand } from '../lib/base-command.js';
import { MlfError } from '../lib/errors.js';
import { LOG_LEVELS, parseLogLevel } from '../server/logger.js';

export default class Server extends MlfCommand {
  static override description =
    "Run an MLflow-compatible tracking server (REST API 2.0 and the mlflow-artifacts proxy) on a file or database store. Several processes, or machines, can share one database.";
  static override examples = [
    '<%= config.bin %> server',
    '<%= config.bin %> server --backend-store-uri sqlite:///mlflow.db --port 5001',
    '<%= config.bin %> server --backend-store-uri postgresql://mlflow@db/mlflow --host 0.0.0.0 --workers 4',
    'MLFLOW_AUTH_CONFIG_PATH=basic_auth.ini <%= config.bin %> server --app-name basic-auth --host 0.0.0.0 --allowed-hosts mlflow.example.com',
  ];
  static override flags = {
    'allowed-hosts': Flags.string({
      description:
        "Comma-separated Host header patterns to accept ('*' wildcards; '*' alone allows all). Default: localhost forms, private address ranges and the --host address",
      env: 'MLFLOW_SERVER_ALLOWED_HOSTS',
    }),
    'app-name': Flags.string({
      description: "Application to serve: 'basic-auth' adds MLflow's users, passwords and permissions (config: MLFLOW_AUTH_CONFIG_PATH)",
      options: ['basic-auth'],
    }),
    'artifacts-destination': Flags.string({
      description: 'Folder where proxied artifacts are stored (default: ./mlartifacts)',
      env: 'MLFLOW_ARTIFACTS_DESTINATION',
    }),
    'backend-store-uri': Flags.string({
      description: 'Database URI or local folder for experiment and run data (default: ./mlruns)',
      env: 'MLFLOW_BACKEND_STORE_URI',
    }),
    'cors-allowed-origins': Flags.string({
      description: "Comma-separated origins allowed to call the API from a browser ('*' wildcards). Default: same origin and localhost only",
      env: 'MLFLOW_SERVER_CORS_ALLOWED_ORIGINS',
    }),
    'default-artifact-root': Flags.string({
      description: 'Artifact root for new experiments (default: mlflow-artifacts:/ when serving artifacts, else the local store)',
      env: 'MLFLOW_DEFAULT_ARTIFACT_ROOT',
    }),
    'disable-security-middleware': Flags.boolean({
      default: false,
      description: 'Turn off the Host and Origin checks and security headers',
      env: 'MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE',
    }),
    host: Flags.string({ char: 'h', default: '127.0.0.1', description: 'Address to listen on', env: 'MLFLOW_HOST' }),
    'log-level': Flags.string({
      default: 'info',
      description: `Request log level (one line per request at info): ${LOG_LEVELS.join(', ')}; any case, WARN and CRITICAL too, as Python's logging names them`,
      env: 'MLFLOW_LOGGING_LEVEL',
      // Checked in run(), not with oclif's `options`: those are case-sensitive, so WARNING or WARN would be refused.
    }),
    port: Flags.integer({ char: 'p', default: 5000, description: 'Port to listen on (0: any free port)', env: 'MLFLOW_PORT' }),
    'registry-store-uri': Flags.string({
      description: 'Store for the Model Registry (default: the backend store)',
      env: 'MLFLOW_REGISTRY_STORE_URI',
    }),
    'serve-artifacts': Flags.boolean({
      allowNo: true,
      default: true,
      description: 'Proxy artifact upload, download, list and delete to --artifacts-destination',
      env: 'MLFLOW_SERVE_ARTIFACTS',
    }),
    'x-frame-options': Flags.string({
      default: 'SAMEORIGIN',
      description: "X-Frame-Options header on every reply (NONE: none)",
      env: 'MLFLOW_SERVER_X_FRAME_OPTIONS',
    }),
    'static-prefix': Flags.string({
      description: "Path prefix for the web UI, /ajax-api, /health and /version (e.g. /mlflow), as MLflow's server",
      env: 'MLFLOW_STATIC_PREFIX',
    }),
    workers: Flags.integer({ char: 'w', default: 1, description: 'Processes sharing the port', env: 'MLFLOW_WORKERS', min: 1 }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Server);
    const logLevel = parseLogLevel(flags['log-level'], undefined);
    if (!logLevel) {
      throw new MlfError(
        `Expected --log-level=${flags['log-level']} to be one of: ${LOG_LEVELS.join(', ')} (any case; also warn, critical, fatal)`,
        'INVALID_PARAMETER_VALUE',
        2,
      );
    }
    const { resolveSettings } = await import('../server/serve.js');
    const { splitList } = await import('../server/auth/security.js');
    const { runServerProcesses } = await import('../server/processes.js');
    const settings = resolveSettings({
      backendStoreUri: flags['backend-store-uri'],
      registryStoreUri: flags['registry-store-uri'],
      defaultArtifactRoot: flags['default-artifact-root'],
      serveArtifacts: flags['serve-artifacts'],
      artifactsDestination: flags['artifacts-destination'],
      host: flags.host,
      port: flags.port,
      workers: flags.workers,
      logLevel,
      appName: flags['app-name'],
      allowedHosts: splitList(flags['allowed-hosts']),
      corsAllowedOrigins: splitList(flags['cors-allowed-origins']),
      disableSecurityMiddleware: flags['disable-security-middleware'],
      xFrameOptions: flags['x-frame-options'],
      staticPrefix: flags['static-prefix'],
    });
    const code = await runServerProcesses(settings, { print: (l) => this.log(l) });
    if (code !== 0) this.exit(code);
  }
}
