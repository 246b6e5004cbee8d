import type { FastifyInstance } from 'fastify';
import { addRoute } from '../context.js';
import { sendError } from '../errors.js';
import { v1AccessTokenInfo, v1RefreshTokenInfo } from '../oauth/token-bodies.js';
import type { SandboxState } from '../state/sandbox-state.js';

/** The deprecated v1 metadata endpoints, still called by the official SDK. */
export function registerOAuthInfoRoutes(app: FastifyInstance, state: SandboxState): void {
  addRoute(
    app,
    'GET',
    '/oauth/v1/access-tokens/:token',
    { name: 'oauth.accessTokenInfo', kind: 'token' },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const info = state.tokens.accessTokenInfo(token);
      if (!info) return sendError(request, reply, 404, 'OBJECT_NOT_FOUND', 'access token not found or expired');
      return reply.send(v1AccessTokenInfo(state, token, info.expiresIn, info.scopes));
    },
  );

  addRoute(
    app,
    'GET',
    '/oauth/v1/refresh-tokens/:token',
    { name: 'oauth.refreshTokenInfo', kind: 'token' },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      const info = state.tokens.refreshTokenInfo(token);
      if (!info) return sendError(request, reply, 404, 'OBJECT_NOT_FOUND', 'refresh token not found');
      return reply.send(v1RefreshTokenInfo(state, token, info.scopes));
    },
  );

  addRoute(
    app,
    'DELETE',
    '/oauth/v1/refresh-tokens/:token',
    { name: 'oauth.deleteRefreshToken', kind: 'token', write: true },
    async (request, reply) => {
      const { token } = request.params as { token: string };
      if (!state.tokens.revokeRefreshToken(token)) {
        return sendError(request, reply, 404, 'OBJECT_NOT_FOUND', 'refresh token not found');
      }
      return reply.code(204).send();
    },
  );
}
