/** The shapes the tests read from sandbox answers (a subset of HubSpot's OpenAPI schemas). */

export interface ErrorDetail {
  message: string;
  code?: string;
  context?: Record<string, string[]>;
}

export interface HubSpotError {
  status: string;
  message: string;
  correlationId: string;
  category: string;
  context?: Record<string, string[]>;
  errors?: ErrorDetail[];
  links?: Record<string, string>;
  errorType?: string;
  policyName?: string;
  groupName?: string;
}

export interface OAuthError extends HubSpotError {
  error: string;
  error_description: string;
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  token_use: string;
  hub_id: number;
  user_id: number;
  scopes: string[];
}

export interface Introspection {
  active: boolean;
  token_use?: string;
  hub_id?: number;
  client_id?: string;
  expires_in?: number;
  scopes?: string[];
  signed_access_token?: { hubId: number };
}

export interface Contact {
  id: string;
  properties: Record<string, string | null>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
  new?: boolean;
}

export interface StandardError {
  status: string;
  category: string;
  message: string;
  context: Record<string, string[]>;
  errors: ErrorDetail[];
  links: Record<string, string>;
}

/** A batch answer; `message` and `category` are set when the whole batch was refused. */
export interface Batch {
  status: string;
  message?: string;
  category?: string;
  correlationId?: string;
  results: Contact[];
  numErrors?: number;
  errors?: StandardError[];
}

/** A list or search page; the error fields are set when the request was refused. */
export interface Page extends Partial<Omit<HubSpotError, 'status'>> {
  results: Contact[];
  total?: number;
  paging?: { next: { after: string } };
}

export interface V3Status {
  id: string;
  name: string;
  status: string;
  sourceOfStatus: string;
}

export interface V3Statuses {
  recipient: string;
  subscriptionStatuses: V3Status[];
}

export interface PublicStatus {
  subscriptionId: number;
  status: string;
  legalBasis?: string;
  setStatusSuccessReason?: string;
}

export interface WideStatus {
  status: string;
  wideStatusType: string;
}

export interface ActionResponse<T> {
  status: string;
  results: T[];
}

export interface SubscriptionView {
  unsubscribedFromAll: boolean;
  statuses: Record<string, string>;
}
