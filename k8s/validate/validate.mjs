// Validates Kubernetes objects against the Kubernetes OpenAPI schemas, offline, with the kubernetes-models package
// (schemas compiled to validators; no cluster, no download at run time).
//
//   kubectl kustomize k8s/overlays/prod | node k8s/validate/validate.mjs          # human-readable, exit 1 on errors
//   node k8s/validate/validate.mjs --json rendered.yaml                            # one JSON report (used by the tests)
//
// Two checks per object:
//   1. the schema: types, enums, formats, required fields (e.g. replicas: "three" is refused);
//   2. no unknown field (e.g. a misspelt "readinesProbe"). The Kubernetes schemas do not forbid extra properties,
//      and the API server only rejects them with strict field validation, so the validator is watched: every
//      property it looks up while checking an object is known to the schema; a property it never looked at, in an
//      object that is not a free-form map (labels, annotations, data, ...), is unknown.
// An apiVersion/kind without a model is an error too, never a silent pass.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const args = process.argv.slice(2);
const json = args.includes("--json");
const files = args.filter((a) => a !== "--json");
const texts = files.length ? files.map((f) => readFileSync(f, "utf8")) : [readFileSync(0, "utf8")];

const objects = [];
for (const text of texts) {
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    const value = doc.toJS();
    if (value !== null && value !== undefined) objects.push(value);
  }
}

/** "apps/v1" + "Deployment" -> the model class, e.g. kubernetes-models/apps/v1/Deployment. */
async function modelFor(apiVersion, kind) {
  if (!/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion ?? "") || !/^[A-Za-z0-9]+$/.test(kind ?? "")) return null;
  try {
    const module = await import(`kubernetes-models/${apiVersion}/${kind}`);
    return module[kind] ?? null;
  } catch {
    return null;
  }
}

/** Runs the model's validator on a proxy that records which properties it reads and which objects it enumerates. */
function unknownFields(model, object) {
  const read = new WeakMap();
  const enumerated = new WeakSet();
  const note = (target, key) => {
    if (typeof key !== "string") return;
    if (!read.has(target)) read.set(target, new Set());
    read.get(target).add(key);
  };
  const watch = (value) =>
    value === null || typeof value !== "object"
      ? value
      : new Proxy(value, {
          get(target, key, receiver) {
            note(target, key);
            return watch(Reflect.get(target, key, receiver));
          },
          has(target, key) {
            note(target, key);
            return Reflect.has(target, key);
          },
          ownKeys(target) {
            enumerated.add(target);
            return Reflect.ownKeys(target);
          },
        });
  model.prototype.validate.call(watch(object));
  const unknown = [];
  const walk = (value, path) => {
    if (value === null || typeof value !== "object") return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${path}[${i}]`));
      return;
    }
    const seen = read.get(value) ?? new Set();
    for (const key of Object.keys(value)) {
      if (!enumerated.has(value) && !seen.has(key)) unknown.push(`${path}/${key}`); // its content is unknown too
      else walk(value[key], `${path}/${key}`);
    }
  };
  walk(object, "");
  return unknown;
}

const results = [];
for (const object of objects) {
  const id = `${object?.apiVersion}/${object?.kind}/${object?.metadata?.name}`;
  const model = await modelFor(object?.apiVersion, object?.kind);
  if (!model) {
    results.push({ object: id, ok: false, errors: [`no Kubernetes schema for apiVersion ${object?.apiVersion} kind ${object?.kind}`] });
    continue;
  }
  const errors = [];
  try {
    new model(object).validate();
  } catch (e) {
    errors.push(e.message);
  }
  if (errors.length === 0) {
    for (const field of unknownFields(model, structuredClone(object))) errors.push(`unknown field ${field}`);
  }
  results.push({ object: id, ok: errors.length === 0, errors });
}

if (json) {
  process.stdout.write(JSON.stringify({ validated: results.length, results }) + "\n");
} else {
  for (const r of results) console.log(r.ok ? `ok      ${r.object}` : `INVALID ${r.object}: ${r.errors.join("; ")}`);
  console.log(`${results.filter((r) => r.ok).length} of ${results.length} objects valid`);
}
process.exit(results.length > 0 && results.every((r) => r.ok) ? 0 : 1);
