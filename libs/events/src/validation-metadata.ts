import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type Lookup = Storage['getTargetValidationMetadatas'];

/**
 * class-validator looks a class's rules up anew on every validation, walking every class it
 * knows (hundreds here: every event version and request body) to find the ones it inherits
 * from. Rules are only added while classes are defined, so the answer for a class and a set of
 * options is kept until a rule is added. Once per process; every later validation (request
 * bodies, events checked on write and on read) shares it.
 */
export function keepValidationMetadataLookups(storage: Storage = getMetadataStorage()): void {
  const marked = storage as Storage & { lookupsKept?: boolean };
  if (marked.lookupsKept) return;
  marked.lookupsKept = true;
  const lookup: Lookup = storage.getTargetValidationMetadatas.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let kept = new WeakMap<object, Map<string, ReturnType<Lookup>>>();
  storage.addValidationMetadata = (metadata) => {
    kept = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    if (typeof target !== 'function') return lookup(target, schema, always, strictGroups, groups);
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${(groups ?? []).join('\u0001')}`;
    let forTarget = kept.get(target);
    if (!forTarget) kept.set(target, (forTarget = new Map()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    // A copy: the caller may change the list it gets.
    return found.slice();
  };
}
