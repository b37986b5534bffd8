// Validates every rendered object against the API schemas kubernetes-models ships (Kubernetes
// v1.36.0 for kubernetes-models 5.1.0) or, for a ServiceMonitor, the Prometheus Operator's CRD
// schema (@kubernetes-models/prometheus-operator). The schemas check types, formats, enums and
// required fields; they do not refuse unknown fields.
// Usage: node validate.mjs <node dir> <kubernetes version> <rendered.yaml>...
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, readObjects } from "./manifests.mjs";

const [nodeDir, k8sVersion, ...files] = process.argv.slice(2);

// The group versions these manifests may use: stable APIs that v1.36 serves (kubernetes-models
// also holds removed ones, such as policy/v1beta1, whose objects a v1.36 cluster would refuse).
const MODULES = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

async function modelOf(apiVersion, kind) {
  const module = MODULES[apiVersion];
  if (!module) return null;
  // By file: the packages are in the build folder's cache, not where node would look.
  const exports = await import(pathToFileURL(join(resolve(nodeDir), "node_modules", module, "index.js")).href);
  return exports[kind] ?? null;
}

let failures = 0;
let checked = 0;
for (const file of files) {
  for (const item of readObjects(nodeDir, file)) {
    const { apiVersion, kind } = item.object;
    const Model = await modelOf(apiVersion, kind);
    if (!Model) {
      console.log(`${describe(item)}: ${apiVersion} ${kind} is not a stable API of Kubernetes ${k8sVersion} these manifests may use`);
      failures++;
      continue;
    }
    try {
      new Model(item.object).validate();
      checked++;
    } catch (error) {
      console.log(`${describe(item)}: ${error.message}`);
      failures++;
    }
  }
}
if (failures) {
  console.log(`${failures} object(s) fail the Kubernetes ${k8sVersion} schemas`);
  process.exit(1);
}
console.log(`${checked} objects valid against the Kubernetes ${k8sVersion} schemas`);
