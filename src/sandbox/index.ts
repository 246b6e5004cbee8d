export { startSandbox } from './sandbox.js';
export type {
  ContactRecord,
  DropNextSpec,
  Exchange,
  FailNextSpec,
  FaultSettings,
  RateLimitSettings,
  Sandbox,
  SandboxCounters,
  SandboxFaults,
  SandboxOptions,
  SubscriptionState,
  SubscriptionStatusView,
} from './types.js';
