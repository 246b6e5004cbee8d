import { createHash } from 'node:crypto';
import path from 'node:path';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Worker } from '@temporalio/worker';
import type { Config } from '../config.js';
import { LeadSyncClient } from '../client/lead-sync-client.js';
import { buildHttpApp, PortalNotConnectedError } from '../http/app.js';
import { WrongPortalError } from '../http/oauth.js';
import { codecCapability } from '../http/auth.js';
import type { OAuthApi } from '../hubspot/oauth.js';
import { defaultCacheDir, defaultDataDir } from '../project-paths.js';
import { startSandbox, type Sandbox, type SandboxOptions } from '../sandbox/index.js';
import { resolveTemporalCli } from '../temporal/cli.js';
import { AesGcmCodec } from '../temporal/codec.js';
import { connectTemporal, type TemporalConnections } from '../temporal/connect.js';
import { createDataConverter } from '../temporal/data-converter.js';
import { startDevServer, type DevServer } from '../temporal/dev-server.js';
import { createBackendWebhook } from '../deliveries/backend-webhook.js';
import { ChangeFeeds, changeFeedSettings } from './change-feed.js';
import { ensureConnection, reauthorizeConnection } from './connection.js';
import { encryptionKeys } from './encryption-keys.js';
import { hubspotDeps } from './hubspot-deps.js';
import { staticTokenPortal } from './static-portal.js';
import { createServiceWorker } from './worker.js';

export interface RunningService {
  httpUrl: string;
  uiUrl?: string;
  temporalAddress: string;
  sandbox?: Sandbox;
  portalId(): string | undefined;
  leads(): LeadSyncClient;
  /** Settles when the worker stops; rejects if it dies on its own (the process should then stop too). */
  workerDone: Promise<void>;
  stop(): Promise<void>;
}

/**
 * `npm start` in one function: HubSpot (or the built-in sandbox), Temporal (or the embedded dev server), the
 * worker, the portal's connection workflow and the HTTP API, stopped in the reverse order.
 */
export interface ServiceOverrides {
  /** Options for the built-in sandbox when no HubSpot credentials are configured (tests shorten token lifetimes). */
  sandbox?: SandboxOptions;
  /** A prebuilt workflow bundle, so tests that start the service several times bundle once. */
  workflowBundle?: { code: string };
}

export async function startService(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides = {},
): Promise<RunningService> {
  const cleanups: Array<() => Promise<void>> = [];
  // Asked twice (a test's after hook behind its own stop), it still runs each cleanup once, newest first.
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      for (const cleanup of [...cleanups].reverse()) {
        try {
          await cleanup();
        } catch (err) {
          logger.warn({ reason: (err as Error).message }, 'error while stopping');
        }
      }
    })());
  try {
    return await start(config, logger, overrides, cleanups, stop);
  } catch (err) {
    await stop();
    throw err;
  }
}

async function start(
  config: Config,
  logger: Logger,
  overrides: ServiceOverrides,
  cleanups: Array<() => Promise<void>>,
  stop: () => Promise<void>,
): Promise<RunningService> {
  const dataDir = path.resolve(config.dataDir ?? defaultDataDir);
  await mkdir(dataDir, { recursive: true });

  const keys = await encryptionKeys(config.encryptionKeys, dataDir, logger);
  const dataConverter = createDataConverter(keys);
  const codec = new AesGcmCodec(keys);

  let hubspot = config.hubspot;
  let sandbox: Sandbox | undefined;
  let portalId = hubspot.portalId;
  let bootstrapRefreshToken = hubspot.credentials.mode === 'oauth' ? hubspot.credentials.refreshToken : undefined;
  if (hubspot.credentials.mode === 'sandbox') {
    sandbox = await startSandbox({
      port: config.sandboxPort,
      host: '127.0.0.1',
      stateFile: path.join(dataDir, 'sandbox-state.json'),
      ...overrides.sandbox,
    });
    cleanups.push(() => sandbox!.close());
    hubspot = {
      ...hubspot,
      baseUrl: sandbox.baseUrl,
      authorizeUrl: `${sandbox.baseUrl}/oauth/authorize`,
      credentials: {
        mode: 'oauth',
        clientId: sandbox.clientId,
        clientSecret: sandbox.clientSecret,
        redirectUri: config.publicUrl ? `${config.publicUrl}/oauth/callback` : undefined,
        scopes: ['crm.objects.contacts.read', 'crm.objects.contacts.write', 'communication_preferences.read_write'],
      },
    };
    portalId = String(sandbox.portalId);
    bootstrapRefreshToken = sandbox.issueRefreshToken();
    logger.warn(
      { sandbox: sandbox.baseUrl, portalId },
      '*** NO HUBSPOT CREDENTIALS: running against the built-in HubSpot SANDBOX, not HubSpot. Set HUBSPOT_ACCESS_TOKEN or HUBSPOT_CLIENT_ID/HUBSPOT_CLIENT_SECRET for a real portal. ***',
    );
  }
  const credentials = hubspot.credentials;
  if (credentials.mode === 'sandbox') throw new Error('unreachable: sandbox credentials were replaced above');

  const publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
  let devServer: DevServer | undefined;
  if (!config.temporal.address) {
    const cli = await resolveTemporalCli({ cacheDir: defaultCacheDir, log: (m) => logger.info(m) });
    if (cli.executable.type !== 'existing-path') {
      throw new Error(
        `no Temporal CLI binary for the embedded dev server; tried:\n${cli.attempts.map((a) => `  ${a.step} ${a.where}: ${a.outcome}`).join('\n')}`,
      );
    }
    const codecPath = config.apiKey ? `/codec/ui/${codecCapability(config.apiKey)}` : '/codec';
    devServer = await startDevServer({
      cliPath: cli.executable.path,
      dataDir,
      port: config.temporal.devPort,
      uiPort: config.temporal.uiPort,
      namespace: config.temporal.namespace,
      codecEndpoint: `${publicUrl}${codecPath}`,
      log: (m) => logger.info(m),
    });
    cleanups.push(() => devServer!.stop());
    logger.info(
      { address: devServer.address, ui: devServer.uiUrl, source: cli.source },
      'embedded Temporal dev server started',
    );
  }

  const temporal: TemporalConnections = await connectTemporal({
    embeddedAddress: devServer?.address,
    address: config.temporal.address,
    namespace: config.temporal.namespace,
    dataConverter,
  });
  cleanups.push(() => temporal.close());

  const { portal, oauth: oauthApi } = hubspotDeps(hubspot, credentials, temporal.client, {
    upsertBatchWaitMs: config.upsertBatchWaitMs,
    upsertPacingMs: config.upsertPacingMs,
  });

  const worker: Worker = await createServiceWorker({
    connection: temporal.native,
    namespace: temporal.namespace,
    taskQueue: config.temporal.taskQueue,
    dataConverter,
    portal,
    oauth: oauthApi,
    client: temporal.client,
    backend: config.backendWebhook ? createBackendWebhook(config.backendWebhook) : undefined,
    shutdownGraceMs: config.shutdownGraceMs,
    workflowCacheSize: config.workflowCacheSize,
    workflowBundle: overrides.workflowBundle,
  });
  const running = worker.run();
  cleanups.push(async () => {
    if (worker.getState() === 'RUNNING') worker.shutdown();
    await running.catch(() => undefined);
  });

  const portalFile = path.join(dataDir, 'portal-id');
  portalId ??=
    credentials.mode === 'static'
      ? await staticTokenPortal(hubspot, credentials.accessToken, portalFile, logger)
      : await readFile(portalFile, 'utf8').then(
          (s) => s.trim(),
          () => undefined,
        );
  const connectionOptions = (id: string) => ({
    client: temporal.client,
    taskQueue: config.temporal.taskQueue,
    portalId: id,
    mode: credentials.mode,
    refreshMarginMs: hubspot.refreshMarginMs,
  });

  if (credentials.mode === 'oauth' && bootstrapRefreshToken && oauthApi) {
    try {
      portalId ??= await portalOfRefreshToken(oauthApi, bootstrapRefreshToken);
      const status = await ensureConnection(connectionOptions(portalId));
      // The sandbox is new at every start, so the tokens an earlier run stored mean nothing to it.
      if (status.state === 'needs_reauth' || sandbox) {
        await reauthorizeConnection(connectionOptions(portalId), { refreshToken: bootstrapRefreshToken });
      }
    } catch (err) {
      // Keep serving: the install flow at /oauth/install is how a dead refresh token gets replaced.
      logger.error(
        { reason: (err as Error).message },
        'HUBSPOT_REFRESH_TOKEN could not connect the portal; re-install at /oauth/install',
      );
      if (portalId) await ensureConnection(connectionOptions(portalId));
    }
  } else if (portalId) {
    const status = await ensureConnection(connectionOptions(portalId));
    if (credentials.mode === 'static' && status.state === 'needs_reauth') {
      await reauthorizeConnection(connectionOptions(portalId), { static: true });
    }
  }
  if (portalId) await writeFile(portalFile, portalId);
  const feeds = new ChangeFeeds(
    temporal.client,
    config.temporal.taskQueue,
    changeFeedSettings(config, credentials.mode),
  );
  if (portalId) await feeds.ensure(portalId);

  let leads: LeadSyncClient | undefined;
  const leadsFor = () => {
    if (!portalId) throw new PortalNotConnectedError();
    leads ??= new LeadSyncClient({
      client: temporal.client,
      portalId,
      taskQueue: config.temporal.taskQueue,
      leadIdleTimeoutMs: config.leadIdleTimeoutMs,
      dedupe: config.dedupe,
    });
    return leads;
  };

  const listeningUrl = () => {
    const address = app.server.address();
    return `http://localhost:${typeof address === 'object' && address ? address.port : config.port}`;
  };
  const stateSecret = createHash('sha256').update(keys[0]!.key).update('oauth-state').digest();
  const app = buildHttpApp({
    logger,
    connection: temporal.connection,
    client: temporal.client,
    namespace: temporal.namespace,
    hubspotMode: sandbox ? 'sandbox' : credentials.mode,
    apiKey: config.apiKey,
    codec,
    uiOrigins: [`http://localhost:${config.temporal.uiPort}`, `http://127.0.0.1:${config.temporal.uiPort}`],
    leads: leadsFor,
    portalId: () => portalId,
    webhooks: {
      clientSecret: credentials.mode === 'oauth' ? credentials.clientSecret : undefined,
      publicUrl: () => config.publicUrl ?? listeningUrl(),
      portalId: () => portalId,
      handOver: (id, changes) => feeds.handOver(id, changes),
    },
    oauth:
      credentials.mode === 'oauth' && oauthApi && (credentials.redirectUri || sandbox)
        ? {
            clientId: credentials.clientId,
            redirectUri: () => credentials.redirectUri ?? `${listeningUrl()}/oauth/callback`,
            publicUrl: () => config.publicUrl ?? listeningUrl(),
            apiKey: config.apiKey,
            scopes: credentials.scopes,
            authorizeUrl: hubspot.authorizeUrl,
            stateSecret,
            oauth: oauthApi,
            connect: async (tokens) => {
              if (tokens.hubId === undefined) throw new Error('HubSpot did not say which portal the tokens belong to');
              const id = String(tokens.hubId);
              // One deployment syncs one portal: an install into another one must not quietly redirect the leads.
              const expected = hubspot.portalId ?? portalId;
              if (expected !== undefined && expected !== id) {
                throw new WrongPortalError(
                  `these tokens belong to portal ${id}, but this service syncs portal ${expected}; set HUBSPOT_PORTAL_ID to move it`,
                );
              }
              const expiresAt = Date.now() + tokens.expiresIn * 1000;
              await reauthorizeConnection(connectionOptions(id), { tokens: { ...tokens, expiresAt } });
              portalId = id;
              await writeFile(portalFile, id);
              await feeds.ensure(id);
              return { portalId: id };
            },
          }
        : undefined,
  });
  if (!config.apiKey) logger.warn('LEADSYNC_API_KEY is not set: the HTTP API serves loopback clients only');
  await app.listen({ port: config.port, host: config.apiKey ? '0.0.0.0' : '127.0.0.1' });
  cleanups.push(() => app.close());
  // The sandbox plays HubSpot's part of the two-way sync too: its changes come back to this service's webhook.
  sandbox?.webhooks.configure({ targetUrl: `${config.publicUrl ?? listeningUrl()}/hubspot/webhooks` });

  return {
    httpUrl: listeningUrl(),
    uiUrl: devServer?.uiUrl,
    temporalAddress: temporal.address,
    sandbox,
    portalId: () => portalId,
    leads: leadsFor,
    workerDone: running,
    stop,
  };
}

async function portalOfRefreshToken(oauth: OAuthApi, refreshToken: string): Promise<string> {
  const info = await oauth.introspect({ token: refreshToken, tokenTypeHint: 'refresh_token' });
  if (!info.active) throw new Error('HUBSPOT_REFRESH_TOKEN is not active (revoked or unknown): reinstall the app');
  return String(info.hubId);
}
