#!/usr/bin/env python3
"""Check the example bundles under examples/ (or the directories given) for consistency.

Verifies: every JSON file parses; List files have the right kind/apiVersion and typed items
(no per-item kind/apiVersion) with name/uid/resourceVersion/creationTimestamp; uids are unique;
ownerReferences point at existing objects of the right kind/name/namespace; events'
involvedObject resolves (uid, kind, name, namespace; kubelet Node events use the node name as
uid); pod/ReplicaSet/Deployment labels and selectors agree; containerStatuses match spec
containers; PVC <-> PV binding; EndpointSlice/Endpoints targetRefs; Secret values are empty;
timestamps are RFC3339 UTC and not after the capture time; logs.txt/previous-logs.txt headers
name existing pods/containers and blocks are balanced; each scenario has a new-style
scheduler event; expected.json has the right shape and its workload exists; ci/runs.json (when
present) has k8sops' run model: GitHub-shaped ids, SHAs, URLs, statuses, ordered times before the
capture, steps numbered in order with the failing one matching the job's failure.

usage: scripts/examples/check.py [--unlabelled] [DIR ...]     (exit 1 on any problem)
       --unlabelled: do not require expected.json (e.g. for scripts/gen-synthetic.py output)
"""
import json
import os
import re
import sys
from datetime import datetime, timezone

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
CATEGORIES = {"oom-killed", "crash-loop", "image-pull", "config-missing", "unschedulable", "probe-failure", "volume",
              "node-problem", "network-dns", "permission", "rollout-stuck", "job-failed", "quota-limits", "ci-failure", "unknown"}
LISTS = {
    "nodes.json": ("NodeList", "v1", "Node"), "namespaces.json": ("NamespaceList", "v1", "Namespace"),
    "persistentvolumes.json": ("PersistentVolumeList", "v1", "PersistentVolume"),
    "storageclasses.json": ("StorageClassList", "storage.k8s.io/v1", "StorageClass"),
    "events.json": ("EventList", "v1", "Event"),
    "replication-controllers.json": ("ReplicationControllerList", "v1", "ReplicationController"),
    "services.json": ("ServiceList", "v1", "Service"), "daemonsets.json": ("DaemonSetList", "apps/v1", "DaemonSet"),
    "deployments.json": ("DeploymentList", "apps/v1", "Deployment"), "replicasets.json": ("ReplicaSetList", "apps/v1", "ReplicaSet"),
    "pods.json": ("PodList", "v1", "Pod"), "statefulsets.json": ("StatefulSetList", "apps/v1", "StatefulSet"),
    "controllerrevisions.json": ("ControllerRevisionList", "apps/v1", "ControllerRevision"),
    "jobs.json": ("JobList", "batch/v1", "Job"), "cronjobs.json": ("CronJobList", "batch/v1", "CronJob"),
    "endpoints.json": ("EndpointsList", "v1", "Endpoints"),
    "endpointslices.json": ("EndpointSliceList", "discovery.k8s.io/v1", "EndpointSlice"),
    "persistentvolumeclaims.json": ("PersistentVolumeClaimList", "v1", "PersistentVolumeClaim"),
    "configmaps.json": ("ConfigMapList", "v1", "ConfigMap"), "secrets.json": ("SecretList", "v1", "Secret"),
    "resourcequotas.json": ("ResourceQuotaList", "v1", "ResourceQuota"), "limitranges.json": ("LimitRangeList", "v1", "LimitRange"),
    "horizontalpodautoscalers.json": ("HorizontalPodAutoscalerList", "autoscaling/v2", "HorizontalPodAutoscaler"),
}
# The kinds `kubectl cluster-info dump` writes; a dump (no namespaces.json) may reference others
# (a pod's Job or StatefulSet, an event's PersistentVolumeClaim) that it does not carry.
DUMPED_KINDS = {"Node", "Event", "ReplicationController", "Service", "DaemonSet", "Deployment", "ReplicaSet", "Pod"}
REQUIRED_NS = ["events.json", "replication-controllers.json", "services.json", "daemonsets.json", "deployments.json",
               "replicasets.json", "pods.json"]
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$")
TS_KEYS = {"creationTimestamp", "deletionTimestamp", "lastTransitionTime", "lastHeartbeatTime", "lastProbeTime", "lastUpdateTime",
           "startedAt", "finishedAt", "startTime", "firstTimestamp", "lastTimestamp", "eventTime", "lastObservedTime",
           "lastScheduleTime", "lastSuccessfulTime", "completionTime", "lastScaleTime", "timeAdded", "lastPhaseTransitionTime"}
HDR = re.compile(r"^==== (START|END) logs for container (\S+) of pod (\S+)/(\S+) ====$")
CI_RUNS = os.path.join("ci", "runs.json")
SHA = re.compile(r"^[0-9a-f]{40}$")
STATUSES = {"queued", "in_progress", "completed", "waiting", "requested", "pending"}
CONCLUSIONS = {"success", "failure", "cancelled", "timed_out", "skipped", "neutral", "action_required", "stale",
               "startup_failure"}
FAILURE_KINDS = {"test", "build", "lint", "deploy", "infrastructure", "secret-permission", "unknown"}


class Checker:
    def __init__(self, d):
        self.d = d
        self.errors = []
        self.objs = {}  # uid -> (kind, ns, obj)
        self.by = {}  # (kind, ns, name) -> obj
        self.files = {}
        self.dump = False

    def err(self, msg):
        self.errors.append("%s: %s" % (os.path.basename(self.d), msg))

    def absent_in_dump(self, kind):
        """Whether a reference to `kind` may dangle: the bundle is a dump that never carries it."""
        return self.dump and kind not in DUMPED_KINDS

    def load(self):
        for dirpath, _, names in os.walk(self.d):
            for n in names:
                if not n.endswith(".json"):
                    continue
                p = os.path.join(dirpath, n)
                rel = os.path.relpath(p, self.d)
                try:
                    with open(p) as f:
                        self.files[rel] = json.load(f)
                except Exception as e:  # noqa: BLE001
                    self.err("%s does not parse: %s" % (rel, e))

    def index(self):
        self.dump = "namespaces.json" not in self.files
        for rel, doc in self.files.items():
            base = os.path.basename(rel)
            if base == "expected.json" or rel == CI_RUNS:
                continue
            if base not in LISTS:
                self.err("unknown file %s" % rel)
                continue
            lk, lapi, kind = LISTS[base]
            if self.dump and kind not in DUMPED_KINDS:
                self.err("%s: kubectl cluster-info dump does not write %s objects" % (rel, kind))
            parts = rel.split(os.sep)
            ns = parts[0] if len(parts) == 2 else None
            if doc.get("kind") != lk or doc.get("apiVersion") != lapi:
                self.err("%s: kind/apiVersion %s/%s, want %s/%s" % (rel, doc.get("kind"), doc.get("apiVersion"), lk, lapi))
            if not isinstance(doc.get("metadata", {}).get("resourceVersion"), str):
                self.err("%s: list metadata.resourceVersion missing" % rel)
            for it in doc.get("items", []):
                m = it.get("metadata", {})
                if "kind" in it or "apiVersion" in it:
                    self.err("%s: item %s carries kind/apiVersion (typed lists must not)" % (rel, m.get("name")))
                for k in ("name", "uid", "resourceVersion", "creationTimestamp"):
                    if not m.get(k):
                        self.err("%s: item %s lacks metadata.%s" % (rel, m.get("name"), k))
                if m.get("uid") and not UUID.match(m["uid"]):
                    self.err("%s: %s uid %r is not a UUID" % (rel, m.get("name"), m["uid"]))
                if ns is not None and m.get("namespace") != ns:
                    self.err("%s: %s has namespace %r" % (rel, m.get("name"), m.get("namespace")))
                if m.get("uid") in self.objs:
                    self.err("duplicate uid %s (%s)" % (m["uid"], m.get("name")))
                self.objs[m.get("uid")] = (kind, ns, it)
                self.by[(kind, ns, m.get("name"))] = it
        for ns_obj in self.files.get("namespaces.json", {}).get("items", []):
            name = ns_obj["metadata"]["name"]
            for f in REQUIRED_NS:
                if os.path.join(name, f) not in self.files:
                    self.err("namespace %s lacks %s" % (name, f))
        for rel in self.files:
            parts = rel.split(os.sep)
            if self.dump:
                if len(parts) == 2:
                    for f in REQUIRED_NS:
                        if os.path.join(parts[0], f) not in self.files:
                            self.err("namespace %s lacks %s" % (parts[0], f))
                continue
            if rel != CI_RUNS and len(parts) == 2 and ("Namespace", None, parts[0]) not in self.by:
                self.err("directory %s is not a listed namespace" % parts[0])

    def timestamps(self, o, where, capture):
        if isinstance(o, dict):
            for k, v in o.items():
                if k in TS_KEYS and v is not None:
                    if not isinstance(v, str) or not TS.match(v):
                        self.err("%s: %s=%r is not RFC3339 UTC" % (where, k, v))
                    elif capture and parse(v) > capture:
                        self.err("%s: %s=%s is after the capture time %s" % (where, k, v, capture.isoformat()))
                else:
                    self.timestamps(v, where, capture)
        elif isinstance(o, list):
            for v in o:
                self.timestamps(v, where, capture)

    def check_objects(self):
        events = [it for rel, doc in self.files.items() if rel.endswith("events.json") for it in doc["items"]]
        stamps = [parse(e["lastTimestamp"] or (e.get("series") or {}).get("lastObservedTime") or e["eventTime"]) for e in events]
        capture = max(stamps) if stamps else None
        # capture time: latest node heartbeat (kubelets report every few minutes) or latest event
        hbs = [parse(c["lastHeartbeatTime"]) for n in self.files.get("nodes.json", {}).get("items", [])
               for c in n["status"].get("conditions", []) if c.get("lastHeartbeatTime")]
        if hbs:
            capture = max([capture] + hbs) if capture else max(hbs)
        from datetime import timedelta
        capture_limit = capture + timedelta(minutes=1) if capture else None
        for uid, (kind, ns, o) in self.objs.items():
            where = "%s %s/%s" % (kind, ns, o["metadata"]["name"])
            self.timestamps(o, where, capture_limit)
            for ref in o["metadata"].get("ownerReferences", []):
                t = self.objs.get(ref.get("uid"))
                if not t and self.absent_in_dump(ref.get("kind")):
                    continue
                if not t:
                    self.err("%s: ownerReference uid %s (%s/%s) not found" % (where, ref.get("uid"), ref.get("kind"), ref.get("name")))
                    continue
                if t[0] != ref["kind"] or t[2]["metadata"]["name"] != ref["name"] or (t[1] not in (None, ns)):
                    self.err("%s: ownerReference %s/%s does not match %s/%s" % (where, ref["kind"], ref["name"], t[0], t[2]["metadata"]["name"]))
                if ref.get("controller") is not True:
                    self.err("%s: ownerReference without controller: true" % where)
            if kind == "Pod":
                self.check_pod(o, where)
            if kind == "ReplicaSet":
                h = o["metadata"].get("labels", {}).get("pod-template-hash")
                if not h or not o["metadata"]["name"].endswith("-" + h):
                    self.err("%s: name does not end with pod-template-hash" % where)
                if not o["metadata"].get("annotations", {}).get("deployment.kubernetes.io/revision"):
                    self.err("%s: missing deployment.kubernetes.io/revision" % where)
            if kind in ("Deployment", "ReplicaSet", "StatefulSet", "DaemonSet"):
                sel = o["spec"]["selector"]["matchLabels"]
                tl = o["spec"]["template"]["metadata"].get("labels", {})
                if any(tl.get(k) != v for k, v in sel.items()):
                    self.err("%s: selector %s does not match template labels" % (where, sel))
            if kind == "Secret":
                for k, v in (o.get("data") or {}).items():
                    if v != "":
                        self.err("%s: secret key %s has a value" % (where, k))
                if o.get("stringData"):
                    self.err("%s: stringData present" % where)
            if kind == "PersistentVolumeClaim" and o["spec"].get("volumeName"):
                pv = self.by.get(("PersistentVolume", None, o["spec"]["volumeName"]))
                if not pv or pv["spec"]["claimRef"]["uid"] != o["metadata"]["uid"]:
                    self.err("%s: bound PV %s missing or claimRef mismatch" % (where, o["spec"]["volumeName"]))
            if kind == "PersistentVolumeClaim" and o["spec"].get("storageClassName") and o["status"]["phase"] == "Bound":
                if ("StorageClass", None, o["spec"]["storageClassName"]) not in self.by:
                    self.err("%s: Bound PVC with unknown StorageClass" % where)
            if kind == "EndpointSlice":
                for e in o.get("endpoints") or []:
                    self.check_target(e.get("targetRef"), where)
            if kind == "Endpoints":
                for s in o.get("subsets", []):
                    for a in s.get("addresses", []) + s.get("notReadyAddresses", []):
                        self.check_target(a.get("targetRef"), where)
        new_style = 0
        for e in events:
            where = "Event %s" % e["metadata"]["name"]
            inv = e["involvedObject"]
            if e.get("eventTime") and e.get("series") is not None or (e.get("reportingComponent") == "default-scheduler" and e.get("eventTime")):
                new_style += 1
                if e.get("firstTimestamp") is not None or "count" in e:
                    self.err("%s: new-style event with firstTimestamp/count" % where)
            else:
                if not e.get("firstTimestamp") or not e.get("lastTimestamp") or not e.get("count"):
                    self.err("%s: classic event lacks count/firstTimestamp/lastTimestamp" % where)
                elif parse(e["firstTimestamp"]) > parse(e["lastTimestamp"]):
                    self.err("%s: firstTimestamp after lastTimestamp" % where)
                if not e.get("source", {}).get("component"):
                    self.err("%s: classic event without source.component" % where)
            if inv["kind"] == "Node" and inv["uid"] == inv["name"]:
                if ("Node", None, inv["name"]) not in self.by:
                    self.err("%s: node %s not found" % (where, inv["name"]))
                continue
            t = self.objs.get(inv.get("uid"))
            if not t and self.absent_in_dump(inv.get("kind")):
                continue
            if not t:
                self.err("%s: involvedObject uid %s (%s %s) not found" % (where, inv.get("uid"), inv.get("kind"), inv.get("name")))
                continue
            if t[0] != inv["kind"] or t[2]["metadata"]["name"] != inv["name"] or t[1] != inv.get("namespace"):
                self.err("%s: involvedObject %s/%s mismatches %s/%s" % (where, inv["kind"], inv["name"], t[0], t[2]["metadata"]["name"]))
            if (inv.get("namespace") or "default") != e["metadata"]["namespace"]:
                self.err("%s: event namespace differs from involvedObject namespace" % where)
            fp = inv.get("fieldPath")
            if fp and inv["kind"] == "Pod":
                m = re.match(r"spec\.(containers|initContainers)\{(.+)\}$", fp)
                if not m or m.group(2) not in [c["name"] for c in t[2]["spec"].get(m.group(1), [])]:
                    self.err("%s: fieldPath %s names no container" % (where, fp))
            if inv["kind"] == "Pod" and "Successfully assigned" in e["message"]:
                node = e["message"].rsplit(" to ", 1)[1]
                if t[2]["spec"].get("nodeName") != node:
                    self.err("%s: Scheduled to %s but pod is on %s" % (where, node, t[2]["spec"].get("nodeName")))
        if not new_style:
            self.err("no new-style (eventTime/series) scheduler event")
        self.check_ci(capture_limit)

    def check_ci(self, capture):
        doc = self.files.get(CI_RUNS)
        if doc is None:
            return
        if set(doc) != {"apiVersion", "repo", "collected_at", "runs"} or doc["apiVersion"] != "k8sops/v1":
            self.err("%s: keys %s" % (CI_RUNS, sorted(doc)))
            return
        if not re.match(r"^[\w.-]+/[\w.-]+$", doc["repo"]):
            self.err("%s: repo %r is not OWNER/NAME" % (CI_RUNS, doc["repo"]))
        limit = capture and capture.replace(microsecond=0)
        def ts(where, v, optional=False):
            if v is None and optional:
                return None
            if not isinstance(v, str) or not TS.match(v):
                self.err("%s: %r is not RFC3339 UTC" % (where, v))
                return None
            t = parse(v)
            if limit and t > limit:
                self.err("%s: %s is after the capture time" % (where, v))
            return t
        ts("%s collected_at" % CI_RUNS, doc["collected_at"])
        created = [r.get("created_at", "") for r in doc["runs"]]
        if created != sorted(created, reverse=True):
            self.err("%s: runs are not newest first" % CI_RUNS)
        for r in doc["runs"]:
            where = "%s run %s" % (CI_RUNS, r.get("id"))
            if not isinstance(r.get("id"), int) or not isinstance(r.get("number"), int):
                self.err("%s: id and number must be integers" % where)
            if not SHA.match(r.get("commit", "")):
                self.err("%s: commit %r is not a 40-hex SHA" % (where, r.get("commit")))
            if r.get("url") != "https://github.com/%s/actions/runs/%s" % (doc["repo"], r.get("id")):
                self.err("%s: url %r" % (where, r.get("url")))
            if not r.get("workflow_file", "").endswith((".yml", ".yaml")):
                self.err("%s: workflow_file %r" % (where, r.get("workflow_file")))
            if r.get("status") not in STATUSES or r.get("conclusion", "success") not in CONCLUSIONS:
                self.err("%s: status/conclusion %s/%s" % (where, r.get("status"), r.get("conclusion")))
            c, s, u = ts(where, r.get("created_at")), ts(where, r.get("started_at"), True), ts(where, r.get("updated_at"), True)
            if c and s and u and not (c <= s <= u):
                self.err("%s: created/started/updated out of order" % where)
            if s and u and r.get("duration") is not None and abs((u - s).total_seconds() - r["duration"]) > 1:
                self.err("%s: duration %s != updated - started" % (where, r["duration"]))
            if r.get("conclusion") == "failure" and not any(j.get("conclusion") == "failure" for j in r.get("jobs", [])):
                if r.get("jobs"):
                    self.err("%s: failed run without a failed job" % where)
            for j in r.get("jobs", []):
                jw = "%s job %s" % (where, j.get("name"))
                if not j.get("url", "").startswith(r["url"] + "/job/"):
                    self.err("%s: url %r" % (jw, j.get("url")))
                js, je = ts(jw, j.get("started_at")), ts(jw, j.get("completed_at"))
                if js and je and js > je:
                    self.err("%s: started after completed" % jw)
                nums = [st.get("number") for st in j.get("steps", [])]
                if nums != list(range(1, len(nums) + 1)):
                    self.err("%s: steps not numbered 1..n" % jw)
                for st in j.get("steps", []):
                    a, z = ts(jw, st.get("started_at")), ts(jw, st.get("completed_at"))
                    if a and z and js and je and not (js <= a <= z <= je):
                        self.err("%s: step %s outside the job's time" % (jw, st.get("name")))
                failed = [st["name"] for st in j.get("steps", []) if st.get("conclusion") == "failure"]
                f = j.get("failure")
                if j.get("conclusion") == "failure" and len(failed) != 1:
                    self.err("%s: failed job with %d failed steps" % (jw, len(failed)))
                if f:
                    if f.get("kind") not in FAILURE_KINDS or f.get("source") not in ("job-log", "run-archive"):
                        self.err("%s: failure kind/source %s/%s" % (jw, f.get("kind"), f.get("source")))
                    if failed and f.get("step") != failed[0]:
                        self.err("%s: failure step %r is not the failed step %r" % (jw, f.get("step"), failed[0]))
                    if f.get("first_error") and f["first_error"] not in f.get("excerpt", []):
                        self.err("%s: first_error not in the excerpt" % jw)

    def check_target(self, ref, where):
        if not ref:
            return
        t = self.objs.get(ref.get("uid"))
        if not t or t[2]["metadata"]["name"] != ref.get("name"):
            self.err("%s: targetRef %s not found" % (where, ref))

    def check_pod(self, p, where):
        names = [c["name"] for c in p["spec"]["containers"]]
        st = [c["name"] for c in p["status"].get("containerStatuses", [])]
        if st and st != names:
            self.err("%s: containerStatuses %s != containers %s" % (where, st, names))
        inames = [c["name"] for c in p["spec"].get("initContainers", [])]
        ist = [c["name"] for c in p["status"].get("initContainerStatuses", [])]
        if ist and ist != inames:
            self.err("%s: initContainerStatuses mismatch" % where)
        node = p["spec"].get("nodeName")
        if node and ("Node", None, node) not in self.by:
            self.err("%s: node %s not found" % (where, node))
        if node and not st:
            self.err("%s: scheduled pod without containerStatuses" % where)
        if not node and p["status"]["phase"] != "Pending":
            self.err("%s: unscheduled pod in phase %s" % (where, p["status"]["phase"]))
        for c in p["status"].get("containerStatuses", []) + p["status"].get("initContainerStatuses", []):
            for s in (c["state"], c.get("lastState", {})):
                for v in s.values():
                    if "containerID" in v and not re.match(r"^containerd://[0-9a-f]{64}$", v["containerID"]):
                        self.err("%s: bad containerID" % where)
            if "containerID" in c and not re.match(r"^containerd://[0-9a-f]{64}$", c["containerID"]):
                self.err("%s: bad containerID %s" % (where, c["containerID"]))
            w = c["state"].get("waiting")
            if w and w["reason"] == "CrashLoopBackOff":
                if p["metadata"]["uid"] not in w.get("message", "") or p["metadata"]["name"] not in w.get("message", ""):
                    self.err("%s: CrashLoopBackOff message does not name the pod" % where)
                if not c.get("lastState", {}).get("terminated"):
                    self.err("%s: CrashLoopBackOff without lastState.terminated" % where)
        for ref in p["metadata"].get("ownerReferences", []):
            o = self.objs.get(ref["uid"])
            if not o:
                continue
            if ref["kind"] in ("ReplicaSet", "StatefulSet", "DaemonSet", "Job"):
                sel = o[2]["spec"]["selector"]["matchLabels"]
                if any(p["metadata"].get("labels", {}).get(k) != v for k, v in sel.items()):
                    self.err("%s: labels do not match %s selector" % (where, ref["kind"]))
            if ref["kind"] == "ReplicaSet":
                if not p["metadata"]["name"].startswith(ref["name"] + "-"):
                    self.err("%s: pod name does not start with its ReplicaSet name" % where)
                if p["metadata"].get("labels", {}).get("pod-template-hash") != o[2]["metadata"]["labels"]["pod-template-hash"]:
                    self.err("%s: pod-template-hash mismatch" % where)
        for v in p["spec"].get("volumes", []):
            c = v.get("persistentVolumeClaim")
            if c and not self.dump and ("PersistentVolumeClaim", p["metadata"]["namespace"], c["claimName"]) not in self.by:
                self.err("%s: PVC %s not found" % (where, c["claimName"]))

    def check_logs(self):
        nlogs = 0
        for dirpath, _, names in os.walk(self.d):
            for n in names:
                if n not in ("logs.txt", "previous-logs.txt"):
                    continue
                nlogs += 1
                rel = os.path.relpath(os.path.join(dirpath, n), self.d)
                if self.dump and n == "previous-logs.txt":
                    self.err("%s: kubectl cluster-info dump writes only current logs" % rel)
                ns, pod = rel.split(os.sep)[:2]
                p = self.by.get(("Pod", ns, pod))
                if not p:
                    self.err("%s: pod %s/%s not found" % (rel, ns, pod))
                    continue
                cnames = [c["name"] for c in p["spec"].get("initContainers", []) + p["spec"]["containers"]]
                open_c = None
                with open(os.path.join(dirpath, n)) as f:
                    for line in f.read().split("\n"):
                        m = HDR.match(line)
                        if not m:
                            if line.startswith("==== "):
                                self.err("%s: malformed header %r" % (rel, line))
                            elif line and open_c is None:
                                self.err("%s: text outside a START/END block" % rel)
                            continue
                        what, c, hns, hpod = m.groups()
                        if (hns, hpod) != (ns, pod):
                            self.err("%s: header names %s/%s" % (rel, hns, hpod))
                        if c not in cnames:
                            self.err("%s: container %s not in pod" % (rel, c))
                        if what == "START":
                            if open_c:
                                self.err("%s: nested START" % rel)
                            open_c = c
                        else:
                            if open_c != c:
                                self.err("%s: END for %s without START" % (rel, c))
                            open_c = None
                if open_c:
                    self.err("%s: unterminated block for %s" % (rel, open_c))
                if n == "previous-logs.txt":
                    restarted = any(c.get("restartCount", 0) > 0 or c.get("lastState", {}).get("terminated")
                                    for c in p["status"].get("containerStatuses", []) + p["status"].get("initContainerStatuses", []))
                    if not restarted:
                        self.err("%s: previous logs for a pod that never restarted" % rel)
        return nlogs

    def check_expected(self):
        e = self.files.get("expected.json")
        if e is None and UNLABELLED:
            return
        if e is None:
            self.err("expected.json missing")
            return
        keys = {"category", "namespace", "workload", "cause_mentions", "red_herring", "description"}
        if set(e) - {"affected"} != keys:
            self.err("expected.json keys %s" % sorted(e))
        for a in e.get("affected", []):
            akind, _, aname = a.get("workload", "").partition("/")
            if (akind, a.get("namespace"), aname) not in self.by:
                self.err("expected.json: affected %s not found in namespace %s" % (a.get("workload"), a.get("namespace")))
        if e.get("category") not in CATEGORIES:
            self.err("expected.json: unknown category %r" % e.get("category"))
        if not e.get("cause_mentions") or not all(isinstance(x, str) and x for x in e["cause_mentions"]):
            self.err("expected.json: cause_mentions must be non-empty strings")
        kind, _, name = e.get("workload", "").partition("/")
        if kind not in ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Node", "Pod"):
            self.err("expected.json: workload kind %r" % kind)
        ns = None if kind == "Node" else e.get("namespace")
        if self.absent_in_dump(kind):
            if not self.named_by_pods(kind, ns, name):
                self.err("expected.json: no pod in namespace %s belongs to %s" % (ns, e.get("workload")))
        elif (kind, ns, name) not in self.by:
            self.err("expected.json: workload %s not found in namespace %s" % (e.get("workload"), ns))
        # every cause mention should be findable somewhere in the bundle (status, events, logs or spec)
        blob = ""
        for dirpath, _, names in os.walk(self.d):
            for n in names:
                if n != "expected.json":
                    with open(os.path.join(dirpath, n)) as f:
                        blob += f.read()
        for m in e.get("cause_mentions", []):
            if m not in blob:
                self.err("expected.json: cause mention %r appears nowhere in the bundle" % m)

    def named_by_pods(self, kind, ns, name):
        """Whether a pod of the dump names `kind/name` as its owner (a CronJob through the
        name of its Job, `<cronjob>-<scheduled minute>`)."""
        for (k, pns, _), p in self.by.items():
            if k != "Pod" or pns != ns:
                continue
            for ref in p["metadata"].get("ownerReferences", []):
                if ref["kind"] == kind and ref["name"] == name:
                    return True
                if kind == "CronJob" and ref["kind"] == "Job" and re.fullmatch(re.escape(name) + r"-\d{8,}", ref["name"]):
                    return True
        return False

    def run(self):
        self.load()
        self.index()
        self.check_objects()
        nlogs = self.check_logs()
        self.check_expected()
        return nlogs


def parse(s):
    s = s.rstrip("Z")
    fmt = "%Y-%m-%dT%H:%M:%S.%f" if "." in s else "%Y-%m-%dT%H:%M:%S"
    return datetime.strptime(s, fmt).replace(tzinfo=timezone.utc)


UNLABELLED = False


def main():
    global UNLABELLED
    args = sys.argv[1:]
    if "--unlabelled" in args:
        UNLABELLED = True
        args.remove("--unlabelled")
    dirs = args or sorted(os.path.join(ROOT, "examples", d) for d in os.listdir(os.path.join(ROOT, "examples"))
                                  if os.path.isfile(os.path.join(ROOT, "examples", d, "expected.json")))
    bad = 0
    tot_obj = tot_files = tot_logs = 0
    for d in dirs:
        c = Checker(d)
        nlogs = c.run()
        tot_obj += len(c.objs)
        tot_files += len(c.files)
        tot_logs += nlogs
        status = "ok" if not c.errors else "%d problem(s)" % len(c.errors)
        print("%-28s %-15s %4d objects %3d json %3d log files  %s" % (os.path.basename(d), (c.files.get("expected.json") or {}).get("category"),
                                                                     len(c.objs), len(c.files), nlogs, status))
        for e in c.errors[:40]:
            print("   " + e)
        bad += bool(c.errors)
    print("%d scenario(s), %d objects, %d JSON files, %d log files; %d with problems" % (len(dirs), tot_obj, tot_files, tot_logs, bad))
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
