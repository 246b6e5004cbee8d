import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import got from 'got';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.js';
import type { ConnectionStatus } from '../../src/shared/connection-types.js';
import { freePort } from '../helpers/net.js';
import { startTestService, type TestService } from '../helpers/service.js';
import { connectTemporal } from '../helpers/temporal.js';

describe('an OAuth deployment configured for one portal', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  let sandbox: Sandbox;
  let service: TestService;
  const configuredPortal = '999999';

  before(async () => {
    ({ env, close } = await connectTemporal());
    sandbox = await startSandbox({ portalId: Math.floor(Math.random() * 1e6) + 1_000_000 });
    const port = await freePort();
    service = await startTestService({
      temporalAddress: env.address,
      env: {
        PORT: String(port),
        HUBSPOT_CLIENT_ID: sandbox.clientId,
        HUBSPOT_CLIENT_SECRET: sandbox.clientSecret,
        HUBSPOT_BASE_URL: sandbox.baseUrl,
        HUBSPOT_AUTHORIZE_URL: `${sandbox.baseUrl}/oauth/authorize`,
        HUBSPOT_REDIRECT_URI: `http://localhost:${port}/oauth/callback`,
        HUBSPOT_PORTAL_ID: configuredPortal,
      },
    });
  });
  after(async () => {
    await service?.stop();
    await sandbox?.close();
    await close();
  });

  it('refuses an install into another portal, so leads cannot be redirected to it', async () => {
    const before = await got.get(`${service.httpUrl}/v1/connection`).json<ConnectionStatus>();
    assert.equal(before.portalId, configuredPortal);
    assert.equal(before.state, 'needs_reauth');

    const start = await got.get(`${service.httpUrl}/oauth/install`, { followRedirect: false });
    const cookie = String(start.headers['set-cookie']?.[0] ?? '').split(';')[0]!;
    const approved = await got.get(start.headers.location!, { followRedirect: false });
    const callback = await got.get(approved.headers.location!, {
      followRedirect: false,
      throwHttpErrors: false,
      headers: { cookie },
    });
    assert.equal(callback.statusCode, 409);
    assert.match(
      callback.body,
      new RegExp(`belong to portal ${sandbox.portalId}, but this service syncs portal ${configuredPortal}`),
    );
    assert.equal(service.portalId(), configuredPortal);
    const after = await got.get(`${service.httpUrl}/v1/connection`).json<ConnectionStatus>();
    assert.equal(after.state, 'needs_reauth');
    const others = [];
    for await (const run of env.client.workflow.list({
      query: `WorkflowId = "hubspot-connection:${sandbox.portalId}"`,
    }))
      others.push(run);
    assert.deepEqual(others, [], 'no connection workflow was started for the other portal');
  });
});
