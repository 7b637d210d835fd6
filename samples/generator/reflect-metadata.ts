/**
 * The part of the Reflect metadata API that @peculiar/x509's dependency injection (tsyringe)
 * calls at load time: `getMetadata`, `getOwnMetadata`, `defineMetadata`. @peculiar/x509 v2 asks
 * its users to install a polyfill (reflect-metadata, core-js, …); these few lines avoid adding a
 * dependency for a generator that only runs in development. Import this module before
 * @peculiar/x509. A real polyfill already installed is left alone.
 */
type Key = string | symbol;
const store = new WeakMap<object, Map<Key | undefined, Map<unknown, unknown>>>();

function table(target: object, property: Key | undefined, create: boolean): Map<unknown, unknown> | undefined {
  let byProperty = store.get(target);
  if (!byProperty) {
    if (!create) return undefined;
    byProperty = new Map();
    store.set(target, byProperty);
  }
  let entries = byProperty.get(property);
  if (!entries && create) {
    entries = new Map();
    byProperty.set(property, entries);
  }
  return entries;
}

const api = {
  defineMetadata(key: unknown, value: unknown, target: object, property?: Key): void {
    table(target, property, true)!.set(key, value);
  },
  getOwnMetadata(key: unknown, target: object, property?: Key): unknown {
    return table(target, property, false)?.get(key);
  },
  hasOwnMetadata(key: unknown, target: object, property?: Key): boolean {
    return table(target, property, false)?.has(key) ?? false;
  },
  getMetadata(key: unknown, target: object, property?: Key): unknown {
    // Metadata is inherited along the prototype chain.
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const entries = table(t, property, false);
      if (entries?.has(key)) return entries.get(key);
    }
    return undefined;
  },
  hasMetadata(key: unknown, target: object, property?: Key): boolean {
    return api.getMetadata(key, target, property) !== undefined;
  },
};

const reflect = Reflect as unknown as Record<string, unknown>;
if (typeof reflect.getMetadata !== 'function') {
  for (const [name, fn] of Object.entries(api)) reflect[name] = fn;
}

export {};
