// Validates rendered Kubernetes YAML (kubectl kustomize output) against the OpenAPI schemas bundled in
// kubernetes-models (core and apps/v1, autoscaling/v2, policy/v1, networking/v1, ...) and
// @kubernetes-models/prometheus-operator (ServiceMonitor and the other monitoring.coreos.com kinds).
// usage: node validate-k8s.mjs FILE...   exit 1 on the first file with an invalid or unknown object.
import { readFileSync } from "node:fs";
import { parseAllDocuments } from "yaml";

const roots = ["kubernetes-models", "@kubernetes-models/prometheus-operator"];

async function modelFor(apiVersion, kind) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : [null, apiVersion];
  for (const root of roots) {
    const path = group ? `${root}/${group}/${version}` : `${root}/${version}`;
    try {
      const mod = await import(path);
      if (mod[kind]) return mod[kind];
    } catch {
      // not in this package
    }
  }
  return null;
}

let failed = 0;
let checked = 0;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      console.error(`${file}: YAML error: ${doc.errors[0].message}`);
      failed++;
      continue;
    }
    const obj = doc.toJS();
    if (!obj) continue;
    const where = `${file}: ${obj.kind} ${obj.metadata?.name ?? "?"}`;
    const Model = await modelFor(obj.apiVersion ?? "", obj.kind ?? "");
    if (!Model) {
      console.error(`${where}: no schema for ${obj.apiVersion} ${obj.kind}`);
      failed++;
      continue;
    }
    try {
      new Model(obj).validate();
      checked++;
    } catch (e) {
      console.error(`${where}: ${e.message}`);
      for (const err of e.errors ?? []) console.error(`  ${err.instancePath || "/"} ${err.message} ${JSON.stringify(err.params)}`);
      failed++;
    }
  }
}
console.log(`kubernetes schemas: ${checked} objects valid, ${failed} invalid`);
process.exit(failed ? 1 : 0);
