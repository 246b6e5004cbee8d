import type { DropNextSpec, FailNextSpec, FaultSettings } from '../types.js';

export interface RouteIdentity {
  name: string;
  method: string;
  path: string;
}

const defaultSettings = (): FaultSettings => ({ errorRate: 0, latencyMs: 0, dropAfterWriteRate: 0, routes: [] });

/** A route selector is a route name ('contacts.batchUpsert'), a name prefix ('contacts') or a path prefix ('/crm/'). */
export function routeMatches(selector: string, route: RouteIdentity): boolean {
  if (selector.startsWith('/')) return route.path.startsWith(selector);
  return route.name === selector || route.name.startsWith(`${selector}.`);
}

interface PendingFailure extends FailNextSpec {
  remaining: number;
}

interface PendingDrop extends DropNextSpec {
  remaining: number;
}

export class FaultPlan {
  private settings = defaultSettings();
  private failures: PendingFailure[] = [];
  private drops: PendingDrop[] = [];

  set(patch: Partial<FaultSettings>): void {
    this.settings = { ...this.settings, ...patch, routes: patch.routes ? [...patch.routes] : this.settings.routes };
  }

  current(): FaultSettings {
    return { ...this.settings, routes: [...this.settings.routes] };
  }

  pending(): { failNext: FailNextSpec[]; dropNext: DropNextSpec[] } {
    return {
      failNext: this.failures.map(({ remaining, ...spec }) => ({ ...spec, count: remaining })),
      dropNext: this.drops.map(({ remaining, ...spec }) => ({ ...spec, count: remaining })),
    };
  }

  failNext(spec: FailNextSpec): void {
    this.failures.push({ ...spec, remaining: spec.count ?? 1 });
  }

  dropNext(spec: DropNextSpec): void {
    this.drops.push({ ...spec, remaining: spec.count ?? 1 });
  }

  reset(): void {
    this.settings = defaultSettings();
    this.failures = [];
    this.drops = [];
  }

  /** Random faults (errors, latency, drops) cover API routes, or exactly the configured selectors. */
  randomFaultsApply(route: RouteIdentity, isApiRoute: boolean): boolean {
    if (this.settings.routes.length === 0) return isApiRoute;
    return this.settings.routes.some((selector) => routeMatches(selector, route));
  }

  latencyMs(): number {
    return this.settings.latencyMs;
  }

  rollError(): boolean {
    return this.settings.errorRate > 0 && Math.random() < this.settings.errorRate;
  }

  rollDrop(): boolean {
    return this.settings.dropAfterWriteRate > 0 && Math.random() < this.settings.dropAfterWriteRate;
  }

  /** Without a route, a queued failure targets the next API call; token endpoints and pages need an explicit route. */
  takeFailure(route: RouteIdentity, isApiRoute: boolean): FailNextSpec | undefined {
    const index = this.failures.findIndex(
      (spec) =>
        (spec.route === undefined ? isApiRoute : routeMatches(spec.route, route)) &&
        (spec.method === undefined || spec.method.toUpperCase() === route.method),
    );
    return index < 0 ? undefined : consume(this.failures, index);
  }

  takeDrop(route: RouteIdentity, isWriteRoute: boolean): DropNextSpec | undefined {
    const index = this.drops.findIndex((spec) =>
      spec.route === undefined ? isWriteRoute : routeMatches(spec.route, route),
    );
    return index < 0 ? undefined : consume(this.drops, index);
  }
}

function consume<T extends { remaining: number }>(queue: T[], index: number): T {
  const entry = queue[index] as T;
  entry.remaining -= 1;
  if (entry.remaining <= 0) queue.splice(index, 1);
  return entry;
}
