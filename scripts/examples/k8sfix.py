"""Builders for realistic `kubectl cluster-info dump` bundles (python3 stdlib only).

A `Bundle` holds one captured cluster: nodes, namespaces, typed objects per namespace,
events, logs and the `expected.json` label. Every object is shaped the way the API server
returns it (typed List items without kind/apiVersion, full metadata, defaulted spec,
realistic status). Randomness is seeded by the scenario name, so rebuilding is
byte-for-byte reproducible.

Used by scripts/examples/build.py (hand-written scenarios) and scripts/gen-synthetic.py.
"""

import json
import os
import random
from collections import defaultdict
from datetime import datetime, timedelta, timezone

HASH_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # k8s.io/apimachinery/pkg/util/rand

# file name -> (List kind, List apiVersion, item kind, item apiVersion)
NS_FILES = {
    "events.json": ("EventList", "v1", "Event", "v1"),
    "replication-controllers.json": ("ReplicationControllerList", "v1", "ReplicationController", "v1"),
    "services.json": ("ServiceList", "v1", "Service", "v1"),
    "daemonsets.json": ("DaemonSetList", "apps/v1", "DaemonSet", "apps/v1"),
    "deployments.json": ("DeploymentList", "apps/v1", "Deployment", "apps/v1"),
    "replicasets.json": ("ReplicaSetList", "apps/v1", "ReplicaSet", "apps/v1"),
    "pods.json": ("PodList", "v1", "Pod", "v1"),
    # extensions (written only when non-empty or forced)
    "statefulsets.json": ("StatefulSetList", "apps/v1", "StatefulSet", "apps/v1"),
    "controllerrevisions.json": ("ControllerRevisionList", "apps/v1", "ControllerRevision", "apps/v1"),
    "jobs.json": ("JobList", "batch/v1", "Job", "batch/v1"),
    "cronjobs.json": ("CronJobList", "batch/v1", "CronJob", "batch/v1"),
    "endpoints.json": ("EndpointsList", "v1", "Endpoints", "v1"),
    "endpointslices.json": ("EndpointSliceList", "discovery.k8s.io/v1", "EndpointSlice", "discovery.k8s.io/v1"),
    "persistentvolumeclaims.json": ("PersistentVolumeClaimList", "v1", "PersistentVolumeClaim", "v1"),
    "configmaps.json": ("ConfigMapList", "v1", "ConfigMap", "v1"),
    "secrets.json": ("SecretList", "v1", "Secret", "v1"),
    "resourcequotas.json": ("ResourceQuotaList", "v1", "ResourceQuota", "v1"),
    "limitranges.json": ("LimitRangeList", "v1", "LimitRange", "v1"),
    "horizontalpodautoscalers.json": ("HorizontalPodAutoscalerList", "autoscaling/v2", "HorizontalPodAutoscaler", "autoscaling/v2"),
}
BASE_NS_FILES = ["events.json", "replication-controllers.json", "services.json", "daemonsets.json",
                 "deployments.json", "replicasets.json", "pods.json"]
CLUSTER_FILES = {
    "nodes.json": ("NodeList", "v1", "Node", "v1"),
    "namespaces.json": ("NamespaceList", "v1", "Namespace", "v1"),
    "persistentvolumes.json": ("PersistentVolumeList", "v1", "PersistentVolume", "v1"),
    "storageclasses.json": ("StorageClassList", "storage.k8s.io/v1", "StorageClass", "storage.k8s.io/v1"),
}
KIND_FILE = {v[2]: k for k, v in list(NS_FILES.items()) + list(CLUSTER_FILES.items())}

DEFAULT_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
]
DS_TOLERATIONS = [
    {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
    {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
    {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"},
]


def fmt(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def fmt_micro(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def full_image(image):
    """What containerd reports in status.image for a spec image."""
    name = image.split("@")[0]
    first = name.split("/")[0]
    if "/" not in name:
        name = "docker.io/library/" + name
    elif "." not in first and ":" not in first and first != "localhost":
        name = "docker.io/" + name
    if "@" in image:
        return name.split(":")[0] + "@" + image.split("@")[1] if ":" in name.rsplit("/", 1)[-1] else name + "@" + image.split("@")[1]
    if ":" not in name.rsplit("/", 1)[-1]:
        name += ":latest"
    return name


def repo_of(image):
    img = full_image(image)
    if "@" in img:
        return img.split("@")[0]
    return img.rsplit(":", 1)[0]


# ----------------------------------------------------------------------------- containers

def probe(kind="http", path="/healthz", port=8080, initial=0, period=10, timeout=1, failure=3, command=None):
    p = {}
    if kind == "http":
        p["httpGet"] = {"path": path, "port": port, "scheme": "HTTP"}
    elif kind == "tcp":
        p["tcpSocket"] = {"port": port}
    else:
        p["exec"] = {"command": command}
    if initial:
        p["initialDelaySeconds"] = initial
    p.update({"timeoutSeconds": timeout, "periodSeconds": period, "successThreshold": 1, "failureThreshold": failure})
    return p


def ctr(name, image, ports=None, requests=None, limits=None, env=None, env_from=None, command=None, args=None,
        liveness=None, readiness=None, startup=None, mounts=None, security=None, pull=None, port_names=None):
    c = {"name": name, "image": image}
    if command:
        c["command"] = command
    if args:
        c["args"] = args
    if ports:
        c["ports"] = []
        for i, p in enumerate(ports):
            e = {"containerPort": p, "protocol": "TCP"}
            if port_names and i < len(port_names) and port_names[i]:
                e = {"name": port_names[i], **e}
            c["ports"].append(e)
    if env_from:
        c["envFrom"] = env_from
    if env:
        c["env"] = env
    res = {}
    if limits:
        res["limits"] = limits
    if requests:
        res["requests"] = requests
    c["resources"] = res
    if mounts:
        c["volumeMounts"] = list(mounts)
    if liveness:
        c["livenessProbe"] = liveness
    if readiness:
        c["readinessProbe"] = readiness
    if startup:
        c["startupProbe"] = startup
    c["terminationMessagePath"] = "/dev/termination-log"
    c["terminationMessagePolicy"] = "File"
    tag = image.rsplit(":", 1)[-1] if "@" not in image and ":" in image.rsplit("/", 1)[-1] else None
    c["imagePullPolicy"] = pull or ("Always" if ("@" not in image and (tag is None or tag == "latest")) else "IfNotPresent")
    if security is not None:
        c["securityContext"] = security
    return c


def env_val(name, value):
    return {"name": name, "value": value}


def env_cm(name, cm, key, optional=None):
    r = {"name": cm, "key": key}
    if optional is not None:
        r["optional"] = optional
    return {"name": name, "valueFrom": {"configMapKeyRef": r}}


def env_secret(name, secret, key):
    return {"name": name, "valueFrom": {"secretKeyRef": {"name": secret, "key": key}}}


def cs(state="running", ready=None, restarts=0, reason=None, message=None, exit_code=None, last=None,
       started_ago=None, finished_ago=None, image=None, started=None):
    """Container status spec, resolved by Bundle.pod()."""
    return dict(state=state, ready=ready, restarts=restarts, reason=reason, message=message, exit_code=exit_code,
                last=last, started_ago=started_ago, finished_ago=finished_ago, image=image, started=started)


def term(reason, exit_code, started_ago, finished_ago, message=None):
    return dict(reason=reason, exit_code=exit_code, started_ago=started_ago, finished_ago=finished_ago, message=message)


# ----------------------------------------------------------------------------- bundle

class Bundle:
    def __init__(self, name, capture="2026-11-20T09:30:00Z", seed=None):
        self.name = name
        self.rng = random.Random(seed if seed is not None else name)
        self.now = datetime.strptime(capture, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        self._rv = 4_000_000 + self.rng.randint(0, 3_000_000)
        self.cluster = defaultdict(list)
        self.ns = defaultdict(lambda: defaultdict(list))
        self.force_files = defaultdict(set)
        self.kinds = {}  # uid -> (kind, apiVersion, obj)
        self.logs = {}  # (ns, pod) -> {container: [lines]}
        self.prev_logs = {}
        self.nodes = {}
        self.node_ips = {}
        self.pod_ip_next = {}
        self.svc_ip_used = set()
        self.expected = None
        self.node_images = defaultdict(set)
        self.ci = None  # ci/runs.json (see cifix.py)
        # Write only what `kubectl cluster-info dump --all-namespaces --output-directory` writes:
        # nodes.json, the seven namespaced Lists and each container's current log.
        self.dump_only = False

    # ---- primitives
    def t(self, minutes_ago=0.0):
        return fmt(self.now - timedelta(minutes=minutes_ago))

    def dt(self, minutes_ago=0.0):
        return self.now - timedelta(minutes=minutes_ago)

    def rv(self):
        self._rv += self.rng.randint(1, 400)
        return str(self._rv)

    def uid(self):
        r = self.rng.getrandbits(128)
        h = "%032x" % r
        h = h[:12] + "4" + h[13:16] + "89ab"[int(h[16], 16) % 4] + h[17:]
        return "%s-%s-%s-%s-%s" % (h[:8], h[8:12], h[12:16], h[16:20], h[20:])

    def hex(self, n):
        return "".join(self.rng.choice("0123456789abcdef") for _ in range(n))

    def rand_suffix(self, n=5):
        return "".join(self.rng.choice(HASH_ALPHABET) for _ in range(n))

    def digest(self):
        return "sha256:" + self.hex(64)

    def meta(self, name, ns=None, ago=60 * 24 * 10, labels=None, annotations=None, owner=None, generate_name=None,
             generation=None):
        m = {"name": name}
        if generate_name:
            m["generateName"] = generate_name
        if ns is not None:
            m["namespace"] = ns
        m["uid"] = self.uid()
        m["resourceVersion"] = self.rv()
        if generation is not None:
            m["generation"] = generation
        m["creationTimestamp"] = self.t(ago)
        if labels:
            m["labels"] = dict(labels)
        if annotations:
            m["annotations"] = dict(annotations)
        if owner is not None:
            kind, api, o = owner
            m["ownerReferences"] = [{"apiVersion": api, "kind": kind, "name": o["metadata"]["name"],
                                     "uid": o["metadata"]["uid"], "controller": True, "blockOwnerDeletion": True}]
        return m

    def add(self, kind, obj, ns=None):
        spec = None
        for f, v in list(NS_FILES.items()) + list(CLUSTER_FILES.items()):
            if v[2] == kind:
                spec = (f, v)
                break
        f, v = spec
        if f in CLUSTER_FILES:
            self.cluster[f].append(obj)
        else:
            self.ns[ns or obj["metadata"]["namespace"]][f].append(obj)
        self.kinds[obj["metadata"]["uid"]] = (kind, v[3], obj)
        return obj

    def force(self, ns, fname):
        self.force_files[ns].add(fname)

    # ---- cluster skeleton
    def node(self, name, role="worker", zone="eu-west-1a", cpu="2", mem_ki=4015284, alloc_mem_ki=3605684,
             ago=60 * 24 * 41, conditions=None, taints=None, unschedulable=False, labels=None, instance="t3.medium",
             idx=None, kubelet="v1.31.2"):
        idx = len(self.nodes) if idx is None else idx
        ip = "10.0.%d.%d" % (1 + "abc".index(zone[-1]) if zone[-1] in "abc" else 1 + idx % 3, 10 + idx)
        lbl = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/instance-type": instance,
               "beta.kubernetes.io/os": "linux", "failure-domain.beta.kubernetes.io/region": "eu-west-1",
               "failure-domain.beta.kubernetes.io/zone": zone, "kubernetes.io/arch": "amd64",
               "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
               "node.kubernetes.io/instance-type": instance, "topology.kubernetes.io/region": "eu-west-1",
               "topology.kubernetes.io/zone": zone}
        if role == "control-plane":
            lbl["node-role.kubernetes.io/control-plane"] = ""
            lbl["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        if labels:
            lbl.update(labels)
        ann = {"node.alpha.kubernetes.io/ttl": "0", "volumes.kubernetes.io/controller-managed-attach-detach": "true",
               "csi.volume.kubernetes.io/nodeid": json.dumps({"ebs.csi.aws.com": "i-0" + self.hex(16)}, separators=(",", ":"))}
        if role == "control-plane":
            ann["kubeadm.alpha.kubernetes.io/cri-socket"] = "unix:///run/containerd/containerd.sock"
        m = self.meta(name, labels=lbl, annotations=ann, ago=ago)
        cidr = "10.244.%d.0/24" % idx
        spec = {"podCIDR": cidr, "podCIDRs": [cidr], "providerID": "aws:///%s/i-0%s" % (zone, self.hex(16))}
        if role == "control-plane" and taints is None:
            taints = [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]
        if taints:
            spec["taints"] = taints
        if unschedulable:
            spec["unschedulable"] = True
        hb = self.t(0.4 + self.rng.random() * 3)
        conds = conditions or self.node_conditions(ago - 5)
        for c in conds:
            c.setdefault("lastHeartbeatTime", hb)
        eph = 81106868
        status = {
            "capacity": {"cpu": cpu, "ephemeral-storage": "%dKi" % eph, "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                         "memory": "%dKi" % mem_ki, "pods": "110"},
            "allocatable": {"cpu": str(int(cpu) * 1000 - 70) + "m" if cpu.isdigit() else cpu,
                            "ephemeral-storage": "74748293722", "hugepages-1Gi": "0", "hugepages-2Mi": "0",
                            "memory": "%dKi" % alloc_mem_ki, "pods": "110"},
            "conditions": conds,
            "addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name},
                          {"type": "InternalDNS", "address": "ip-%s.eu-west-1.compute.internal" % ip.replace(".", "-")}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"machineID": self.hex(32), "systemUUID": "ec2" + self.hex(5) + "-" + self.hex(4) + "-" + self.hex(4) + "-" + self.hex(4) + "-" + self.hex(12),
                         "bootID": self.uid(), "kernelVersion": "6.1.0-27-cloud-amd64",
                         "osImage": "Debian GNU/Linux 12 (bookworm)", "containerRuntimeVersion": "containerd://1.7.22",
                         "kubeletVersion": kubelet, "kubeProxyVersion": "", "operatingSystem": "linux",
                         "architecture": "amd64"},
            "images": [],
        }
        n = {"metadata": m, "spec": spec, "status": status}
        self.add("Node", n)
        self.nodes[name] = n
        self.node_ips[name] = ip
        self.pod_ip_next[name] = (idx, 2 + self.rng.randint(0, 30))
        return n

    def node_conditions(self, since_ago, memory=False, disk=False, pid=False, ready=True, unknown_since=None):
        tr = self.t(since_ago)
        def c(typ, st, reason, msg, t=tr):
            return {"type": typ, "status": st, "lastHeartbeatTime": None, "lastTransitionTime": t, "reason": reason, "message": msg}
        if unknown_since is not None:
            u = self.t(unknown_since)
            hb = self.t(unknown_since + 0.7)
            out = [c("MemoryPressure", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", u),
                   c("DiskPressure", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", u),
                   c("PIDPressure", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", u),
                   c("Ready", "Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status.", u)]
            for o in out:
                o["lastHeartbeatTime"] = hb
            return out
        out = []
        out.append(c("MemoryPressure", "True", "KubeletHasInsufficientMemory", "kubelet has insufficient memory available", memory)
                   if memory else c("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"))
        out.append(c("DiskPressure", "True", "KubeletHasDiskPressure", "kubelet has disk pressure", disk)
                   if disk else c("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"))
        out.append(c("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"))
        out.append(c("Ready", "True", "KubeletReady", "kubelet is posting ready status") if ready is True else ready)
        for o in out:
            if o["lastHeartbeatTime"] is None:
                del o["lastHeartbeatTime"]
        return out

    def namespace(self, name, ago=60 * 24 * 41, labels=None):
        lbl = {"kubernetes.io/metadata.name": name}
        if labels:
            lbl.update(labels)
        m = self.meta(name, labels=lbl, ago=ago)
        n = {"metadata": m, "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}
        self.add("Namespace", n)
        self.ns[name]  # materialise directory
        return n

    def standard_cluster(self, workers=3, app_namespaces=("shop",), ns_labels=None):
        self.node("control-plane-1", role="control-plane", zone="eu-west-1a", instance="t3.medium")
        zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
        for i in range(workers):
            self.node("worker-%d" % (i + 1), zone=zones[i % 3])
        for n in ["default", "kube-node-lease", "kube-public", "kube-system"]:
            self.namespace(n)
        for n in app_namespaces:
            self.namespace(n, ago=60 * 24 * 30, labels=(ns_labels or {}).get(n))
        self.service("default", "kubernetes", None, [("https", 443, 6443)], cluster_ip="10.96.0.1",
                     labels={"component": "apiserver", "provider": "kubernetes"}, ago=60 * 24 * 41)
        self.service("kube-system", "kube-dns", {"k8s-app": "kube-dns"},
                     [("dns", 53, 53, "UDP"), ("dns-tcp", 53, 53), ("metrics", 9153, 9153)], cluster_ip="10.96.0.10",
                     labels={"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true", "kubernetes.io/name": "CoreDNS"},
                     annotations={"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}, ago=60 * 24 * 41)
        worker_names = [n for n in self.nodes if n.startswith("worker")]
        self.deployment("kube-system", "coredns", [ctr("coredns", "registry.k8s.io/coredns/coredns:v1.11.3",
                        ports=[53, 53, 9153], port_names=["dns", "dns-tcp", "metrics"], args=["-conf", "/etc/coredns/Corefile"],
                        requests={"cpu": "100m", "memory": "70Mi"}, limits={"memory": "170Mi"},
                        liveness=probe(path="/health", port=8080, initial=60, timeout=5, failure=5),
                        readiness=probe(path="/ready", port=8181),
                        mounts=[{"name": "config-volume", "readOnly": True, "mountPath": "/etc/coredns"}],
                        security={"capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}, "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False})],
                        replicas=2, labels={"k8s-app": "kube-dns"}, ago=60 * 24 * 41, pod_ago=60 * 24 * 12,
                        nodes=worker_names[:2] or ["control-plane-1"], service_account="coredns", priority_class="system-cluster-critical",
                        volumes=[{"name": "config-volume", "configMap": {"name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}], "defaultMode": 420}}],
                        log=lambda p: [".:53", "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
                                       "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"])
        self.daemonset("kube-system", "kube-proxy", [ctr("kube-proxy", "registry.k8s.io/kube-proxy:v1.31.2",
                       command=["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf", "--hostname-override=$(NODE_NAME)"],
                       env=[{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "spec.nodeName"}}}],
                       security={"privileged": True},
                       mounts=[{"name": "kube-proxy", "mountPath": "/var/lib/kube-proxy"}, {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                               {"name": "lib-modules", "readOnly": True, "mountPath": "/lib/modules"}])],
                       labels={"k8s-app": "kube-proxy"}, host_network=True, ago=60 * 24 * 41, pod_ago=60 * 24 * 12,
                       priority_class="system-node-critical", service_account="kube-proxy", tolerations=[{"operator": "Exists"}],
                       volumes=[{"name": "kube-proxy", "configMap": {"name": "kube-proxy", "defaultMode": 420}},
                                {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock", "type": "FileOrCreate"}},
                                {"name": "lib-modules", "hostPath": {"path": "/lib/modules", "type": ""}}],
                       log=lambda p: ['I1108 07:12:41.112233       1 server_linux.go:66] "Using iptables proxy"',
                                      'I1108 07:12:41.203311       1 server.go:677] "Successfully retrieved node IP(s)" IPs=["%s"]' % p["status"]["hostIP"],
                                      'I1108 07:12:41.240871       1 server_linux.go:169] "Using iptables Proxier"',
                                      'I1108 07:12:41.318214       1 config.go:199] "Starting service config controller"',
                                      'I1108 07:12:41.418903       1 shared_informer.go:320] Caches are synced for service config'])

    # ---- networking helpers
    def pod_ip(self, node):
        idx, nxt = self.pod_ip_next[node]
        self.pod_ip_next[node] = (idx, nxt + 1 + self.rng.randint(0, 3))
        return "10.244.%d.%d" % (idx, nxt)

    def cluster_ip(self):
        while True:
            ip = "10.96.%d.%d" % (self.rng.randint(1, 254), self.rng.randint(1, 254))
            if ip not in self.svc_ip_used:
                self.svc_ip_used.add(ip)
                return ip

    def service(self, ns, name, selector, ports, cluster_ip=None, labels=None, annotations=None, ago=60 * 24 * 20,
                typ="ClusterIP", headless=False):
        ip = "None" if headless else (cluster_ip or self.cluster_ip())
        self.svc_ip_used.add(ip)
        m = self.meta(name, ns, ago=ago, labels=labels, annotations=annotations)
        sp = []
        for p in ports:
            pname, port, target = p[0], p[1], p[2]
            proto = p[3] if len(p) > 3 else "TCP"
            e = {}
            if pname:
                e["name"] = pname
            e.update({"protocol": proto, "port": port, "targetPort": target})
            sp.append(e)
        spec = {"ports": sp}
        if selector:
            spec["selector"] = selector
        spec.update({"clusterIP": ip, "clusterIPs": [ip], "type": typ, "sessionAffinity": "None",
                     "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack", "internalTrafficPolicy": "Cluster"})
        s = {"metadata": m, "spec": spec, "status": {"loadBalancer": {}}}
        return self.add("Service", s, ns)

    def endpoints_for(self, ns, svc, ago=None):
        """Endpoints + EndpointSlice for a Service from the current pods (call after pods exist)."""
        sel = svc["spec"].get("selector")
        pods = [p for p in self.ns[ns]["pods.json"] if sel and all(p["metadata"].get("labels", {}).get(k) == v for k, v in sel.items())
                and p["status"].get("podIP") and not p["metadata"].get("deletionTimestamp")]
        name = svc["metadata"]["name"]
        ready = [p for p in pods if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"].get("conditions", []))]
        notready = [p for p in pods if p not in ready]
        def port_for(p, sp):
            tp = sp["targetPort"]
            if isinstance(tp, int):
                return tp
            for c in p["spec"]["containers"]:
                for cp in c.get("ports", []):
                    if cp.get("name") == tp:
                        return cp["containerPort"]
            return sp["port"]
        ports = []
        for sp in svc["spec"]["ports"]:
            e = {}
            if sp.get("name"):
                e["name"] = sp["name"]
            e["port"] = port_for(pods[0], sp) if pods else (sp["targetPort"] if isinstance(sp["targetPort"], int) else sp["port"])
            e["protocol"] = sp["protocol"]
            ports.append(e)
        def addr(p):
            return {"ip": p["status"]["podIP"], "nodeName": p["spec"]["nodeName"],
                    "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]}}
        t = self.t(ago if ago is not None else 3)
        em = self.meta(name, ns, ago=0, labels=dict(svc["metadata"].get("labels", {})))
        em["creationTimestamp"] = svc["metadata"]["creationTimestamp"]
        em.setdefault("annotations", {})["endpoints.kubernetes.io/last-change-trigger-time"] = t
        subset = {}
        if ready:
            subset["addresses"] = [addr(p) for p in ready]
        if notready:
            subset["notReadyAddresses"] = [addr(p) for p in notready]
        ep = {"metadata": em, "subsets": ([dict(subset, ports=ports)] if subset else [])}
        if not subset:
            del ep["subsets"]
        self.add("Endpoints", ep, ns)
        sl = dict(svc["metadata"].get("labels", {}))
        sl.update({"endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": name})
        sm = self.meta(name + "-" + self.rand_suffix(5), ns, ago=0, labels=sl, owner=("Service", "v1", svc), generate_name=name + "-", generation=1 + len(pods))
        sm["creationTimestamp"] = svc["metadata"]["creationTimestamp"]
        sm["annotations"] = {"endpoints.kubernetes.io/last-change-trigger-time": t}
        eps = []
        for p in pods:
            r = p in ready
            node = p["spec"]["nodeName"]
            zone = self.nodes[node]["metadata"]["labels"]["topology.kubernetes.io/zone"]
            eps.append({"addresses": [p["status"]["podIP"]], "conditions": {"ready": r, "serving": r, "terminating": False},
                        "targetRef": {"kind": "Pod", "namespace": ns, "name": p["metadata"]["name"], "uid": p["metadata"]["uid"]},
                        "nodeName": node, "zone": zone})
        es = {"metadata": sm, "addressType": "IPv4", "endpoints": eps if eps else None, "ports": ports}
        if not eps:
            es["endpoints"] = None
        self.add("EndpointSlice", es, ns)
        self.force(ns, "endpoints.json")
        self.force(ns, "endpointslices.json")
        return ep, es

    # ---- pods
    def pod_spec(self, template_spec, node, service_account="default"):
        spec = json.loads(json.dumps(template_spec))
        vol_name = "kube-api-access-" + self.rand_suffix(5)
        spec.setdefault("volumes", []).append({"name": vol_name, "projected": {"sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}],
            "defaultMode": 420}})
        for c in spec.get("initContainers", []) + spec["containers"]:
            c.setdefault("volumeMounts", []).append({"name": vol_name, "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})
        sa = spec.get("serviceAccountName", service_account)
        ordered = {}
        for k in ["volumes", "initContainers", "containers", "restartPolicy", "terminationGracePeriodSeconds",
                  "activeDeadlineSeconds", "dnsPolicy", "nodeSelector"]:
            if k in spec:
                ordered[k] = spec.pop(k)
        ordered["serviceAccountName"] = sa
        ordered["serviceAccount"] = sa
        spec.pop("serviceAccountName", None)
        spec.pop("serviceAccount", None)
        if node:
            ordered["nodeName"] = node
        for k in ["hostNetwork", "hostPID", "securityContext", "imagePullSecrets", "affinity", "schedulerName", "tolerations", "priorityClassName"]:
            if k in spec:
                ordered[k] = spec.pop(k)
        ordered.update(spec)
        tol = list(ordered.get("tolerations", []))
        keys = {(t.get("key"), t.get("effect")) for t in tol}
        for t in DEFAULT_TOLERATIONS:
            if (t["key"], t["effect"]) not in keys and not any(x.get("operator") == "Exists" and "key" not in x for x in tol):
                tol.append(t)
        ordered["tolerations"] = tol
        pc = ordered.get("priorityClassName")
        ordered["priority"] = {"system-node-critical": 2000001000, "system-cluster-critical": 2000000000}.get(pc, 0)
        ordered["enableServiceLinks"] = True
        ordered["preemptionPolicy"] = "PreemptLowerPriority"
        return ordered

    def _cstatus(self, c, spec, node, pod_start_ago):
        s = spec
        img = s.get("image") or c["image"]
        out = {"name": c["name"]}
        started_ago = s["started_ago"] if s["started_ago"] is not None else pod_start_ago - 0.2
        if s["state"] == "running":
            st = {"running": {"startedAt": self.t(started_ago)}}
        elif s["state"] == "waiting":
            st = {"waiting": {"reason": s["reason"]}}
            if s["message"]:
                st["waiting"]["message"] = s["message"]
        else:  # terminated
            st = {"terminated": {"exitCode": s["exit_code"], "reason": s["reason"], "startedAt": self.t(started_ago),
                                 "finishedAt": self.t(s["finished_ago"] if s["finished_ago"] is not None else started_ago - 0.05),
                                 "containerID": "containerd://" + self.hex(64)}}
            if s["message"]:
                st["terminated"]["message"] = s["message"]
            if s["reason"] in ("ContainerStatusUnknown",):
                del st["terminated"]["containerID"]
        out["state"] = st
        last = {}
        if s["last"]:
            L = s["last"]
            lt = {"exitCode": L["exit_code"], "reason": L["reason"], "startedAt": self.t(L["started_ago"]),
                  "finishedAt": self.t(L["finished_ago"])}
            if L.get("message"):
                lt["message"] = L["message"]
            lt["containerID"] = "containerd://" + self.hex(64)
            last = {"terminated": lt}
        out["lastState"] = last
        running = s["state"] == "running"
        ready = s["ready"] if s["ready"] is not None else running
        out["ready"] = ready
        out["restartCount"] = s["restarts"]
        pulled = not (s["state"] == "waiting" and s["reason"] in ("ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ContainerCreating", "PodInitializing")) or s["last"]
        if s["state"] == "waiting" and s["reason"] in ("CreateContainerConfigError", "CreateContainerError"):
            pulled = True
        out["image"] = full_image(img)
        if pulled and node:
            dg = self.image_digest(img)
            out["imageID"] = repo_of(img) + "@" + dg
        else:
            out["imageID"] = ""
        cid = None
        if running:
            cid = "containerd://" + self.hex(64)
        elif s["state"] == "terminated":
            cid = st["terminated"].get("containerID")
        elif last:
            cid = last["terminated"]["containerID"]
        if cid:
            out["containerID"] = cid
        out["started"] = s["started"] if s["started"] is not None else running
        return out

    _digests = None

    def image_digest(self, image):
        if self._digests is None:
            self._digests = {}
        if "@" in image:
            return image.split("@")[1]
        if image not in self._digests:
            self._digests[image] = self.digest()
        return self._digests[image]

    def pod(self, ns, name, template_spec, labels, owner=None, node=None, ago=60 * 24 * 3, states=None, init_states=None,
            phase=None, unschedulable_msg=None, annotations=None, deletion_ago=None, reason=None, message=None,
            extra_conditions=None, generate_name=None, service_account="default", start_ago=None, ip=True, qos=None,
            ready_since=None, host_ip=True):
        m = self.meta(name, ns, ago=ago, labels=labels, annotations=annotations, owner=owner, generate_name=generate_name)
        if deletion_ago is not None:
            m["deletionTimestamp"] = self.t(deletion_ago)
            m["deletionGracePeriodSeconds"] = 30
        spec = self.pod_spec(template_spec, node, service_account)
        containers = spec["containers"]
        inits = spec.get("initContainers", [])
        states = states or {}
        init_states = init_states or {}
        start = start_ago if start_ago is not None else ago - 0.05
        st = {}
        cstat = [self._cstatus(c, states.get(c["name"], cs()), node, start - 0.3) for c in containers] if node else []
        istat = []
        if node and inits:
            for c in inits:
                s = init_states.get(c["name"]) or cs("terminated", reason="Completed", exit_code=0, started_ago=start - 0.1, finished_ago=start - 0.2)
                istat.append(self._cstatus(c, s, node, start - 0.1))
        all_ready = bool(cstat) and all(c["ready"] for c in cstat)
        inits_done = all(("terminated" in c["state"] and c["state"]["terminated"]["exitCode"] == 0) for c in istat)
        if phase is None:
            if not node:
                phase = "Pending"
            elif not inits_done:
                phase = "Pending"
            elif any("running" in c["state"] or c["lastState"] for c in cstat):
                phase = "Running"
            elif all("terminated" in c["state"] for c in cstat):
                phase = "Succeeded" if all(c["state"]["terminated"]["exitCode"] == 0 for c in cstat) else "Failed"
            else:
                phase = "Pending"
        st["phase"] = phase
        conds = []
        sched_t = self.t(ago - 0.02)
        rs = ready_since if ready_since is not None else start - 0.3
        if node:
            sandbox = not (deletion_ago is not None and phase in ("Failed",)) and phase not in ("Succeeded", "Failed")
            conds.append({"type": "PodReadyToStartContainers", "status": "True" if sandbox else "False", "lastProbeTime": None, "lastTransitionTime": self.t(start - 0.05)})
            if inits_done:
                conds.append({"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": self.t(start - 0.05 if not inits else start - 0.25)})
            else:
                pend = [c["name"] for c in istat if not ("terminated" in c["state"] and c["state"]["terminated"]["exitCode"] == 0)]
                conds.append({"type": "Initialized", "status": "False", "lastProbeTime": None, "lastTransitionTime": self.t(start - 0.05),
                              "reason": "ContainersNotInitialized", "message": "containers with incomplete status: [%s]" % " ".join(pend)})
            if all_ready and phase == "Running":
                conds.append({"type": "Ready", "status": "True", "lastProbeTime": None, "lastTransitionTime": self.t(rs)})
                conds.append({"type": "ContainersReady", "status": "True", "lastProbeTime": None, "lastTransitionTime": self.t(rs)})
            else:
                unready = [c["name"] for c in cstat if not c["ready"]]
                r = "PodCompleted" if phase in ("Succeeded", "Failed") and not unready == [] and all("terminated" in c["state"] for c in cstat) else "ContainersNotReady"
                msg = "containers with unready status: [%s]" % " ".join(unready)
                t = self.t(rs)
                if r == "PodCompleted":
                    conds.append({"type": "Ready", "status": "False", "lastProbeTime": None, "lastTransitionTime": t, "reason": r})
                    conds.append({"type": "ContainersReady", "status": "False", "lastProbeTime": None, "lastTransitionTime": t, "reason": r})
                else:
                    conds.append({"type": "Ready", "status": "False", "lastProbeTime": None, "lastTransitionTime": t, "reason": r, "message": msg})
                    conds.append({"type": "ContainersReady", "status": "False", "lastProbeTime": None, "lastTransitionTime": t, "reason": r, "message": msg})
            conds.append({"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": sched_t})
        else:
            conds.append({"type": "PodScheduled", "status": "False", "lastProbeTime": None, "lastTransitionTime": sched_t,
                          "reason": "Unschedulable", "message": unschedulable_msg})
        if extra_conditions:
            conds = extra_conditions + conds
        st["conditions"] = conds
        if message:
            st["message"] = message
        if reason:
            st["reason"] = reason
        if node and host_ip:
            hip = self.node_ips[node]
            st["hostIP"] = hip
            st["hostIPs"] = [{"ip": hip}]
            if ip:
                pip = hip if spec.get("hostNetwork") else self.pod_ip(node)
                st["podIP"] = pip
                st["podIPs"] = [{"ip": pip}]
        if node:
            st["startTime"] = self.t(start)
        if istat:
            st["initContainerStatuses"] = istat
        if cstat:
            st["containerStatuses"] = cstat
        st["qosClass"] = qos or self.qos(containers)
        p = {"metadata": m, "spec": spec, "status": st}
        self.add("Pod", p, ns)
        for c in cstat:
            if c["imageID"]:
                self.node_images[node].add((c["image"], c["imageID"]))
        return p

    def qos(self, containers):
        reqs = [c.get("resources", {}) for c in containers]
        if all(not r for r in reqs):
            return "BestEffort"
        guaranteed = True
        for r in reqs:
            lim = r.get("limits", {})
            req = r.get("requests", lim)
            if not lim.get("cpu") or not lim.get("memory") or req.get("cpu") != lim.get("cpu") or req.get("memory") != lim.get("memory"):
                guaranteed = False
        return "Guaranteed" if guaranteed else "Burstable"

    # ---- workloads
    def template(self, labels, containers, init=None, volumes=None, service_account=None, restart="Always",
                 node_selector=None, affinity=None, tolerations=None, host_network=False, host_pid=False,
                 security=None, pull_secrets=None, priority_class=None, grace=30, annotations=None,
                 active_deadline=None):
        spec = {}
        if volumes:
            spec["volumes"] = volumes
        if init:
            spec["initContainers"] = init
        spec["containers"] = containers
        spec["restartPolicy"] = restart
        spec["terminationGracePeriodSeconds"] = grace
        if active_deadline:
            spec["activeDeadlineSeconds"] = active_deadline
        spec["dnsPolicy"] = "ClusterFirstWithHostNet" if host_network else "ClusterFirst"
        if node_selector:
            spec["nodeSelector"] = node_selector
        if service_account:
            spec["serviceAccountName"] = service_account
            spec["serviceAccount"] = service_account
        if host_network:
            spec["hostNetwork"] = True
        if host_pid:
            spec["hostPID"] = True
        spec["securityContext"] = security or {}
        if pull_secrets:
            spec["imagePullSecrets"] = [{"name": s} for s in pull_secrets]
        if affinity:
            spec["affinity"] = affinity
        spec["schedulerName"] = "default-scheduler"
        if tolerations:
            spec["tolerations"] = tolerations
        if priority_class:
            spec["priorityClassName"] = priority_class
        md = {"creationTimestamp": None, "labels": dict(labels)}
        if annotations:
            md["annotations"] = annotations
        return {"metadata": md, "spec": spec}

    def healthy_log(self, pod, fn):
        if fn is None:
            return
        out = {}
        for c in pod["spec"]["containers"]:
            out[c["name"]] = fn(pod) if callable(fn) else list(fn)
        self.logs[(pod["metadata"]["namespace"], pod["metadata"]["name"])] = out

    def deployment(self, ns, name, containers, replicas=2, labels=None, ago=60 * 24 * 20, pod_ago=60 * 24 * 4,
                   nodes=None, revision=1, log=None, generation=None, rollout=None, old=None, pod_states=None,
                   pod_overrides=None, service_account=None, volumes=None, init=None, priority_class=None,
                   annotations=None, node_selector=None, affinity=None, pull_secrets=None, tolerations=None,
                   strategy=None, paused=False, progress=None, rs_conditions=None, rs_pods=None, extra_status=None,
                   template_annotations=None, security=None, progress_deadline=600, create_pods=True):
        """Deployment with one current ReplicaSet (and optionally an old one, `old=dict(containers=..., ...)`).

        pod_states: list (one per pod of the new RS) of dicts passed to Bundle.pod (states=..., node=..., ...).
        """
        labels = labels or {"app": name}
        sel = dict(labels)
        dlabels = dict(labels)
        tmpl = self.template(labels, containers, init=init, volumes=volumes, service_account=service_account,
                             priority_class=priority_class, node_selector=node_selector, affinity=affinity,
                             pull_secrets=pull_secrets, tolerations=tolerations, annotations=template_annotations,
                             security=security)
        gen = generation or revision
        dann = {"deployment.kubernetes.io/revision": str(revision)}
        if annotations:
            dann.update(annotations)
        dm = self.meta(name, ns, ago=ago, labels=dlabels, annotations=dann, generation=gen)
        strategy = strategy or {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}
        dspec = {"replicas": replicas, "selector": {"matchLabels": sel}, "template": tmpl, "strategy": strategy,
                 "revisionHistoryLimit": 10, "progressDeadlineSeconds": progress_deadline}
        if paused:
            dspec = {"replicas": replicas, "selector": {"matchLabels": sel}, "template": tmpl, "strategy": strategy,
                     "paused": True, "revisionHistoryLimit": 10, "progressDeadlineSeconds": progress_deadline}
        d = {"metadata": dm, "spec": dspec, "status": {}}
        self.add("Deployment", d, ns)
        nodes = nodes or [n for n in self.nodes if n.startswith("worker")]
        rsets = []
        all_pods = []
        if old:
            o_tmpl = self.template(labels, old["containers"], init=old.get("init", init), volumes=old.get("volumes", volumes),
                                   service_account=service_account, priority_class=priority_class,
                                   node_selector=old.get("node_selector", node_selector), affinity=affinity,
                                   pull_secrets=old.get("pull_secrets", pull_secrets), tolerations=tolerations, security=security)
            ors, opods = self._rs(d, ns, name, labels, o_tmpl, old["replicas"], old.get("revision", revision - 1),
                                  old.get("ago", ago), old.get("pod_ago", pod_ago), nodes, log, old.get("pod_states"), replicas,
                                  old.get("rs_replicas"), None, create_pods)
            rsets.append(ors)
            all_pods += opods
        nrs_replicas = rs_pods if rs_pods is not None else (len(pod_states) if pod_states is not None else replicas)
        nrs, npods = self._rs(d, ns, name, labels, tmpl, nrs_replicas, revision, (rollout if rollout is not None else ago),
                              pod_ago, nodes, log, pod_states, replicas, None, rs_conditions, create_pods, pod_overrides)
        rsets.append(nrs)
        all_pods += npods
        # status
        def ready(p):
            return any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"])
        total = sum(r["status"]["replicas"] for r in rsets)
        ready_n = sum(r["status"].get("readyReplicas", 0) for r in rsets)
        upd = nrs["status"]["replicas"]
        st = {"observedGeneration": gen, "replicas": total, "updatedReplicas": upd}
        if ready_n:
            st["readyReplicas"] = ready_n
            st["availableReplicas"] = ready_n
        if total - ready_n > 0 or replicas - ready_n > 0:
            st["unavailableReplicas"] = max(total - ready_n, replicas - ready_n)
        max_unavail = replicas - (replicas * 25 // 100)
        avail_ok = ready_n >= max_unavail
        t_av = self.t(ago - 1) if avail_ok else self.t(rollout if rollout is not None else pod_ago)
        conds = []
        if avail_ok:
            conds.append({"type": "Available", "status": "True", "lastUpdateTime": t_av, "lastTransitionTime": t_av,
                          "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."})
        else:
            conds.append({"type": "Available", "status": "False", "lastUpdateTime": t_av, "lastTransitionTime": t_av,
                          "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."})
        nname = nrs["metadata"]["name"]
        if progress == "complete":
            t1 = self.t((rollout if rollout is not None else pod_ago) - 0.5)
            conds.append({"type": "Progressing", "status": "True", "lastUpdateTime": t1, "lastTransitionTime": self.t(ago - 0.01),
                          "reason": "NewReplicaSetAvailable", "message": 'ReplicaSet "%s" has successfully progressed.' % nname})
            if not avail_ok:
                conds[0]["lastUpdateTime"] = conds[0]["lastTransitionTime"] = self.t((rollout if rollout is not None else pod_ago) - 2)
        elif progress:
            conds.append(progress)
        elif paused:
            t = self.t(rollout if rollout is not None else ago)
            conds.append({"type": "Progressing", "status": "Unknown", "lastUpdateTime": t, "lastTransitionTime": t,
                          "reason": "DeploymentPaused", "message": "Deployment is paused"})
        elif upd == replicas and ready_n >= replicas and len(rsets) == 1 or (upd == total and ready_n >= replicas):
            t1 = self.t((rollout if rollout is not None else pod_ago) - 0.5)
            conds.append({"type": "Progressing", "status": "True", "lastUpdateTime": t1, "lastTransitionTime": self.t(ago - 0.01),
                          "reason": "NewReplicaSetAvailable", "message": 'ReplicaSet "%s" has successfully progressed.' % nname})
        else:
            conds.append({"type": "Progressing", "status": "True", "lastUpdateTime": self.t(rollout if rollout is not None else 1),
                          "lastTransitionTime": self.t(ago - 0.01), "reason": "ReplicaSetUpdated",
                          "message": 'ReplicaSet "%s" is progressing.' % nname})
        if extra_status:
            st.update(extra_status)
        st["conditions"] = conds
        d["status"] = st
        d["_rs"] = rsets
        d["_pods"] = all_pods
        return d

    def _rs(self, d, ns, name, labels, tmpl, n, revision, ago, pod_ago, nodes, log, pod_states, desired, rs_replicas,
            rs_conditions, create_pods, pod_overrides=None):
        h = self.rand_suffix(self.rng.choice([9, 10, 10]))
        rsname = "%s-%s" % (name, h)
        rl = dict(labels, **{"pod-template-hash": h})
        t = json.loads(json.dumps(tmpl))
        t["metadata"]["labels"]["pod-template-hash"] = h
        ann = {"deployment.kubernetes.io/desired-replicas": str(desired),
               "deployment.kubernetes.io/max-replicas": str(desired + max(1, -(-desired * 25 // 100))),
               "deployment.kubernetes.io/revision": str(revision)}
        m = self.meta(rsname, ns, ago=ago, labels=rl, annotations=ann, owner=("Deployment", "apps/v1", d), generation=1 + (0 if n else 1))
        spec_n = rs_replicas if rs_replicas is not None else n
        rs = {"metadata": m, "spec": {"replicas": spec_n, "selector": {"matchLabels": rl}, "template": t}, "status": {}}
        self.add("ReplicaSet", rs, ns)
        pods = []
        if create_pods:
            for i in range(n):
                ps = dict((pod_states or [{}] * n)[i] if pod_states else {})
                if pod_overrides:
                    ps = dict(pod_overrides, **ps)
                node = ps.pop("node", nodes[i % len(nodes)])
                pname = ps.pop("name", "%s-%s" % (rsname, self.rand_suffix(5)))
                p = self.pod(ns, pname, t["spec"], rl, owner=("ReplicaSet", "apps/v1", rs), node=node,
                             ago=ps.pop("ago", pod_ago - i * 0.3), generate_name=rsname + "-", **ps)
                pods.append(p)
                if log and node:
                    self.healthy_log(p, log)
        readyn = sum(1 for p in pods if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"]))
        live = [p for p in pods if p["status"]["phase"] not in ("Failed", "Succeeded")]
        st = {"replicas": len(live) if create_pods else spec_n}
        if st["replicas"]:
            st["fullyLabeledReplicas"] = st["replicas"]
        if readyn:
            st["readyReplicas"] = readyn
            st["availableReplicas"] = readyn
        st["observedGeneration"] = m["generation"]
        if rs_conditions:
            st["conditions"] = rs_conditions
        rs["status"] = st
        rs["_pods"] = pods
        return rs, pods

    def statefulset(self, ns, name, containers, replicas=1, labels=None, ago=60 * 24 * 20, pod_ago=60 * 24 * 4,
                    nodes=None, log=None, pod_states=None, service_name=None, claims=None, volumes=None, init=None,
                    storage_class="standard", pvc_status=None, service_account=None, annotations=None):
        labels = labels or {"app": name}
        tmpl = self.template(labels, containers, init=init, volumes=volumes, service_account=service_account,
                             annotations=annotations)
        rev = "%s-%s" % (name, self.rand_suffix(10))
        vcts = []
        for cname, size in (claims or []):
            vcts.append({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": cname, "creationTimestamp": None},
                         "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": storage_class,
                                  "resources": {"requests": {"storage": size}}, "volumeMode": "Filesystem"},
                         "status": {"phase": "Pending"}})
        m = self.meta(name, ns, ago=ago, labels=labels, generation=1)
        spec = {"replicas": replicas, "selector": {"matchLabels": labels}, "template": tmpl,
                "serviceName": service_name or name, "podManagementPolicy": "OrderedReady",
                "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}},
                "revisionHistoryLimit": 10, "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"}}
        if vcts:
            spec["volumeClaimTemplates"] = vcts
        ss = {"metadata": m, "spec": spec, "status": {}}
        self.add("StatefulSet", ss, ns)
        cr = {"metadata": self.meta(rev, ns, ago=ago, labels=dict(labels, **{"controller.kubernetes.io/hash": rev.rsplit("-", 1)[1]}),
                                    owner=("StatefulSet", "apps/v1", ss)),
              "data": {"spec": {"template": {"$patch": "replace", "metadata": tmpl["metadata"], "spec": tmpl["spec"]}}}, "revision": 1}
        self.add("ControllerRevision", cr, ns)
        nodes = nodes or [n for n in self.nodes if n.startswith("worker")]
        pods = []
        for i in range(replicas if pod_states is None else len(pod_states)):
            ps = dict(pod_states[i]) if pod_states else {}
            node = ps.pop("node", nodes[i % len(nodes)])
            pname = "%s-%d" % (name, i)
            pl = dict(labels, **{"apps.kubernetes.io/pod-index": str(i), "controller-revision-hash": rev,
                                 "statefulset.kubernetes.io/pod-name": pname})
            t = json.loads(json.dumps(tmpl["spec"]))
            for cname, _ in (claims or []):
                t.setdefault("volumes", []).insert(0, {"name": cname, "persistentVolumeClaim": {"claimName": "%s-%s-%d" % (cname, name, i)}})
            t["hostname"] = pname
            t["subdomain"] = service_name or name
            p = self.pod(ns, pname, t, pl, owner=("StatefulSet", "apps/v1", ss), node=node,
                         ago=ps.pop("ago", pod_ago - i * 0.5), generate_name=name + "-", **ps)
            pods.append(p)
            if log and node:
                self.healthy_log(p, log)
            for cname, size in (claims or []):
                pvcname = "%s-%s-%d" % (cname, name, i)
                bound = (pvc_status or {}).get(pvcname, "Bound")
                self.pvc(ns, pvcname, size, storage_class, labels=labels, bound=(bound == "Bound"), ago=ago - i * 2)
        readyn = sum(1 for p in pods if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"]))
        st = {"observedGeneration": 1, "replicas": len(pods)}
        if readyn:
            st["readyReplicas"] = readyn
        st.update({"currentReplicas": len(pods), "updatedReplicas": len(pods), "currentRevision": rev, "updateRevision": rev,
                   "collisionCount": 0})
        st["availableReplicas"] = readyn
        ss["status"] = st
        ss["_pods"] = pods
        return ss

    def pvc(self, ns, name, size, storage_class, labels=None, bound=True, ago=60 * 24 * 20, access=("ReadWriteOnce",),
            provisioner="ebs.csi.aws.com", volume_name=None):
        ann = {"pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
               "volume.beta.kubernetes.io/storage-provisioner": provisioner,
               "volume.kubernetes.io/storage-provisioner": provisioner} if bound else None
        if not bound and provisioner:
            ann = {"volume.beta.kubernetes.io/storage-provisioner": provisioner, "volume.kubernetes.io/storage-provisioner": provisioner}
        m = self.meta(name, ns, ago=ago, labels=labels, annotations=ann)
        m["finalizers"] = ["kubernetes.io/pvc-protection"]
        spec = {"accessModes": list(access), "resources": {"requests": {"storage": size}}}
        if storage_class is not None:
            spec["storageClassName"] = storage_class
        spec["volumeMode"] = "Filesystem"
        pvname = None
        if bound:
            pvname = volume_name or "pvc-" + m["uid"]
            spec["volumeName"] = pvname
            status = {"phase": "Bound", "accessModes": list(access), "capacity": {"storage": size}}
        else:
            status = {"phase": "Pending"}
        pvc = {"metadata": m, "spec": spec, "status": status}
        self.add("PersistentVolumeClaim", pvc, ns)
        if bound:
            self.pv(pvname, pvc, storage_class, provisioner, ago=ago - 0.1)
        return pvc

    def pv(self, name, pvc, storage_class, provisioner, ago):
        size = pvc["spec"]["resources"]["requests"]["storage"]
        zone = "eu-west-1a"
        m = self.meta(name, ago=ago, annotations={"pv.kubernetes.io/provisioned-by": provisioner,
                                                  "volume.kubernetes.io/provisioner-deletion-secret-name": "",
                                                  "volume.kubernetes.io/provisioner-deletion-secret-namespace": ""})
        m["finalizers"] = ["external-provisioner.volume.kubernetes.io/finalizer", "kubernetes.io/pv-protection", "external-attacher/ebs-csi-aws-com"]
        pv = {"metadata": m, "spec": {
            "capacity": {"storage": size},
            "csi": {"driver": provisioner, "volumeHandle": "vol-0" + self.hex(16), "fsType": "ext4",
                    "volumeAttributes": {"storage.kubernetes.io/csiProvisionerIdentity": "1730000000000-%d-%s" % (self.rng.randint(1000, 9999), provisioner)}},
            "accessModes": pvc["spec"]["accessModes"],
            "claimRef": {"kind": "PersistentVolumeClaim", "namespace": pvc["metadata"]["namespace"], "name": pvc["metadata"]["name"],
                         "uid": pvc["metadata"]["uid"], "apiVersion": "v1", "resourceVersion": pvc["metadata"]["resourceVersion"]},
            "persistentVolumeReclaimPolicy": "Delete", "storageClassName": storage_class, "volumeMode": "Filesystem",
            "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "topology.kubernetes.io/zone", "operator": "In", "values": [zone]}]}]}}},
            "status": {"phase": "Bound", "lastPhaseTransitionTime": self.t(ago)}}
        self.add("PersistentVolume", pv)
        return pv

    def storageclass(self, name, provisioner="ebs.csi.aws.com", default=False, params=None, binding="WaitForFirstConsumer"):
        ann = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
        m = self.meta(name, ago=60 * 24 * 41, annotations=ann)
        sc = {"metadata": m, "provisioner": provisioner, "parameters": params or {"type": "gp3", "fsType": "ext4"},
              "reclaimPolicy": "Delete", "allowVolumeExpansion": True, "volumeBindingMode": binding}
        self.add("StorageClass", sc)
        return sc

    def daemonset(self, ns, name, containers, labels=None, ago=60 * 24 * 20, pod_ago=60 * 24 * 4, nodes=None, log=None,
                  pod_states=None, host_network=False, host_pid=False, priority_class=None, service_account=None,
                  tolerations=None, volumes=None, create_pods=True, status=None, security=None):
        labels = labels or {"app": name}
        tmpl = self.template(labels, containers, volumes=volumes, service_account=service_account, host_network=host_network,
                             host_pid=host_pid, priority_class=priority_class, tolerations=tolerations, security=security)
        m = self.meta(name, ns, ago=ago, labels=labels, annotations={"deprecated.daemonset.template.generation": "1"}, generation=1)
        ds = {"metadata": m, "spec": {"selector": {"matchLabels": labels}, "template": tmpl,
                                      "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}},
                                      "revisionHistoryLimit": 10}, "status": {}}
        self.add("DaemonSet", ds, ns)
        rev = self.rand_suffix(10)
        cr = {"metadata": self.meta("%s-%s" % (name, rev), ns, ago=ago, labels=dict(labels, **{"controller-revision-hash": rev}),
                                    annotations={"deprecated.daemonset.template.generation": "1"}, owner=("DaemonSet", "apps/v1", ds)),
              "data": {"spec": {"template": {"$patch": "replace", "metadata": tmpl["metadata"], "spec": tmpl["spec"]}}}, "revision": 1}
        self.add("ControllerRevision", cr, ns)
        all_nodes = list(self.nodes)
        if tolerations is None:
            all_nodes = [n for n in all_nodes if not self.nodes[n]["spec"].get("taints")]
        nodes = nodes or all_nodes
        pods = []
        if create_pods:
            for i, node in enumerate(nodes):
                ps = dict(pod_states[i]) if pod_states and i < len(pod_states) else {}
                pl = dict(labels, **{"controller-revision-hash": rev, "pod-template-generation": "1"})
                t = json.loads(json.dumps(tmpl["spec"]))
                t["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                    {"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}]}}}
                tol = list(t.get("tolerations", []))
                if not any(x.get("operator") == "Exists" and "key" not in x for x in tol):
                    tol += DS_TOLERATIONS
                t["tolerations"] = tol
                pname = ps.pop("name", "%s-%s" % (name, self.rand_suffix(5)))
                p = self.pod(ns, pname, t, pl, owner=("DaemonSet", "apps/v1", ds), node=node,
                             ago=ps.pop("ago", pod_ago - i * 0.4), generate_name=name + "-", **ps)
                pods.append(p)
                if log:
                    self.healthy_log(p, log)
        readyn = sum(1 for p in pods if any(c["type"] == "Ready" and c["status"] == "True" for c in p["status"]["conditions"]))
        st = status or {"currentNumberScheduled": len(pods), "numberMisscheduled": 0, "desiredNumberScheduled": len(nodes),
                        "numberReady": readyn, "observedGeneration": 1, "updatedNumberScheduled": len(pods),
                        "numberAvailable": readyn}
        if not status and readyn < len(nodes):
            st["numberUnavailable"] = len(nodes) - readyn
            if not readyn:
                del st["numberAvailable"]
        ds["status"] = st
        ds["_pods"] = pods
        return ds

    def configmap(self, ns, name, data, ago=60 * 24 * 15, labels=None):
        cm = {"metadata": self.meta(name, ns, ago=ago, labels=labels), "data": data}
        return self.add("ConfigMap", cm, ns)

    def secret(self, ns, name, keys, typ="Opaque", ago=60 * 24 * 15, labels=None):
        s = {"metadata": self.meta(name, ns, ago=ago, labels=labels), "data": {k: "" for k in keys}, "type": typ}
        return self.add("Secret", s, ns)

    def std_config(self, ns):
        """kube-root-ca.crt, as present in every namespace."""
        self.configmap(ns, "kube-root-ca.crt", {"ca.crt": "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIN3p1dTk9aLMwDQYJKoZIhvcNAQELBQAwFTETMBEGA1UE\nAxMKa3ViZXJuZXRlczAeFw0yNjEwMTAwNzA1MjRaFw0zNjEwMDgwNzEwMjRaMBUx\n-----END CERTIFICATE-----\n"},
                       ago=60 * 24 * 30)

    # ---- events
    def _ev_name(self, obj_name, first_dt):
        ns = int(first_dt.timestamp() * 1e9) + self.rng.randint(0, 999_999_999)
        return "%s.%x" % (obj_name, ns)

    def ref(self, obj, field_path=None):
        kind, api, _ = self.kinds[obj["metadata"]["uid"]]
        r = {"kind": kind}
        if obj["metadata"].get("namespace"):
            r["namespace"] = obj["metadata"]["namespace"]
        r["name"] = obj["metadata"]["name"]
        r["uid"] = obj["metadata"]["uid"]
        r["apiVersion"] = api
        r["resourceVersion"] = obj["metadata"]["resourceVersion"]
        if field_path:
            r["fieldPath"] = field_path
        return r

    def event(self, obj, reason, message, typ="Normal", component="kubelet", host=None, count=1, first_ago=5.0,
              last_ago=None, field_path=None, ns=None, container=None):
        """Classic core/v1 event (count, firstTimestamp, lastTimestamp, source.component)."""
        last_ago = first_ago if last_ago is None else last_ago
        kind = self.kinds[obj["metadata"]["uid"]][0]
        if kind == "Pod" and host is None and component == "kubelet":
            host = obj["spec"].get("nodeName")
        if container and not field_path:
            field_path = "spec.containers{%s}" % container
        evns = ns or obj["metadata"].get("namespace") or "default"
        if kind == "Node":
            inv = {"kind": "Node", "name": obj["metadata"]["name"], "uid": obj["metadata"]["name"]}
            if component != "kubelet":
                inv = {"kind": "Node", "name": obj["metadata"]["name"], "uid": obj["metadata"]["uid"], "apiVersion": "v1"}
        else:
            inv = self.ref(obj, field_path)
        f = self.dt(first_ago)
        m = {"name": self._ev_name(obj["metadata"]["name"], f), "namespace": evns, "uid": self.uid(),
             "resourceVersion": self.rv(), "creationTimestamp": self.t(first_ago)}
        src = {"component": component}
        if host:
            src["host"] = host
        e = {"metadata": m, "involvedObject": inv, "reason": reason, "message": message, "source": src,
             "firstTimestamp": self.t(first_ago), "lastTimestamp": self.t(last_ago), "count": count, "type": typ,
             "eventTime": None, "reportingComponent": component, "reportingInstance": host or ""}
        self.ns[evns]["events.json"].append(e)
        return e

    def sched_event(self, pod, reason, message, first_ago, series=None, action=None, typ=None):
        """New-style events.k8s.io event (eventTime + series) as the core/v1 API shows it."""
        f = self.dt(first_ago)
        t = f.replace(microsecond=self.rng.randint(0, 999999))
        ns = pod["metadata"]["namespace"]
        m = {"name": self._ev_name(pod["metadata"]["name"], f), "namespace": ns, "uid": self.uid(),
             "resourceVersion": self.rv(), "creationTimestamp": self.t(first_ago)}
        inv = {"kind": "Pod", "namespace": ns, "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"],
               "apiVersion": "v1", "resourceVersion": pod["metadata"]["resourceVersion"]}
        e = {"metadata": m, "involvedObject": inv, "reason": reason, "message": message, "source": {},
             "firstTimestamp": None, "lastTimestamp": None, "type": typ or ("Warning" if reason == "FailedScheduling" else "Normal"),
             "eventTime": fmt_micro(t)}
        if series:
            cnt, last_ago = series
            lt = self.dt(last_ago).replace(microsecond=self.rng.randint(0, 999999))
            e["series"] = {"count": cnt, "lastObservedTime": fmt_micro(lt)}
        e["action"] = action or ("Binding" if reason == "Scheduled" else "Scheduling")
        e["reportingComponent"] = "default-scheduler"
        e["reportingInstance"] = "default-scheduler-control-plane-1"
        self.ns[ns]["events.json"].append(e)
        return e

    def start_events(self, pod, ago=None, pulled=True, pull_secs=None, containers=None):
        """Scheduled + Pulling/Pulled + Created + Started for a (recent) healthy pod."""
        ago = ago if ago is not None else self._ago_of(pod)
        node = pod["spec"]["nodeName"]
        self.sched_event(pod, "Scheduled", "Successfully assigned %s/%s to %s" % (pod["metadata"]["namespace"], pod["metadata"]["name"], node), ago)
        t = ago - 0.02
        for c in pod["spec"].get("initContainers", []) + pod["spec"]["containers"]:
            if containers and c["name"] not in containers:
                continue
            kind = "initContainers" if c in pod["spec"].get("initContainers", []) else "containers"
            fp = "spec.%s{%s}" % (kind, c["name"])
            if pulled:
                secs = pull_secs or round(1 + self.rng.random() * 6, 3)
                self.event(pod, "Pulling", 'Pulling image "%s"' % c["image"], first_ago=t, field_path=fp)
                self.event(pod, "Pulled", 'Successfully pulled image "%s" in %.3fs (%.3fs including waiting). Image size: %d bytes.'
                           % (c["image"], secs, secs, self.rng.randint(20_000_000, 400_000_000)), first_ago=t - secs / 60, field_path=fp)
                t -= secs / 60
            else:
                self.event(pod, "Pulled", 'Container image "%s" already present on machine' % c["image"], first_ago=t, field_path=fp)
            self.event(pod, "Created", "Created container %s" % c["name"], first_ago=t - 0.01, field_path=fp)
            self.event(pod, "Started", "Started container %s" % c["name"], first_ago=t - 0.015, field_path=fp)
            t -= 0.03

    def _ago_of(self, obj):
        c = datetime.strptime(obj["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        return (self.now - c).total_seconds() / 60

    def rs_events(self, rs, pods=None, ago=None):
        for p in (pods if pods is not None else rs["_pods"]):
            a = self._ago_of(p) if ago is None else ago
            self.event(rs, "SuccessfulCreate", "Created pod: %s" % p["metadata"]["name"], component="replicaset-controller", first_ago=a + 0.005)

    def scaled(self, d, rs, to, frm=0, ago=5.0, down=False):
        self.event(d, "ScalingReplicaSet", "Scaled %s replica set %s to %d from %d" % ("down" if down else "up", rs["metadata"]["name"], to, frm),
                   component="deployment-controller", first_ago=ago)

    # ---- other objects
    def quota(self, ns, name, hard, used, ago=60 * 24 * 30):
        q = {"metadata": self.meta(name, ns, ago=ago), "spec": {"hard": hard}, "status": {"hard": hard, "used": used}}
        return self.add("ResourceQuota", q, ns)

    def limitrange(self, ns, name, limits, ago=60 * 24 * 30):
        lr = {"metadata": self.meta(name, ns, ago=ago), "spec": {"limits": limits}}
        return self.add("LimitRange", lr, ns)

    def log(self, pod, container, lines, previous=False):
        key = (pod["metadata"]["namespace"], pod["metadata"]["name"])
        d = self.prev_logs if previous else self.logs
        d.setdefault(key, {})[container] = lines if isinstance(lines, list) else lines.rstrip("\n").split("\n")

    def expect(self, category, namespace, workload, cause_mentions, description, red_herring=None, affected=None):
        """`affected`: (namespace, "Kind/name") of workloads failing because of this cause, which a
        diagnosis must list under it rather than as roots of their own."""
        self.expected = {"category": category, "namespace": namespace, "workload": workload,
                         "cause_mentions": cause_mentions, "red_herring": red_herring, "description": description}
        if affected:
            self.expected["affected"] = [{"namespace": ns, "workload": w} for ns, w in affected]

    # ---- output
    def _finish_nodes(self):
        for name, n in self.nodes.items():
            imgs = sorted(self.node_images.get(name, []))
            n["status"]["images"] = [{"names": [iid, img], "sizeBytes": 10_000_000 + int(iid[-6:], 16) * 17}
                                     for img, iid in imgs]
            if not n["status"]["images"]:
                del n["status"]["images"]

    @staticmethod
    def _clean(o):
        if isinstance(o, dict):
            return {k: Bundle._clean(v) for k, v in o.items() if not k.startswith("_")}
        if isinstance(o, list):
            return [Bundle._clean(v) for v in o]
        return o

    def _list(self, fname, items, table):
        lk, lapi, _, _ = table[fname]
        rvs = [int(i["metadata"]["resourceVersion"]) for i in items if i.get("metadata", {}).get("resourceVersion")]
        return {"kind": lk, "apiVersion": lapi, "metadata": {"resourceVersion": str(max(rvs) if rvs else self._rv)},
                "items": [self._clean(i) for i in items]}

    def write(self, root, compact=False):
        self._finish_nodes()
        os.makedirs(root, exist_ok=True)
        total = 0
        def dump(path, obj):
            nonlocal total
            s = json.dumps(obj, separators=(",", ":")) if compact else json.dumps(obj, indent=4)
            with open(path, "w") as f:
                f.write(s + "\n")
            total += len(s) + 1
        for f in ["nodes.json", "namespaces.json", "persistentvolumes.json", "storageclasses.json"]:
            if self.dump_only and f != "nodes.json":
                continue
            if f in ("nodes.json", "namespaces.json") or self.cluster.get(f):
                dump(os.path.join(root, f), self._list(f, self.cluster.get(f, []), CLUSTER_FILES))
        for ns, files in self.ns.items():
            d = os.path.join(root, ns)
            os.makedirs(d, exist_ok=True)
            if "events.json" in files:
                files["events.json"].sort(key=lambda e: e["lastTimestamp"] or (e.get("series") or {}).get("lastObservedTime") or e["eventTime"])
            for f in NS_FILES:
                if self.dump_only and f not in BASE_NS_FILES:
                    continue
                if f in BASE_NS_FILES or files.get(f) or f in self.force_files.get(ns, ()):
                    dump(os.path.join(d, f), self._list(f, files.get(f, []), NS_FILES))
            for p in files.get("pods.json", []):
                key = (ns, p["metadata"]["name"])
                # `kubectl logs` on a container waiting in CrashLoopBackOff returns the last (dead) instance's output
                if key in self.prev_logs:
                    for c in p["status"].get("initContainerStatuses", []) + p["status"].get("containerStatuses", []):
                        w = c["state"].get("waiting")
                        if w and w["reason"] == "CrashLoopBackOff" and c["name"] in self.prev_logs[key]:
                            self.logs.setdefault(key, {}).setdefault(c["name"], self.prev_logs[key][c["name"]])
                for fname, src in (("logs.txt", self.logs), ("previous-logs.txt", self.prev_logs)):
                    if key not in src or (self.dump_only and fname == "previous-logs.txt"):
                        continue
                    pd = os.path.join(d, p["metadata"]["name"])
                    os.makedirs(pd, exist_ok=True)
                    out = []
                    names = [c["name"] for c in p["spec"].get("initContainers", []) + p["spec"]["containers"]]
                    for cname in names:
                        if cname not in src[key]:
                            continue
                        out.append("==== START logs for container %s of pod %s/%s ====" % (cname, ns, p["metadata"]["name"]))
                        out.extend(src[key][cname])
                        out.append("==== END logs for container %s of pod %s/%s ====" % (cname, ns, p["metadata"]["name"]))
                    s = "\n".join(out) + "\n"
                    with open(os.path.join(pd, fname), "w") as fh:
                        fh.write(s)
                    total += len(s)
        if self.ci:
            os.makedirs(os.path.join(root, "ci"), exist_ok=True)
            dump(os.path.join(root, "ci", "runs.json"), self.ci)
        if self.expected:
            dump(os.path.join(root, "expected.json"), self.expected)
        return total
