import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { resolveOptions } from './options.js';
import { restoreSnapshot, takeSnapshot } from './persistence/snapshot.js';
import { readStateFile } from './persistence/state-file.js';
import { StateSaver } from './persistence/state-saver.js';
import { copyCounters } from './state/counters.js';
import { SandboxState } from './state/sandbox-state.js';
import type { Sandbox, SandboxOptions } from './types.js';

function baseUrlOf(host: string, port: number): string {
  // A wildcard bind is reachable on loopback; that is the address callers on this machine can use.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

// Bursts of writes (a batch run, a bench) share one rewrite of the state file per this long.
const SAVE_INTERVAL_MS = 200;

/** Keeps the state in its file from now on; the first write happens before the sandbox serves anything. */
async function persist(state: SandboxState, file: string): Promise<StateSaver> {
  const { logger } = state.options;
  const saver = new StateSaver({
    file,
    intervalMs: SAVE_INTERVAL_MS,
    serialise: () => `${JSON.stringify(takeSnapshot(state))}\n`,
    onError: (error) => {
      if (logger) logger.error({ reason: error.message }, 'sandbox state not saved; the next change tries again');
    },
  });
  await saver.writeNow();
  state.onChange = () => saver.changed();
  return saver;
}

export async function startSandbox(options?: SandboxOptions): Promise<Sandbox> {
  const saved = options?.stateFile === undefined ? undefined : await readStateFile(options.stateFile);
  const resolved = resolveOptions(options, saved?.credentials);
  const state = new SandboxState(resolved);
  if (saved) restoreSnapshot(state, saved);
  const saver = resolved.stateFile === undefined ? undefined : await persist(state, resolved.stateFile);
  const app = buildApp(state);
  await app.listen({ port: resolved.port, host: resolved.host });
  const { port } = app.server.address() as AddressInfo;

  return {
    baseUrl: baseUrlOf(resolved.host, port),
    portalId: resolved.portalId,
    appId: resolved.appId,
    clientId: resolved.clientId,
    clientSecret: resolved.clientSecret,
    staticToken: resolved.staticTokens[0] as string,
    issueRefreshToken: () => {
      const token = state.tokens.issueRefreshToken();
      state.onChange();
      return token;
    },
    issueAuthorizationCode: (redirectUri) => state.tokens.issueCode(redirectUri),
    expireAllAccessTokens: () => {
      state.tokens.expireAll();
      state.onChange();
    },
    revokeRefreshTokens: () => {
      state.tokens.revokeAllRefreshTokens();
      state.onChange();
    },
    faults: {
      set: (settings) => state.faults.set(settings),
      failNext: (spec) => state.faults.failNext(spec),
      dropNext: (spec) => state.faults.dropNext(spec),
      reset: () => state.faults.reset(),
    },
    counters: () => copyCounters(state.counters),
    contacts: {
      all: () => structuredClone(state.contacts.all()),
      byEmail: (email) => {
        const contact = state.contacts.findByEmail(email);
        return contact && structuredClone(contact);
      },
    },
    subscriptionStatus: (email) => state.subscriptions.view(email),
    deletedEmails: () => [...state.deletedEmails],
    exchanges: state.exchanges,
    webhooks: {
      configure: (settings) => state.webhooks.configure(settings),
      config: () => state.webhooks.config(),
      attempts: () => state.webhooks.attempts(),
      idle: () => state.webhooks.idle(),
    },
    reset: () => state.reset(),
    close: async () => {
      state.webhooks.close();
      await app.close();
      await saver?.close();
    },
  };
}
