/**
 * Walking and rewriting parsed JSON records by path, for the robustness tests that change one
 * field at a time (types, timestamps, hostile strings).
 */
export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
export type JsonPath = readonly (string | number)[];

export interface Node {
  path: JsonPath;
  value: Json;
}

export function isObject(v: unknown): v is { [k: string]: Json } {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Every node under `root` (not root itself), parents before children. */
export function nodes(root: Json, max = 10_000): Node[] {
  const out: Node[] = [];
  const visit = (v: Json, path: JsonPath): void => {
    if (out.length >= max) return;
    if (Array.isArray(v)) v.forEach((x, i) => { out.push({ path: [...path, i], value: x }); visit(x, [...path, i]); });
    else if (isObject(v)) for (const [k, x] of Object.entries(v)) { out.push({ path: [...path, k], value: x }); visit(x, [...path, k]); }
  };
  visit(root, []);
  return out;
}

/** Scalar nodes only. */
export function leaves(root: Json): Node[] {
  return nodes(root).filter((n) => n.value === null || typeof n.value !== 'object');
}

export function clone<T extends Json>(v: T): T {
  return structuredClone(v);
}

/** A copy of `root` with the node at `path` replaced (or deleted when `value` is undefined). */
export function setAt(root: Json, path: JsonPath, value: Json | undefined): Json {
  const copy = clone(root);
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string, Json>)[key as string];
  const last = path[path.length - 1];
  if (Array.isArray(parent)) {
    if (value === undefined) parent.splice(last as number, 1);
    else parent[last as number] = value;
  } else if (isObject(parent)) {
    if (value === undefined) delete parent[last as string];
    else parent[last as string] = value;
  }
  return copy;
}

export function getAt(root: Json, path: JsonPath): Json | undefined {
  let v: Json | undefined = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, Json>)[key as string];
  }
  return v;
}

export function pathText(path: JsonPath): string {
  return path.map((k) => (typeof k === 'number' ? `[${k}]` : `.${k}`)).join('') || '.';
}
