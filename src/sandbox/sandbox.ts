import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { resolveOptions } from './options.js';
import { copyCounters } from './state/counters.js';
import { SandboxState } from './state/sandbox-state.js';
import type { Sandbox, SandboxOptions } from './types.js';

function baseUrlOf(host: string, port: number): string {
  // A wildcard bind is reachable on loopback; that is the address callers on this machine can use.
  const reachable = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return `http://${reachable.includes(':') ? `[${reachable}]` : reachable}:${port}`;
}

export async function startSandbox(options?: SandboxOptions): Promise<Sandbox> {
  const resolved = resolveOptions(options);
  const state = new SandboxState(resolved);
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
    issueRefreshToken: () => state.tokens.issueRefreshToken(),
    issueAuthorizationCode: (redirectUri) => state.tokens.issueCode(redirectUri),
    expireAllAccessTokens: () => {
      state.tokens.expireAll();
    },
    revokeRefreshTokens: () => {
      state.tokens.revokeAllRefreshTokens();
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
    },
  };
}
