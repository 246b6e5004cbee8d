import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { connectTemporal, withWorker } from '../helpers/temporal.js';
import { hubspotConnection } from '../../src/workflows/hubspot-connection.js';
import { connectionWorkflowId } from '../../src/shared/ids.js';
import {
  connectionStatusQuery,
  getAccessTokenUpdate,
  reauthorizeUpdate,
  reportAuthFailureSignal,
} from '../../src/shared/messages.js';
import { createTokenActivities } from '../../src/activities/tokens.js';

const noOAuth = createTokenActivities({
  oauth: {
    exchangeCode: () => Promise.reject(new Error('static connections never exchange codes')),
    refresh: () => Promise.reject(new Error('static connections never refresh')),
  },
});

describe('hubspotConnection in static-token mode', () => {
  let env: TestWorkflowEnvironment;
  let close: () => Promise<void>;
  before(async () => ({ env, close } = await connectTemporal()));
  after(async () => close());

  it('reports connected, goes to needs_reauth on an auth failure, and recovers on reauthorize', async () => {
    await withWorker(env, { activities: noOAuth }, async ({ taskQueue }) => {
      const portalId = String(Math.floor(Math.random() * 1e9));
      const handle = await env.client.workflow.start(hubspotConnection, {
        workflowId: connectionWorkflowId(portalId),
        taskQueue,
        args: [{ portalId, mode: 'static' }],
      });
      const first = await handle.query(connectionStatusQuery);
      assert.equal(first.state, 'connected');
      assert.equal(first.mode, 'static');
      assert.equal(first.portalId, portalId);

      await handle.signal(reportAuthFailureSignal, { message: '401 Authentication credentials not found.' });
      const broken = await handle.executeUpdate(reauthorizeUpdate, { args: [{ static: true }] });
      assert.equal(broken.state, 'connected');
      assert.equal(broken.lastError, undefined);

      await assert.rejects(
        handle.executeUpdate(getAccessTokenUpdate, { args: [{}] }),
        (err: unknown) => err instanceof WorkflowUpdateFailedError && /static-token/.test(String(err.cause?.message)),
      );
      await handle.terminate('test over');
    });
  });

  it('exposes needs_reauth in status after a reported auth failure', async () => {
    await withWorker(env, { activities: noOAuth }, async ({ taskQueue }) => {
      const portalId = String(Math.floor(Math.random() * 1e9));
      const handle = await env.client.workflow.start(hubspotConnection, {
        workflowId: connectionWorkflowId(portalId),
        taskQueue,
        args: [{ portalId, mode: 'static' }],
      });
      await handle.signal(reportAuthFailureSignal, { message: 'token revoked' });
      const status = await handle.query(connectionStatusQuery);
      assert.equal(status.state, 'needs_reauth');
      assert.equal(status.lastError, 'token revoked');
      assert.equal(JSON.stringify(status).includes('accessToken'), false);
      await handle.terminate('test over');
    });
  });
});
