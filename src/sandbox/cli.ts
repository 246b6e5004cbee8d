import { Command, InvalidArgumentError, Option } from 'commander';
import { pino } from 'pino';
import { startSandbox } from './index.js';
import type { RateLimitSettings } from './types.js';

function integer(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError('expected a whole number ≥ 0');
  return parsed;
}

function share(value: string): number {
  const parsed = Number(value);
  if (Number.isNaN(parsed) || parsed < 0 || parsed > 1) throw new InvalidArgumentError('expected a number from 0 to 1');
  return parsed;
}

/** `110/10000` (max per interval in ms) or `off`. */
function rateLimit(value: string): RateLimitSettings | false {
  if (value === 'off') return false;
  const match = /^(\d+)\/(\d+)$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected MAX/INTERVAL_MS (e.g. 110/10000) or "off"');
  return { max: Number(match[1]), intervalMs: Number(match[2]) };
}

const program = new Command('sandbox')
  .description('A local, stateful HubSpot stand-in (contacts, communication preferences, OAuth).')
  .addOption(
    new Option('--port <port>', 'port to listen on (0: any free port)')
      .env('SANDBOX_PORT')
      .argParser(integer)
      .default(8090),
  )
  .addOption(new Option('--host <host>', 'address to bind').env('SANDBOX_HOST').default('127.0.0.1'))
  .addOption(
    new Option('--portal-id <id>', 'portal (hub) id').env('SANDBOX_PORTAL_ID').argParser(integer).default(62515),
  )
  .addOption(
    new Option('--client-id <id>', 'OAuth client id accepted (generated when omitted)').env('SANDBOX_CLIENT_ID'),
  )
  .addOption(
    new Option('--client-secret <secret>', 'OAuth client secret accepted (generated when omitted)').env(
      'SANDBOX_CLIENT_SECRET',
    ),
  )
  .addOption(
    new Option('--static-token <token>', 'static (private-app) bearer token accepted (generated when omitted)').env(
      'SANDBOX_STATIC_TOKEN',
    ),
  )
  .addOption(new Option('--access-token-ttl <seconds>', 'OAuth access-token lifetime').argParser(integer).default(1800))
  .addOption(
    new Option('--rate-limit <max/ms>', 'ten-secondly burst limit, or "off"')
      .argParser(rateLimit)
      .default({ max: 110, intervalMs: 10_000 }, '110/10000'),
  )
  .addOption(
    new Option('--search-rate-limit <max/ms>', 'search limit, or "off"')
      .argParser(rateLimit)
      .default({ max: 5, intervalMs: 1000 }, '5/1000'),
  )
  .addOption(new Option('--error-rate <share>', 'share of API calls answered with a 5xx').argParser(share).default(0))
  .addOption(new Option('--latency-ms <ms>', 'added latency on API calls').argParser(integer).default(0))
  .addOption(
    new Option('--drop-after-write-rate <share>', 'share of writes applied, then answered by closing the socket')
      .argParser(share)
      .default(0),
  )
  .addOption(
    new Option('--app-id <id>', "the app's id (webhook appId, sourceId of API writes)")
      .env('SANDBOX_APP_ID')
      .argParser(integer),
  )
  .addOption(
    new Option('--webhook-url <url>', "where to POST HubSpot's webhooks, signed with the client secret").env(
      'SANDBOX_WEBHOOK_URL',
    ),
  )
  .addOption(
    new Option(
      '--state-file <path>',
      'JSON file that keeps contacts, subscriptions, tokens, custom properties and the credentials across restarts',
    ).env('SANDBOX_STATE_FILE'),
  )
  .addOption(new Option('--log-level <level>', 'log level on stderr').env('SANDBOX_LOG_LEVEL').default('info'));

interface CliOptions {
  port: number;
  host: string;
  portalId: number;
  clientId?: string;
  clientSecret?: string;
  staticToken?: string;
  accessTokenTtl: number;
  rateLimit: RateLimitSettings | false;
  searchRateLimit: RateLimitSettings | false;
  errorRate: number;
  latencyMs: number;
  dropAfterWriteRate: number;
  appId?: number;
  webhookUrl?: string;
  stateFile?: string;
  logLevel: string;
}

async function main(): Promise<void> {
  const options = program.parse().opts<CliOptions>();
  // stdout carries exactly one JSON line for scripts; logs go to stderr.
  const logger = pino({ level: options.logLevel, name: 'hubspot-sandbox' }, pino.destination(2));
  const sandbox = await startSandbox({
    port: options.port,
    host: options.host,
    portalId: options.portalId,
    ...(options.clientId ? { clientId: options.clientId } : {}),
    ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}),
    ...(options.staticToken ? { staticTokens: [options.staticToken] } : {}),
    accessTokenTtlSeconds: options.accessTokenTtl,
    rateLimit: options.rateLimit,
    searchRateLimit: options.searchRateLimit,
    ...(options.appId === undefined ? {} : { appId: options.appId }),
    ...(options.webhookUrl ? { webhooks: { targetUrl: options.webhookUrl } } : {}),
    ...(options.stateFile ? { stateFile: options.stateFile } : {}),
    logger,
  });
  sandbox.faults.set({
    errorRate: options.errorRate,
    latencyMs: options.latencyMs,
    dropAfterWriteRate: options.dropAfterWriteRate,
  });
  process.stdout.write(
    `${JSON.stringify({
      baseUrl: sandbox.baseUrl,
      portalId: sandbox.portalId,
      clientId: sandbox.clientId,
      clientSecret: sandbox.clientSecret,
      refreshToken: sandbox.issueRefreshToken(),
      staticToken: sandbox.staticToken,
    })}\n`,
  );
  logger.info({ baseUrl: sandbox.baseUrl, portalId: sandbox.portalId }, 'HubSpot sandbox listening');

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'HubSpot sandbox stopping');
    sandbox.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'HubSpot sandbox failed to close');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`HubSpot sandbox failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
