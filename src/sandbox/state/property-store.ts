import { isSubscriptionProperty } from '../contacts/property-names.js';
import { READ_ONLY_PROPERTIES, type ResolvedOptions } from '../options.js';
import { builtInDefinitions } from '../properties/defaults.js';
import type { PropertyDefinition } from '../properties/definition.js';

/**
 * The portal's contact properties: the built-in ones from the options and the custom ones created through the
 * Properties API. Writes may name the known and custom ones; reads and searches also the read-only ones.
 */
export class PropertyStore {
  private readonly builtIn: Map<string, PropertyDefinition>;
  private readonly custom = new Map<string, PropertyDefinition>();
  // Updated in place, so a route may hold on to the sets it was given.
  private readonly writableNames = new Set<string>();
  private readonly readableNames = new Set<string>();

  constructor(options: ResolvedOptions) {
    this.builtIn = new Map(builtInDefinitions(options).map((definition) => [definition.name, definition]));
    this.refresh();
  }

  /** Names a write may set (a live view). */
  writable(): ReadonlySet<string> {
    return this.writableNames;
  }

  /** Names a read or a search may ask for (a live view). */
  readable(): ReadonlySet<string> {
    return this.readableNames;
  }

  find(name: string): PropertyDefinition | undefined {
    return this.custom.get(name) ?? this.builtIn.get(name);
  }

  all(): PropertyDefinition[] {
    return [...this.builtIn.values(), ...this.custom.values()];
  }

  /** Adds a custom property; false when one of that name exists already. */
  create(definition: PropertyDefinition): boolean {
    if (this.find(definition.name)) return false;
    this.custom.set(definition.name, definition);
    this.refresh();
    return true;
  }

  customDefinitions(): PropertyDefinition[] {
    return [...this.custom.values()];
  }

  restore(definitions: PropertyDefinition[]): void {
    this.custom.clear();
    for (const definition of definitions)
      if (!this.builtIn.has(definition.name)) this.custom.set(definition.name, definition);
    this.refresh();
  }

  clear(): void {
    this.custom.clear();
    this.refresh();
  }

  private refresh(): void {
    this.readableNames.clear();
    this.writableNames.clear();
    for (const name of [...this.builtIn.keys(), ...this.custom.keys()]) {
      this.readableNames.add(name);
      if (!READ_ONLY_PROPERTIES.includes(name) && !isSubscriptionProperty(name)) this.writableNames.add(name);
    }
  }
}
