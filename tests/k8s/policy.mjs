// Rules every rendered overlay keeps, beyond what the API schemas say. Failures name the
// object and the rule. Usage: node policy.mjs <node dir> <rendered overlay.yaml>...
//
// Every overlay:
// - every long-running container has readiness and liveness probes; every container a memory
//   limit, an image with an explicit tag other than `latest`, and the security context
//   (runAsNonRoot, a non-root user: 65532 in our images, readOnlyRootFilesystem with a
//   writable /tmp, no privilege escalation, capabilities drop ALL, seccomp RuntimeDefault);
//   no pod mounts a service-account token;
// - no development auth anywhere (auth_mode development, dev JWT secrets);
// - each Deployment's grace period covers AFTERSALES_SHUTDOWN_GRACE plus the drain timeout
//   its --drain_timeout reads from the ConfigMap, plus 5 s;
// - a migration Job per service, with the service's image;
// - network policies: who calls whom is read from the Deployments (the gateway's --backends,
//   the services' *_TARGET settings); every Service's gRPC port admits exactly its callers,
//   its metrics port (9090 on every Service of ours) exactly the `monitoring` namespace, the
//   gateway's public ports anyone;
//   every pod of the app reaches exactly the services it calls; all else is denied.
// prod: no Secret objects and no development values; every Deployment has an autoscaler
//   (CPU, min 2, max 15) and a disruption budget, and no replica count of its own; a
//   ServiceMonitor per Service; Ingresses for HTTPS and gRPC with TLS.
import { describe, readObjects } from "./manifests.mjs";
import { readFileSync } from "node:fs";

const [nodeDir, ...files] = process.argv.slice(2);
const failures = [];
const fail = (item, rule) => failures.push(`${describe(item)}: ${rule}`);

// Label selectors (matchLabels and matchExpressions), as the API server reads them.
function selects(selector, labels = {}) {
  if (!selector) return false;
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (labels[key] !== value) return false;
  }
  for (const { key, operator, values = [] } of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, key);
    if (operator === "In" && !(has && values.includes(labels[key]))) return false;
    if (operator === "NotIn" && has && values.includes(labels[key])) return false;
    if (operator === "Exists" && !has) return false;
    if (operator === "DoesNotExist" && has) return false;
  }
  return true;
}

const POD_KINDS = ["Deployment", "StatefulSet", "Job"];
const podSpecOf = (o) => o.spec.template.spec;
const podLabelsOf = (o) => o.spec.template.metadata?.labels ?? {};

function durationSeconds(text) {
  const match = /^(\d+)(s|m)$/.exec(text ?? "");
  if (!match) return NaN;
  return Number(match[1]) * (match[2] === "m" ? 60 : 1);
}

function checkContainers(item, ours) {
  const { object } = item;
  const pod = podSpecOf(object);
  const podSecurity = pod.securityContext ?? {};
  if (pod.automountServiceAccountToken !== false) fail(item, "the pod mounts a service-account token");
  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  for (const container of [...(pod.initContainers ?? []), ...pod.containers]) {
    const where = { ...item, object: { ...object, metadata: { name: `${object.metadata.name}/${container.name}` } } };
    const image = container.image ?? "";
    const tag = /^[^@]*?(?::([^:/@]+))?(@sha256:[0-9a-f]{64})?$/.exec(image);
    if (!tag || (!tag[1] && !tag[2]) || tag[1] === "latest") fail(where, `image "${image}" has no explicit version tag`);
    if (!container.resources?.limits?.memory) fail(where, "no memory limit");
    if (object.kind !== "Job") {
      if (!container.readinessProbe) fail(where, "no readiness probe");
      if (!container.livenessProbe) fail(where, "no liveness probe");
    }
    const security = { ...podSecurity, ...(container.securityContext ?? {}) };
    if (security.runAsNonRoot !== true) fail(where, "runAsNonRoot is not true");
    if (!(security.runAsUser > 0) || !(security.runAsGroup > 0)) fail(where, "no non-root runAsUser/runAsGroup");
    if (ours && (security.runAsUser !== 65532 || security.runAsGroup !== 65532)) fail(where, "not user and group 65532");
    if (container.securityContext?.readOnlyRootFilesystem !== true) fail(where, "root file system not read-only");
    if (container.securityContext?.allowPrivilegeEscalation !== false) fail(where, "privilege escalation not refused");
    if (!container.securityContext?.capabilities?.drop?.includes("ALL")) fail(where, "capabilities do not drop ALL");
    if (security.seccompProfile?.type !== "RuntimeDefault") fail(where, "seccomp profile is not RuntimeDefault");
    const tmp = (container.volumeMounts ?? []).find((m) => m.mountPath === "/tmp");
    if (!tmp || !volumes.get(tmp.name)?.emptyDir) fail(where, "no emptyDir at /tmp beside the read-only root");
  }
}

function checkNoDevelopmentAuth(overlay, text, objects) {
  const item = { overlay, object: { kind: "overlay", metadata: { name: overlay } } };
  if (/auth_mode["']?\s*[=:]\s*["']?development/i.test(text)) fail(item, "development auth mode");
  if (/dev_jwt_secret/i.test(text)) fail(item, "a development JWT secret");
  if (/dev_(role|stores)/i.test(text)) fail(item, "development principal settings");
  for (const { object } of objects) {
    if (object.kind === "ConfigMap" && object.data?.AFTERSALES_AUTH_MODE !== undefined &&
        object.data.AFTERSALES_AUTH_MODE !== "jwt") {
      fail({ overlay, object }, `AFTERSALES_AUTH_MODE is ${object.data.AFTERSALES_AUTH_MODE}, not jwt`);
    }
  }
}

// The ConfigMap keys a container's arguments read through $(KEY).
function argReferences(container) {
  return [...(container.args ?? []).join(" ").matchAll(/\$\(([A-Z0-9_]+)\)/g)].map((m) => m[1]);
}

function checkDrain(item, config) {
  const pod = podSpecOf(item.object);
  const container = pod.containers[0];
  for (const key of argReferences(container)) {
    const fromEnv = (container.env ?? []).some((e) => e.name === key);
    if (!fromEnv && config[key] === undefined) fail(item, `arguments read $(${key}), which no ConfigMap or env sets`);
  }
  const drainArg = (container.args ?? []).find((a) => a.startsWith("--drain_timeout="));
  const key = /^--drain_timeout=\$\(([A-Z0-9_]+)\)$/.exec(drainArg ?? "")?.[1];
  if (!key || config[key] === undefined) return fail(item, "--drain_timeout is not passed from the ConfigMap");
  const needed = durationSeconds(config.AFTERSALES_SHUTDOWN_GRACE) + durationSeconds(config[key]) + 5;
  if (!(pod.terminationGracePeriodSeconds >= needed)) {
    fail(item, `terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} < grace + ${key} + 5 s = ${needed}`);
  }
}

// Which app calls which, from the Deployments' own settings: host:port names of Services.
function callGraph(deployments, serviceNames) {
  const calls = new Map();
  for (const { object } of deployments) {
    const container = podSpecOf(object).containers[0];
    const text = [...(container.args ?? []), ...(container.env ?? []).map((e) => e.value ?? "")].join(" ");
    const callees = new Set();
    for (const [, host] of text.matchAll(/(?:^|[=,\s"])([a-z][a-z0-9-]*):\d+/g)) {
      if (serviceNames.has(host)) callees.add(host);
    }
    calls.set(podLabelsOf(object).app, callees);
  }
  return calls;
}

// Does a NetworkPolicy port list cover this container port (by number or name)?
function coversPort(ports, port) {
  if (!ports || ports.length === 0) return true;
  return ports.some((p) => (p.protocol ?? "TCP") === "TCP" &&
    (p.port === undefined || p.port === port.containerPort || p.port === port.name ||
     (p.endPort !== undefined && p.port <= port.containerPort && port.containerPort <= p.endPort)));
}

// Who a list of peers lets in (or out): app names of pods in this namespace, or wider sources
// named as strings ("anyone", "namespace:<selector>", "ipBlock:<cidr>").
function peersOf(peers, pods) {
  if (!peers || peers.length === 0) return new Set(["anyone"]);
  const out = new Set();
  for (const peer of peers) {
    if (peer.ipBlock) out.add(`ipBlock:${peer.ipBlock.cidr}`);
    else if (peer.namespaceSelector) out.add(`namespace:${JSON.stringify(peer.namespaceSelector)}`);
    else if (peer.podSelector) {
      for (const pod of pods) if (selects(peer.podSelector, pod.labels)) out.add(pod.app);
    }
  }
  return out;
}

// What the policies selecting a pod admit through one port, in one direction; null when no
// policy of that direction selects the pod (then all is allowed: a failure for this app).
function admitted(policies, pod, port, direction, pods) {
  const type = direction === "ingress" ? "Ingress" : "Egress";
  const selecting = policies.filter((p) => selects(p.spec.podSelector, pod.labels) &&
    (p.spec.policyTypes ?? ["Ingress"]).includes(type));
  if (selecting.length === 0) return null;
  const out = new Set();
  for (const policy of selecting) {
    for (const rule of policy.spec[direction] ?? []) {
      if (!coversPort(rule.ports, port)) continue;
      for (const peer of peersOf(direction === "ingress" ? rule.from : rule.to, pods)) out.add(peer);
    }
  }
  return out;
}

const same = (a, b) => a.size === b.size && [...a].every((x) => b.has(x));
const show = (set) => `{${[...set].sort().join(", ")}}`;

function checkNetwork(overlay, objects, deployments, services) {
  const policies = objects.filter((o) => o.object.kind === "NetworkPolicy").map((o) => o.object);
  const item = { overlay, object: { kind: "overlay", metadata: { name: overlay } } };
  if (policies.length === 0) return fail(item, "no NetworkPolicy");
  const pods = objects.filter((o) => POD_KINDS.includes(o.object.kind))
    .map((o) => ({ app: podLabelsOf(o.object).app, labels: podLabelsOf(o.object), object: o.object }));
  const serviceNames = new Set(services.map((s) => s.object.metadata.name));
  const calls = callGraph(deployments, serviceNames);
  const callers = (name) => new Set([...calls].filter(([, callees]) => callees.has(name)).map(([app]) => app));
  // A sanity check on the reading itself: the design's graph is not empty.
  if ((calls.get("gateway")?.size ?? 0) < 5 || !callers("tickets").has("returns")) {
    fail(item, `the call graph read from the Deployments looks wrong: ${JSON.stringify([...calls].map(([a, b]) => [a, [...b]]))}`);
  }
  const monitoring = `namespace:${JSON.stringify({ matchLabels: { "kubernetes.io/metadata.name": "monitoring" } })}`;
  const metricsPort = { containerPort: 9090, name: "metrics" };

  for (const { object: service } of services) {
    const ports = new Map(service.spec.ports.map((p) => [p.name, p.port]));
    if (service.metadata.name !== "mariadb" && ports.get("metrics") !== 9090) {
      fail({ overlay, object: service }, "no metrics port 9090");
    }
    const backing = pods.filter((p) => selects({ matchLabels: service.spec.selector }, p.labels) && p.object.kind !== "Job");
    const where = { overlay, object: service };
    if (backing.length === 0) { fail(where, "selects no pod"); continue; }
    for (const pod of backing) {
      const containerPorts = podSpecOf(pod.object).containers.flatMap((c) => c.ports ?? []);
      for (const servicePort of service.spec.ports) {
        const port = containerPorts.find((p) => p.name === servicePort.targetPort || p.containerPort === servicePort.targetPort);
        if (!port) { fail(where, `port ${servicePort.name} targets no container port`); continue; }
        const allowed = admitted(policies, pod, port, "ingress", pods);
        if (allowed === null) { fail(where, "no NetworkPolicy selects its pods"); break; }
        let expected;
        if (port.containerPort === 9090) expected = new Set([monitoring]);
        else if (pod.app === "gateway") expected = new Set(["anyone"]);
        else if (pod.app === "mariadb") expected = new Set(pods.filter((p) => p.labels["aftersales/database"] === "client").map((p) => p.app));
        else expected = callers(pod.app);
        if (!same(allowed, expected)) {
          fail(where, `port ${servicePort.name} admits ${show(allowed)}, its callers are ${show(expected)}`);
        }
      }
    }
  }

  // Nothing else gets in: a pod's ports not behind a Service admit no one.
  const grpcPort = { containerPort: 50051, name: "grpc" };
  for (const pod of pods) {
    const where = { overlay, object: pod.object };
    if (pod.labels["app.kubernetes.io/part-of"] !== "aftersales") { fail(where, "pod outside the app's default deny"); continue; }
    const anyPort = { containerPort: 12345, name: "unlisted" };
    const inOther = admitted(policies, pod, anyPort, "ingress", pods);
    if (inOther === null || inOther.size) fail(where, `an unlisted port admits ${inOther ? show(inOther) : "anyone"}`);
    // Out: exactly the services it calls on their gRPC port, DNS, and the database for its clients.
    const out = admitted(policies, pod, grpcPort, "egress", pods);
    if (out === null) { fail(where, "no egress policy"); continue; }
    const expected = new Set(pod.object.kind === "Job" ? [] : calls.get(pod.app) ?? []);
    if (!same(out, expected)) fail(where, `egress on 50051 reaches ${show(out)}, it calls ${show(expected)}`);
    const dns = admitted(policies, pod, { containerPort: 53, name: "dns" }, "egress", pods);
    const kubeSystem = `namespace:${JSON.stringify({ matchLabels: { "kubernetes.io/metadata.name": "kube-system" } })}`;
    if (pod.app !== "mariadb" && !same(dns, new Set([kubeSystem]))) fail(where, `DNS egress reaches ${show(dns)}, not kube-system only`);
    const db = admitted(policies, pod, { containerPort: 3306, name: "mysql" }, "egress", pods);
    const client = pod.labels["aftersales/database"] === "client";
    if (client !== (db.size > 0)) fail(where, `database egress ${show(db)} for a pod that is${client ? "" : " not"} a database client`);
    if (overlay === "prod" && client && !same(db, new Set(["ipBlock:0.0.0.0/0"]))) fail(where, `database egress ${show(db)}`);
  }
}

function checkProd(overlay, text, objects, deployments, services) {
  const item = { overlay, object: { kind: "overlay", metadata: { name: overlay } } };
  for (const o of objects) if (o.object.kind === "Secret") fail(o, "a Secret in the repository: production's are made by the operator");
  if (/dev-only/i.test(text)) fail(item, "a development-only value");
  const hpas = objects.filter((o) => o.object.kind === "HorizontalPodAutoscaler").map((o) => o.object);
  const pdbs = objects.filter((o) => o.object.kind === "PodDisruptionBudget").map((o) => o.object);
  const monitors = objects.filter((o) => o.object.kind === "ServiceMonitor").map((o) => o.object);
  for (const d of deployments) {
    const hpa = hpas.find((h) => h.spec.scaleTargetRef.kind === "Deployment" && h.spec.scaleTargetRef.name === d.object.metadata.name);
    if (!hpa) fail(d, "no HorizontalPodAutoscaler");
    else {
      const cpu = hpa.spec.metrics?.find((m) => m.resource?.name === "cpu")?.resource.target.averageUtilization;
      if (hpa.spec.minReplicas !== 2 || hpa.spec.maxReplicas !== 15 || cpu !== 70) fail(d, "autoscaler is not CPU 70 %, 2 to 15");
    }
    if (d.object.spec.replicas !== undefined) fail(d, "sets replicas, which the autoscaler owns");
    const pdb = pdbs.find((p) => selects(p.spec.selector, podLabelsOf(d.object)));
    if (!pdb) fail(d, "no PodDisruptionBudget");
    else if (pdb.spec.minAvailable !== 1) fail(d, "disruption budget is not minAvailable 1");
    const annotations = d.object.spec.template.metadata?.annotations ?? {};
    if (annotations["prometheus.io/scrape"] !== "true" || annotations["prometheus.io/port"] !== "9090") fail(d, "no scrape annotations");
  }
  for (const s of services) {
    const monitor = monitors.find((m) => selects(m.spec.selector, s.object.metadata.labels));
    if (!monitor || !monitor.spec.endpoints.some((e) => e.port === "metrics")) fail(s, "no ServiceMonitor on its metrics port");
  }
  const ingresses = objects.filter((o) => o.object.kind === "Ingress");
  const grpc = ingresses.filter((o) => o.object.metadata.annotations?.["nginx.ingress.kubernetes.io/backend-protocol"] === "GRPC");
  if (ingresses.length !== 2 || grpc.length !== 1) fail(item, "not one HTTPS and one gRPC Ingress");
  for (const ingress of ingresses) {
    if (!ingress.object.spec.tls?.length) fail(ingress, "no TLS");
    for (const rule of ingress.object.spec.rules) for (const path of rule.http.paths) {
      const isGrpc = grpc.includes(ingress);
      const port = path.backend.service.port.name ?? path.backend.service.port.number;
      const service = services.find((s) => s.object.metadata.name === path.backend.service.name);
      const servicePort = service?.object.spec.ports.find((p) => p.name === port || p.port === port);
      if (path.backend.service.name !== "gateway" || servicePort?.targetPort !== (isGrpc ? "grpc" : "http")) {
        fail(ingress, `routes to ${path.backend.service.name}:${port}, not the gateway's ${isGrpc ? "gRPC" : "HTTP"} port`);
      }
    }
  }
}

for (const file of files) {
  const objects = readObjects(nodeDir, file);
  const overlay = objects[0]?.overlay ?? file;
  const text = readFileSync(file, "utf8");
  const deployments = objects.filter((o) => o.object.kind === "Deployment");
  const services = objects.filter((o) => o.object.kind === "Service");
  const jobs = objects.filter((o) => o.object.kind === "Job");
  const config = Object.assign({}, ...objects.filter((o) => o.object.kind === "ConfigMap").map((o) => o.object.data ?? {}));
  for (const o of objects.filter((x) => POD_KINDS.includes(x.object.kind))) {
    const ours = podSpecOf(o.object).containers.every((c) => c.image?.startsWith("aftersales/"));
    checkContainers(o, ours);
  }
  checkNoDevelopmentAuth(overlay, text, objects);
  for (const d of deployments) {
    checkDrain(d, config);
    const app = d.object.metadata.name;
    if (app === "gateway") continue;
    const job = jobs.find((j) => j.object.metadata.name === `${app}-migrate`);
    const image = podSpecOf(d.object).containers[0].image;
    if (!job) fail(d, `no migration Job ${app}-migrate`);
    else if (podSpecOf(job.object).containers[0].image !== image || !podSpecOf(job.object).containers[0].args.includes("--migrate_only")) {
      fail(job, `does not run ${image} --migrate_only`);
    }
  }
  checkNetwork(overlay, objects, deployments, services);
  if (overlay === "prod") checkProd(overlay, text, objects, deployments, services);
}

if (failures.length) {
  for (const f of failures) console.log(f);
  console.log(`${failures.length} policy failure(s)`);
  process.exit(1);
}
console.log(`policy holds for ${files.length} overlay(s)`);
