// Reading rendered manifests (kubectl kustomize output), shared by validate.mjs and policy.mjs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { basename, join, resolve } from "node:path";

// The npm packages live in the build folder's cache (node_deps.sh), not beside this file.
export function requireFrom(nodeDir) {
  return createRequire(join(resolve(nodeDir), "package.json"));
}

// The objects of one rendered file, each as {overlay, object}; the overlay is the file's name.
export function readObjects(nodeDir, file) {
  const YAML = requireFrom(nodeDir)("yaml");
  const overlay = basename(file, ".yaml");
  const objects = [];
  for (const doc of YAML.parseAllDocuments(readFileSync(file, "utf8"))) {
    if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
    const object = doc.toJS();
    if (object) objects.push({ overlay, object });
  }
  return objects;
}

export function describe({ overlay, object }) {
  return `${overlay}: ${object.kind}/${object.metadata?.name}`;
}
