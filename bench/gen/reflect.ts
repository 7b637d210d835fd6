/**
 * A minimal Reflect metadata store (getMetadata / getOwnMetadata / defineMetadata / metadata):
 * @peculiar/x509's dependency injector (tsyringe) refuses to load without one, and the project does
 * not depend on reflect-metadata. Imported before @peculiar/x509, only by the benchmark's generator.
 */
type Key = unknown;
const store = new WeakMap<object, Map<Key, unknown>>();
const R = Reflect as unknown as Record<string, unknown>;

function own(target: object, key: Key): unknown {
  return store.get(target)?.get(key);
}

function define(key: Key, value: unknown, target: object): void {
  const m = store.get(target) ?? new Map<Key, unknown>();
  m.set(key, value);
  store.set(target, m);
}

if (typeof R.getMetadata !== 'function') {
  R.defineMetadata = define;
  R.getOwnMetadata = own;
  R.getMetadata = (key: Key, target: object): unknown => {
    for (let t: object | null = target; t; t = Object.getPrototypeOf(t) as object | null) {
      const v = own(t, key);
      if (v !== undefined) return v;
    }
    return undefined;
  };
  R.metadata = (key: Key, value: unknown) => (target: object): void => define(key, value, target);
}
