"""Scenarios whose cause sits in another object than the loudest symptom: a node starved by one
workload, cluster DNS, a failing dependency behind a Service, and controllers that are Running and
Ready but fail in their logs (issue 16)."""

from common import scenario, new_bundle, background, fix_backoff, backoff_event, restart_events, ts_log, go_json_log, postgres_log
from k8sfix import ctr, probe, cs, term, env_val, env_secret


def evicted_then_replaced(b, d, evmsg, node, new_node, evicted_ago, log, resource_reason="memory"):
    """The Deployment's only pod was evicted from `node` (phase Failed, reason Evicted, as the kubelet
    leaves it) and the ReplicaSet created a replacement on `new_node`."""
    ev = d["_pods"][0]
    for c in ev["status"]["conditions"]:
        if c["type"] == "PodReadyToStartContainers":
            c.update({"status": "False", "lastTransitionTime": b.t(evicted_ago - 0.2)})
        if c["type"] in ("Ready", "ContainersReady"):
            c.update({"lastTransitionTime": b.t(evicted_ago - 0.1), "reason": "PodCompleted"}); c.pop("message", None)
    ev["status"].pop("podIP", None); ev["status"].pop("podIPs", None)
    rs = d["_rs"][-1]
    t = rs["spec"]["template"]
    rp = b.pod(ev["metadata"]["namespace"], "%s-%s" % (rs["metadata"]["name"], b.rand_suffix()), t["spec"], t["metadata"]["labels"],
               owner=("ReplicaSet", "apps/v1", rs), node=new_node, ago=evicted_ago - 0.15, generate_name=rs["metadata"]["name"] + "-")
    b.healthy_log(rp, log)
    rs["status"].update({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1})
    d["status"].update({"replicas": 1, "readyReplicas": 1, "availableReplicas": 1})
    d["status"].pop("unavailableReplicas", None)
    d["status"]["conditions"][0].update({"status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."})
    b.event(ev, "Evicted", evmsg, typ="Warning", first_ago=evicted_ago, host=node)
    for c in ev["spec"]["containers"]:
        b.event(ev, "Killing", "Stopping container %s" % c["name"], first_ago=evicted_ago, container=c["name"])
    b.event(rs, "SuccessfulCreate", "Created pod: %s" % rp["metadata"]["name"], component="replicaset-controller", first_ago=evicted_ago - 0.16)
    b.start_events(rp, pulled=False)
    return ev, rp


def evicted_state(b, cname, evmsg, node, pod_ago, evicted_ago):
    return dict(node=node, phase="Failed", reason="Evicted", message=evmsg, ago=pod_ago,
                states={cname: cs("terminated", reason="ContainerStatusUnknown", exit_code=137,
                                  message="The container could not be located when the pod was terminated",
                                  started_ago=pod_ago - 0.3, finished_ago=evicted_ago - 0.1)},
                extra_conditions=[{"type": "DisruptionTarget", "status": "True", "lastProbeTime": None, "lastTransitionTime": b.t(evicted_ago),
                                   "reason": "TerminationByKubelet", "message": evmsg}])


@scenario
def node_memory_pressure():
    b = new_bundle("node-memory-pressure")
    n1 = b.nodes["worker-1"]
    n1["status"]["conditions"] = b.node_conditions(60 * 24 * 40, memory=b.t(9.4))
    n1["spec"]["taints"] = [{"key": "node.kubernetes.io/memory-pressure", "effect": "NoSchedule", "timeAdded": b.t(9.3)}]
    background(b, cart_nodes=["worker-2", "worker-3"])
    # search-indexer: a memory request, no memory limit, and a bulk re-index that grows the heap.
    idx = ctr("indexer", "registry.example.com/shop/search-indexer:4.2.0", ports=[9200], port_names=["http"],
              requests={"cpu": "250m", "memory": "256Mi"}, env=[env_val("INDEXER_BATCH_SIZE", "50000"), env_val("NODE_OPTIONS", "--max-old-space-size=4096")])
    evmsg = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 87240Ki. "
             "Container indexer was using 1887436Ki, request is 256Mi, has larger consumption of memory.")
    d = b.deployment("shop", "search-indexer", [idx], replicas=1, revision=5, pod_ago=60 * 24, nodes=["worker-1"],
                     pod_states=[evicted_state(b, "indexer", evmsg, "worker-1", 60 * 24, 8.9)])
    b.service("shop", "search-indexer", {"app": "search-indexer"}, [("http", 9200, "http")])
    indexer_log = ["search-indexer 4.2.0 listening on :9200",
                   "[%s] INFO full re-index requested: 2400000 documents, batch size 50000" % ts_log(b, 7.5)]
    evicted_then_replaced(b, d, evmsg, "worker-1", "worker-1", 8.9, indexer_log)
    # a neighbour evicted under the same pressure, using less than it asked for
    co = ctr("checkout", "registry.example.com/shop/checkout:2.9.1", ports=[8080], port_names=["http"],
             requests={"cpu": "100m", "memory": "192Mi"}, limits={"memory": "384Mi"}, readiness=probe(path="/healthz", port=8080))
    comsg = ("The node was low on resource: memory. Threshold quantity: 100Mi, available: 91232Ki. "
             "Container checkout was using 178432Ki, request is 192Mi, has larger consumption of memory.")
    cd = b.deployment("shop", "checkout", [co], replicas=1, revision=9, pod_ago=60 * 24 * 2,
                      pod_states=[evicted_state(b, "checkout", comsg, "worker-1", 60 * 24 * 2, 6.2)])
    b.service("shop", "checkout", {"app": "checkout"}, [("http", 80, "http")])
    evicted_then_replaced(b, cd, comsg, "worker-1", "worker-3", 6.2, lambda p: go_json_log(b, "checkout", 4, 5))
    b.event(n1, "NodeHasInsufficientMemory", "Node worker-1 status is now: NodeHasInsufficientMemory", host="worker-1", first_ago=9.4)
    b.event(n1, "EvictionThresholdMet", "Attempting to reclaim memory", typ="Warning", host="worker-1", count=4, first_ago=9.3, last_ago=1.1)
    b.expect("node-problem", "shop", "Deployment/search-indexer", ["search-indexer", "limit"],
             "search-indexer requests 256Mi but sets no memory limit; a bulk re-index grew it to 1.8Gi, worker-1 hit MemoryPressure and the kubelet evicted it and its neighbour checkout.",
             red_herring="The Node condition MemoryPressure and the Evicted checkout pod look like the problem; both come from search-indexer's unbounded memory.",
             affected=[("shop", "Deployment/checkout")])
    return b


@scenario
def node_ephemeral_storage():
    b = new_bundle("node-ephemeral-storage")
    n2 = b.nodes["worker-2"]
    n2["status"]["conditions"] = b.node_conditions(60 * 24 * 40, disk=b.t(12.2))
    n2["spec"]["taints"] = [{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule", "timeAdded": b.t(12.1)}]
    background(b, cart_nodes=["worker-1", "worker-3"])
    tc = ctr("transcoder", "registry.example.com/media/transcoder:1.7.3", requests={"cpu": "500m", "memory": "512Mi"}, limits={"memory": "1Gi"},
             env=[env_val("WORK_DIR", "/scratch")], mounts=[{"name": "scratch", "mountPath": "/scratch"}])
    tmsg = ("The node was low on resource: ephemeral-storage. Threshold quantity: 7303286Ki, available: 5876224Ki. "
            "Container transcoder was using 41943040Ki, request is 0, has larger consumption of ephemeral-storage.")
    d = b.deployment("shop", "video-transcoder", [tc], replicas=1, revision=2, pod_ago=60 * 20, nodes=["worker-2"],
                     volumes=[{"name": "scratch", "emptyDir": {}}],
                     pod_states=[evicted_state(b, "transcoder", tmsg, "worker-2", 60 * 20, 11.6)])
    evicted_then_replaced(b, d, tmsg, "worker-2", "worker-3", 11.6,
                          ["[%s] transcoder 1.7.3: watching queue media-jobs, work dir /scratch" % ts_log(b, 11.3)])
    rep = ctr("thumbnails", "registry.example.com/media/thumbnails:0.8.0", requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"})
    rmsg = ("The node was low on resource: ephemeral-storage. Threshold quantity: 7303286Ki, available: 6012928Ki. "
            "Container thumbnails was using 2048Ki, request is 0, has larger consumption of ephemeral-storage.")
    rd = b.deployment("shop", "thumbnails", [rep], replicas=1, revision=4, pod_ago=60 * 30, nodes=["worker-2"],
                      pod_states=[evicted_state(b, "thumbnails", rmsg, "worker-2", 60 * 30, 9.8)])
    evicted_then_replaced(b, rd, rmsg, "worker-2", "worker-1", 9.8, ["thumbnails 0.8.0 ready"])
    b.event(n2, "NodeHasDiskPressure", "Node worker-2 status is now: NodeHasDiskPressure", host="worker-2", first_ago=12.2)
    b.event(n2, "EvictionThresholdMet", "Attempting to reclaim ephemeral-storage", typ="Warning", host="worker-2", count=3, first_ago=12.1, last_ago=2.4)
    b.expect("node-problem", "shop", "Deployment/video-transcoder", ["video-transcoder", "ephemeral-storage"],
             "video-transcoder writes 40Gi of intermediate files to an emptyDir with no ephemeral-storage limit, driving worker-2 into DiskPressure; the kubelet evicted it and the thumbnails pod next to it.",
             red_herring="worker-2's DiskPressure looks like a node disk problem, but image garbage collection is fine: one pod filled the disk.",
             affected=[("shop", "Deployment/thumbnails")])
    return b


def coredns_pods(b):
    return [p for p in b.ns["kube-system"]["pods.json"] if p["metadata"]["name"].startswith("coredns")]


@scenario
def dns_coredns_loop():
    b = new_bundle("dns-coredns-loop")
    background(b)
    cd = [d for d in b.ns["kube-system"]["deployments.json"] if d["metadata"]["name"] == "coredns"][0]
    loop_log = [".:53", "[INFO] plugin/reload: Running configuration SHA512 = 591cf328cccc12bc490481273e738df59329c62c0b729d94e8b61db9961c2fa5f046dd37f1cf888b953814040d180f52594972691cd6ff41be96639138a43908",
                "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9",
                '[FATAL] plugin/loop: Loop (127.0.0.1:46213 -> :53) detected for zone ".", see https://coredns.io/plugins/loop#troubleshooting. Query: "HINFO 6120863482749920743.4457212097461370512."']
    for i, p in enumerate(coredns_pods(b)):
        c = p["status"]["containerStatuses"][0]
        c.update({"ready": False, "started": False, "restartCount": 7,
                  "state": {"waiting": {"reason": "CrashLoopBackOff"}},
                  "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": b.t(2.9 - i * 0.4), "finishedAt": b.t(2.88 - i * 0.4),
                                               "containerID": "containerd://" + b.hex(64)}}})
        for cond in p["status"]["conditions"]:
            if cond["type"] in ("Ready", "ContainersReady"):
                cond.update({"status": "False", "lastTransitionTime": b.t(14.1), "reason": "ContainersNotReady",
                             "message": "containers with unready status: [coredns]"})
        b.log(p, "coredns", loop_log, previous=True)
        b.logs.pop(("kube-system", p["metadata"]["name"]), None)
        restart_events(b, p, "coredns", "registry.k8s.io/coredns/coredns:v1.11.3", 8, 14.2, 2.9 - i * 0.4)
        backoff_event(b, p, "coredns", 61, 14.0, 0.2)
    fix_backoff(coredns_pods(b))
    cd["status"].update({"readyReplicas": 0, "availableReplicas": 0, "unavailableReplicas": 2})
    cd["status"].pop("readyReplicas"); cd["status"].pop("availableReplicas")
    cd["status"]["conditions"][0].update({"status": "False", "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability.",
                                          "lastUpdateTime": b.t(14.1), "lastTransitionTime": b.t(14.1)})
    for rs in cd["_rs"]:
        rs["status"].pop("readyReplicas", None); rs["status"].pop("availableReplicas", None)
    # a node image update switched the hosts to systemd-resolved: the Corefile forwards to /etc/resolv.conf
    img = "registry.example.com/shop/payments:3.4.0"
    pc = ctr("payments", img, ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"},
             env=[env_val("LEDGER_URL", "http://ledger.shop.svc.cluster.local:8080"), env_val("PSP_URL", "https://api.stripe.com")],
             readiness=probe(path="/readyz", port=8080))
    last = lambda s: term("Error", 1, s, s - 0.09)
    states = [dict(states={"payments": cs("waiting", reason="CrashLoopBackOff", restarts=5, last=last(2.4 - i * 0.6))}) for i in range(2)]
    d = b.deployment("shop", "payments", [pc], replicas=2, revision=1, ago=11, rollout=11, pod_ago=11, pod_states=states)
    fix_backoff(d["_pods"])
    b.service("shop", "payments", {"app": "payments"}, [("http", 80, "http")])
    b.scaled(d, d["_rs"][0], 2, 0, ago=11)
    b.rs_events(d["_rs"][0])
    for i, p in enumerate(d["_pods"]):
        b.start_events(p)
        restart_events(b, p, "payments", img, 6, 10.8, 2.4 - i * 0.6)
        backoff_event(b, p, "payments", 29, 10.6, 0.3)
        t0 = 2.4 - i * 0.6
        b.log(p, "payments", [
            '{"level":"info","ts":"%s","msg":"starting payments","version":"3.4.0"}' % ts_log(b, t0),
            '{"level":"error","ts":"%s","msg":"ledger health check failed","error":"Get \\"http://ledger.shop.svc.cluster.local:8080/healthz\\": dial tcp: lookup ledger.shop.svc.cluster.local on 10.96.0.10:53: read udp %s:41876->10.96.0.10:53: i/o timeout"}' % (ts_log(b, t0 - 0.09), p["status"]["podIP"]),
            '{"level":"fatal","ts":"%s","msg":"cannot reach ledger, exiting","error":"dial tcp: lookup ledger.shop.svc.cluster.local on 10.96.0.10:53: read udp %s:41876->10.96.0.10:53: i/o timeout"}' % (ts_log(b, t0 - 0.09), p["status"]["podIP"])],
            previous=True)
    led = ctr("ledger", "registry.example.com/shop/ledger:1.12.0", ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"},
              limits={"memory": "256Mi"}, readiness=probe(path="/healthz", port=8080))
    b.deployment("shop", "ledger", [led], replicas=1, revision=3, pod_ago=60 * 24 * 6, log=lambda p: go_json_log(b, "ledger", 4, 50))
    b.endpoints_for("shop", b.service("shop", "ledger", {"app": "ledger"}, [("http", 8080, "http")]))
    b.expect("network-dns", "kube-system", "Deployment/coredns", ["coredns", "loop"],
             "CoreDNS detects a forwarding loop (plugin/loop: the node's /etc/resolv.conf points at a local stub resolver) and exits, so cluster DNS is down and payments cannot resolve ledger.",
             red_herring="payments is the loud crash loop; its lookups time out because CoreDNS is down, not because of payments.",
             affected=[("shop", "Deployment/payments")])
    return b


@scenario
def dns_upstream_timeout():
    b = new_bundle("dns-upstream-timeout")
    background(b)
    for p in coredns_pods(b):
        ip = p["status"]["podIP"]
        lines = [".:53", "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"]
        for k in range(8):
            host = ["api.stripe.com.", "hooks.slack.com.", "api.stripe.com.", "sqs.eu-west-1.amazonaws.com."][k % 4]
            lines.append("[ERROR] plugin/errors: 2 %s A: read udp %s:%d->10.0.0.2:53: i/o timeout" % (host, ip, 40000 + k * 731))
            lines.append("[ERROR] plugin/errors: 2 %s AAAA: read udp %s:%d->10.0.0.2:53: i/o timeout" % (host, ip, 40100 + k * 733))
        b.logs[("kube-system", p["metadata"]["name"])]["coredns"] = lines
    img = "registry.example.com/shop/payments:3.4.0"
    pc = ctr("payments", img, ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"},
             env=[env_val("PSP_URL", "https://api.stripe.com")], readiness=probe(path="/readyz", port=8080))
    last = lambda s: term("Error", 1, s, s - 0.2)
    states = [dict(states={"payments": cs("waiting", reason="CrashLoopBackOff", restarts=4, last=last(1.9 - i * 0.5))}) for i in range(2)]
    d = b.deployment("shop", "payments", [pc], replicas=2, revision=1, ago=8, rollout=8, pod_ago=8, pod_states=states)
    fix_backoff(d["_pods"])
    b.service("shop", "payments", {"app": "payments"}, [("http", 80, "http")])
    b.scaled(d, d["_rs"][0], 2, 0, ago=8)
    b.rs_events(d["_rs"][0])
    for i, p in enumerate(d["_pods"]):
        b.start_events(p)
        restart_events(b, p, "payments", img, 5, 7.8, 1.9 - i * 0.5)
        backoff_event(b, p, "payments", 21, 7.6, 0.3)
        t0 = 1.9 - i * 0.5
        b.log(p, "payments", [
            '{"level":"info","ts":"%s","msg":"starting payments","version":"3.4.0"}' % ts_log(b, t0),
            '{"level":"fatal","ts":"%s","msg":"payment provider unreachable","error":"Get \\"https://api.stripe.com/v1/balance\\": dial tcp: lookup api.stripe.com on 10.96.0.10:53: server misbehaving"}' % ts_log(b, t0 - 0.2)],
            previous=True)
    b.expect("network-dns", "kube-system", "Deployment/coredns", ["coredns", "10.0.0.2"],
             "CoreDNS cannot reach its upstream resolver 10.0.0.2 (read udp ... i/o timeout), so every external name fails with SERVFAIL and payments exits on 'server misbehaving'.",
             red_herring="CoreDNS pods are Running and Ready; only their logs show the upstream timeouts.",
             affected=[("shop", "Deployment/payments")])
    return b


@scenario
def dependency_oom():
    b = new_bundle("dependency-oom")
    background(b)
    inv = ctr("inventory", "registry.example.com/shop/inventory:5.1.0", ports=[8080], port_names=["http"],
              requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "256Mi"},
              env=[env_val("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=90"), env_val("STOCK_CACHE_ENTRIES", "2000000")],
              readiness=probe(path="/actuator/health/readiness", port=8080, initial=15))
    last = lambda s, f: term("OOMKilled", 137, s, f)
    states = [dict(node="worker-2", states={"inventory": cs("waiting", reason="CrashLoopBackOff", restarts=7, last=last(4.1, 3.2))}),
              dict(node="worker-3", states={"inventory": cs("running", ready=False, restarts=7, started_ago=0.8, last=last(5.0, 4.0))})]
    d = b.deployment("shop", "inventory", [inv], replicas=2, revision=6, pod_ago=35, rollout=35.1, pod_states=states, progress="complete")
    fix_backoff(d["_pods"])
    svc = b.service("shop", "inventory", {"app": "inventory"}, [("http", 8080, "http")], cluster_ip="10.96.44.17")
    for p, (s, f) in zip(d["_pods"], ((4.1, 3.2), (5.0, 4.0))):
        b.start_events(p, pulled=False)
        restart_events(b, p, "inventory", "registry.example.com/shop/inventory:5.1.0", 8, 34, 0.8 if p is d["_pods"][1] else s)
        backoff_event(b, p, "inventory", 30, 33, 0.3)
        b.log(p, "inventory", ["Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=90",
                               "%s  INFO 1 --- [inventory] [main] c.e.shop.InventoryApplication : Started InventoryApplication in 9.1 seconds" % ts_log(b, s - 0.2),
                               "%s  INFO 1 --- [inventory] [main] c.e.shop.stock.StockCache : loading stock cache: 2000000 entries" % ts_log(b, s - 0.3)],
              previous=True)
    b.endpoints_for("shop", svc)
    # checkout-web: three replicas, all failing readiness and logging 503s -- the loudest thing in the namespace
    web = ctr("web", "registry.example.com/shop/checkout-web:8.3.2", ports=[3000], port_names=["http"],
              requests={"cpu": "100m", "memory": "160Mi"}, limits={"memory": "320Mi"},
              env=[env_val("INVENTORY_URL", "http://inventory:8080")],
              readiness=probe(path="/ready", port=3000))
    wstates = [dict(states={"web": cs("running", ready=False, restarts=0, started_ago=30)}) for _ in range(3)]
    wd = b.deployment("shop", "checkout-web", [web], replicas=3, revision=14, pod_ago=30.2, rollout=30.3, pod_states=wstates, progress="complete",
                      labels={"app": "checkout-web"})
    b.service("shop", "checkout-web", {"app": "checkout-web"}, [("http", 80, "http")])
    for i, p in enumerate(wd["_pods"]):
        ip = p["status"]["podIP"]
        b.event(p, "Unhealthy", 'Readiness probe failed: HTTP probe failed with statuscode: 503', typ="Warning", count=160 + i, first_ago=29, last_ago=0.1, container="web")
        lines = ["[%s] INFO: checkout-web 8.3.2 listening on :3000" % ts_log(b, 30)]
        for k in range(5):
            lines.append("[%s] ERROR: stock check failed: GET http://inventory:8080/api/stock?sku=%d: connect ECONNREFUSED 10.96.44.17:8080" % (ts_log(b, 20 - k * 4), 4410 + k))
            lines.append("[%s] WARN: readiness: inventory unavailable, reporting not ready" % ts_log(b, 20 - k * 4 - 0.01))
        b.log(p, "web", lines)
    b.expect("oom-killed", "shop", "Deployment/inventory", ["inventory", "OOMKilled"],
             "inventory is OOMKilled (exit 137) while loading a 2M-entry stock cache into a 256Mi limit, so its Service has no ready endpoints and checkout-web, which calls it, fails readiness with 503s.",
             red_herring="checkout-web has three unready pods and hundreds of probe failures; it only reflects inventory being down.",
             affected=[("shop", "Deployment/checkout-web")])
    return b


@scenario
def init_wait_dependency():
    b = new_bundle("init-wait-dependency")
    background(b)
    pg = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "250m", "memory": "512Mi"}, limits={"memory": "1Gi"},
             env=[env_val("PGDATA", "/var/lib/postgresql/data"), env_secret("POSTGRES_PASSWORD", "postgres", "password")],
             mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
             readiness=probe("exec", command=["pg_isready", "-U", "postgres"], period=10))
    b.secret("shop", "postgres", ["password"])
    last = lambda s: term("Error", 1, s, s - 0.01)
    b.storageclass("gp3", default=True)
    s = b.statefulset("shop", "postgres", [pg], replicas=1, claims=[("data", "20Gi")], storage_class="gp3", nodes=["worker-2"],
                      pod_states=[dict(states={"postgres": cs("waiting", reason="CrashLoopBackOff", restarts=9, last=last(2.2))}, ago=27)])
    pp = s["_pods"][0]
    fix_backoff([pp])
    svc = b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], cluster_ip="10.96.71.9")
    restart_events(b, pp, "postgres", "postgres:16.4", 10, 26, 2.2)
    backoff_event(b, pp, "postgres", 118, 25.5, 0.3)
    b.log(pp, "postgres", ["initdb: error: directory \"/var/lib/postgresql/data\" exists but is not empty",
                           "initdb: detail: It contains a lost+found directory, perhaps due to it being a mount point.",
                           "initdb: hint: Using a mount point directly as the data directory is not recommended.",
                           "Create a subdirectory under the mount point."], previous=True)
    b.endpoints_for("shop", svc)
    wait = ctr("wait-for-postgres", "busybox:1.36", command=["sh", "-c", "until nc -z postgres 5432; do echo waiting for postgres:5432; sleep 2; done"])
    app = ctr("orders", "registry.example.com/shop/orders:3.3.0", ports=[8000], port_names=["http"], requests={"cpu": "100m", "memory": "192Mi"},
              limits={"memory": "384Mi"}, env=[env_val("ORDERS_DB_HOST", "postgres")], readiness=probe(path="/ready", port=8000))
    states = [dict(init_states={"wait-for-postgres": cs("running", started_ago=24.8 - i * 0.3)},
                   states={"orders": cs("waiting", reason="PodInitializing")}) for i in range(2)]
    d = b.deployment("shop", "orders", [app], replicas=2, revision=4, ago=25, rollout=25, pod_ago=25, pod_states=states, init=[wait])
    b.service("shop", "orders", {"app": "orders"}, [("http", 80, "http")])
    b.scaled(d, d["_rs"][0], 2, 0, ago=25)
    b.rs_events(d["_rs"][0])
    for p in d["_pods"]:
        b.start_events(p, containers=["wait-for-postgres"])
        b.logs.pop(("shop", p["metadata"]["name"]), None)
        b.log(p, "wait-for-postgres", ["waiting for postgres:5432"] * 12)
    b.expect("crash-loop", "shop", "StatefulSet/postgres", ["postgres", "not empty"],
             "postgres's initdb refuses the data directory because the volume's mount point holds lost+found, so it crash-loops; orders waits in its init container for postgres:5432 forever.",
             red_herring="orders is stuck in Init:0/1, which looks like its own problem.",
             affected=[("shop", "Deployment/orders")])
    return b


def klog(b, minutes_ago, level="E", src="reflector.go:158"):
    t = b.dt(minutes_ago)
    return "%s%s %s.%06d       1 %s]" % (level, t.strftime("%m%d"), t.strftime("%H:%M:%S"), t.microsecond, src)


@scenario
def rbac_forbidden_controller():
    b = new_bundle("rbac-forbidden-controller", namespaces=("shop", "platform", "monitoring"))
    background(b)
    img = "registry.example.com/platform/backup-operator:0.14.2"
    c = ctr("manager", img, command=["/manager"], args=["--leader-elect=false", "--metrics-bind-address=:8080"],
            requests={"cpu": "50m", "memory": "64Mi"}, limits={"memory": "256Mi"},
            liveness=probe(path="/healthz", port=8081, initial=15), readiness=probe(path="/readyz", port=8081))
    forb = ('volumesnapshots.snapshot.storage.k8s.io is forbidden: User "system:serviceaccount:platform:backup-operator" '
            'cannot list resource "volumesnapshots" in API group "snapshot.storage.k8s.io" at the cluster scope')

    def log(p):
        lines = ['{"level":"info","ts":"%s","logger":"setup","msg":"starting manager","version":"0.14.2"}' % ts_log(b, 52),
                 '{"level":"info","ts":"%s","msg":"Starting EventSource","controller":"backupschedule","source":"kind source: *v1alpha1.BackupSchedule"}' % ts_log(b, 51.9),
                 '{"level":"info","ts":"%s","msg":"Starting Controller","controller":"backupschedule"}' % ts_log(b, 51.9)]
        for k in range(14):
            m = 50 - k * 3.6
            lines.append('%s k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: failed to list *v1.VolumeSnapshot: %s' % (klog(b, m, "W", "reflector.go:561"), forb))
            lines.append('%s "Unhandled Error" err="k8s.io/client-go@v0.31.2/tools/cache/reflector.go:243: Failed to watch *v1.VolumeSnapshot: failed to list *v1.VolumeSnapshot: %s" logger="UnhandledError"' % (klog(b, m - 0.001), forb.replace('"', '\\"')))
        lines.append('{"level":"error","ts":"%s","msg":"Could not wait for Cache to sync","controller":"backupschedule","error":"failed to wait for backupschedule caches to sync: timed out waiting for cache to be synced for Kind *v1.VolumeSnapshot"}' % ts_log(b, 49.9))
        return lines
    b.deployment("platform", "backup-operator", [c], replicas=1, revision=3, pod_ago=52, rollout=52.1, log=log, service_account="backup-operator",
                 labels={"app.kubernetes.io/name": "backup-operator", "control-plane": "controller-manager"})
    b.expect("permission", "platform", "Deployment/backup-operator", ["system:serviceaccount:platform:backup-operator", "volumesnapshots", "snapshot.storage.k8s.io"],
             "backup-operator is Running and Ready, but its ServiceAccount has no RBAC rule to list/watch volumesnapshots.snapshot.storage.k8s.io, so its informer never syncs and no backup is ever taken.",
             red_herring="Every pod in the namespace is Running and Ready; the failure shows only in the operator's log.")
    return b


@scenario
def leader_election_forbidden():
    b = new_bundle("leader-election-forbidden", namespaces=("shop", "platform", "monitoring"))
    background(b)
    img = "registry.example.com/platform/image-sync:2.0.1"
    c = ctr("controller", img, args=["--leader-elect=true", "--leader-election-namespace=platform"],
            requests={"cpu": "50m", "memory": "64Mi"}, limits={"memory": "128Mi"}, liveness=probe(path="/healthz", port=8081, initial=15))
    forb = ('leases.coordination.k8s.io "image-sync-lock" is forbidden: User "system:serviceaccount:platform:image-sync" '
            'cannot get resource "leases" in API group "coordination.k8s.io" in the namespace "platform"')

    def log(p):
        lines = ['%s Starting image-sync version=2.0.1' % klog(b, 38, "I", "main.go:71"),
                 '%s attempting to acquire leader lease platform/image-sync-lock...' % klog(b, 37.99, "I", "leaderelection.go:254")]
        for k in range(40):
            lines.append('%s error retrieving resource lock platform/image-sync-lock: %s' % (klog(b, 37.9 - k * 0.9, "E", "leaderelection.go:436"), forb))
        return lines
    b.deployment("platform", "image-sync", [c], replicas=1, revision=2, pod_ago=38, rollout=38.1, log=log, service_account="image-sync")
    b.expect("permission", "platform", "Deployment/image-sync", ["leases", "coordination.k8s.io", "image-sync"],
             "image-sync never becomes leader: its ServiceAccount may not get leases in platform, so every leader-election attempt fails and the controller does nothing while Running.",
             red_herring="The pod is Running with no restarts and a passing liveness probe.")
    return b


@scenario
def node_system_oom():
    b = new_bundle("node-system-oom")
    bg = background(b, cart_nodes=["worker-2", "worker-3"])
    # report-builder: a JVM with a request and no memory limit; a month-end report grows it past what worker-2 has
    rb = ctr("builder", "registry.example.com/finance/report-builder:2.4.0", ports=[8080], port_names=["http"],
             requests={"cpu": "500m", "memory": "1Gi"}, env=[env_val("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=80")],
             readiness=probe(path="/actuator/health/readiness", port=8080, initial=20))
    last = lambda s, f: term("OOMKilled", 137, s, f)
    d = b.deployment("shop", "report-builder", [rb], replicas=1, revision=8, pod_ago=60 * 5, nodes=["worker-2"],
                     pod_states=[dict(states={"builder": cs("running", ready=False, restarts=3, started_ago=1.2, last=last(9.5, 4.1))})],
                     progress="complete")
    p = d["_pods"][0]
    restart_events(b, p, "builder", "registry.example.com/finance/report-builder:2.4.0", 4, 60 * 5 - 0.1, 1.2)
    b.log(p, "builder", ["Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=80",
                         "%s  INFO 1 --- [report-builder] [main] c.e.finance.ReportBuilder : Started ReportBuilder in 11.2 seconds" % ts_log(b, 1.0)])
    b.log(p, "builder", ["Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=80",
                         "%s  INFO 1 --- [report-builder] [scheduling-1] c.e.finance.MonthEnd : building month-end ledger report: 18400000 rows" % ts_log(b, 6.0)],
          previous=True)
    # the cart replica on worker-2 was the kernel's second victim, well under its own 256Mi limit
    cart = bg["cart"]
    cp = [q for q in cart["_pods"] if q["spec"]["nodeName"] == "worker-2"][0]
    c = cp["status"]["containerStatuses"][0]
    c.update({"restartCount": 1, "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled", "startedAt": b.t(21.8), "finishedAt": b.t(4.0),
                                                              "containerID": "containerd://" + b.hex(64)}},
              "state": {"running": {"startedAt": b.t(3.9)}}})
    restart_events(b, cp, "cart", "ghcr.io/acme/cart:2.3.1", 1, 3.97, 3.95)
    b.log(cp, "cart", go_json_log(b, "cart", 3, 15), previous=True)
    n2 = b.nodes["worker-2"]
    b.event(n2, "SystemOOM", "System OOM encountered, victim process: java, pid: 23817", typ="Warning", host="worker-2", first_ago=9.4)
    b.event(n2, "SystemOOM", "System OOM encountered, victim process: java, pid: 31544", typ="Warning", host="worker-2", first_ago=4.1)
    b.event(n2, "SystemOOM", "System OOM encountered, victim process: cart, pid: 30112", typ="Warning", host="worker-2", first_ago=4.0)
    b.expect("oom-killed", "shop", "Deployment/report-builder", ["builder", "limit"],
             "report-builder's JVM has a 1Gi request and no memory limit; the month-end report grows it until worker-2 runs out of memory and the kernel OOM-kills it and the cart replica next to it.",
             red_herring="cart restarted with OOMKilled too, but it was far below its own limit: the kernel picked it because the node was out of memory.",
             affected=[("shop", "Deployment/cart")])
    return b
