#!/usr/bin/env python3
"""Write a large synthetic cluster bundle (kubectl cluster-info dump layout) for benchmarks.

usage: scripts/gen-synthetic.py --pods 10000 --events 100000 [--namespaces 50] [--nodes 20]
                                [--seed 1] [--fail-rate 0.03] [--pretty] -o DIR

Deployments/ReplicaSets/Pods spread over namespaces and nodes; about --fail-rate of the pods
fail (CrashLoopBackOff with previous-logs.txt, OOMKilled, ImagePullBackOff, Pending with
FailedScheduling) with matching events; the rest are healthy. Events (exactly --events) are
mostly Normal and spread over the pods. python3 stdlib only; deterministic for a given seed.
JSON is written compact unless --pretty (kubectl's 4-space indent; slower).
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "examples"))

from k8sfix import Bundle, ctr, probe, cs, term, env_val  # noqa: E402

TEAMS = ["payments", "checkout", "catalog", "search", "identity", "orders", "shipping", "billing", "ledger", "media",
         "notify", "reviews", "pricing", "inventory", "analytics", "ads", "support", "growth", "partner", "risk"]
APPS = ["api", "web", "worker", "gateway", "scheduler", "consumer", "indexer", "sync", "export", "cache-warmer", "admin",
        "graphql", "events", "webhooks", "reports"]
FAIL_MODES = ["crashloop", "oom", "imagepull", "pending"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[1])
    ap.add_argument("--pods", type=int, default=10000)
    ap.add_argument("--events", type=int, default=100000)
    ap.add_argument("--namespaces", type=int, default=50)
    ap.add_argument("--nodes", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--fail-rate", type=float, default=0.03)
    ap.add_argument("--pretty", action="store_true")
    ap.add_argument("-o", "--output", required=True)
    a = ap.parse_args()
    t0 = time.time()

    b = Bundle("synthetic", capture="2026-11-20T09:30:00Z", seed=a.seed)
    rng = b.rng
    b.node("control-plane-1", role="control-plane", cpu="4", mem_ki=16365384, alloc_mem_ki=15955784, instance="m6i.xlarge")
    zones = ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    workers = []
    for i in range(max(1, a.nodes - 1)):
        name = "worker-%d" % (i + 1)
        b.node(name, zone=zones[i % 3], cpu="16", mem_ki=65023388, alloc_mem_ki=63955788, instance="m6i.4xlarge")
        workers.append(name)
    for n in ["default", "kube-node-lease", "kube-public", "kube-system"]:
        b.namespace(n)
    namespaces = []
    for i in range(a.namespaces):
        n = "%s-%d" % (TEAMS[i % len(TEAMS)], i // len(TEAMS)) if i >= len(TEAMS) else TEAMS[i]
        b.namespace(n, ago=60 * 24 * rng.randint(10, 300))
        namespaces.append(n)
    b.service("default", "kubernetes", None, [("https", 443, 6443)], cluster_ip="10.96.0.1",
              labels={"component": "apiserver", "provider": "kubernetes"}, ago=60 * 24 * 41)
    b.service("kube-system", "kube-dns", {"k8s-app": "kube-dns"}, [("dns", 53, 53, "UDP"), ("dns-tcp", 53, 53)], cluster_ip="10.96.0.10",
              labels={"k8s-app": "kube-dns"})
    b.daemonset("kube-system", "kube-proxy", [ctr("kube-proxy", "registry.k8s.io/kube-proxy:v1.31.2",
                command=["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf"], security={"privileged": True})],
                labels={"k8s-app": "kube-proxy"}, host_network=True, ago=60 * 24 * 41, pod_ago=60 * 24 * 12,
                priority_class="system-node-critical", tolerations=[{"operator": "Exists"}],
                log=lambda p: ['I1108 07:12:41.240871       1 server_linux.go:169] "Using iptables Proxier"'])
    b.deployment("kube-system", "coredns", [ctr("coredns", "registry.k8s.io/coredns/coredns:v1.11.3", ports=[53, 9153],
                 args=["-conf", "/etc/coredns/Corefile"], requests={"cpu": "100m", "memory": "70Mi"}, limits={"memory": "170Mi"})],
                 replicas=2, labels={"k8s-app": "kube-dns"}, ago=60 * 24 * 41, pod_ago=60 * 24 * 12, nodes=workers[:2],
                 log=lambda p: [".:53", "CoreDNS-1.11.3"])

    pods_left = a.pods - len(b.ns["kube-system"]["pods.json"])
    fail_budget = int(round(a.pods * a.fail_rate))
    healthy_pods, failing = [], []
    workloads = []
    di = 0
    while pods_left > 0:
        ns = namespaces[di % len(namespaces)]
        app = APPS[(di // len(namespaces)) % len(APPS)]
        suffix = (di // (len(namespaces) * len(APPS)))
        name = app if suffix == 0 else "%s-%d" % (app, suffix)
        di += 1
        n = min(pods_left, rng.choice([1, 2, 2, 3, 3, 3, 4, 5, 6, 8, 10]))
        mode = None
        if fail_budget > 0 and rng.random() < a.fail_rate * 1.6:
            mode = FAIL_MODES[len(workloads) % len(FAIL_MODES)]
            n = min(n, fail_budget, 4)
            fail_budget -= n
        pods_left -= n
        image = "registry.example.com/%s/%s:%d.%d.%d" % (ns.split("-")[0], app, rng.randint(1, 4), rng.randint(0, 20), rng.randint(0, 9))
        lim = rng.choice(["256Mi", "512Mi", "1Gi"])
        c = ctr(app.replace("-", ""), image, ports=[8080], port_names=["http"],
                requests={"cpu": rng.choice(["50m", "100m", "250m"]), "memory": "128Mi"}, limits={"memory": lim},
                env=[env_val("LOG_LEVEL", "info"), env_val("SERVICE_NAME", name)], readiness=probe(path="/healthz", port=8080))
        cname = c["name"]
        pod_ago = rng.uniform(30, 60 * 24 * 7) if mode is None else rng.uniform(20, 55)
        states = None
        if mode == "crashloop":
            states = [dict(states={cname: cs("waiting", reason="CrashLoopBackOff", restarts=rng.randint(3, 15),
                                             last=term("Error", rng.choice([1, 2, 1, 255]), 3.0, 2.9))}) for _ in range(n)]
        elif mode == "oom":
            states = [dict(states={cname: cs("waiting", reason="CrashLoopBackOff", restarts=rng.randint(3, 12),
                                             last=term("OOMKilled", 137, 4.0, 2.5))}) for _ in range(n)]
        elif mode == "imagepull":
            bad = image.rsplit(":", 1)[0] + ":%d.%d.%d" % (9, rng.randint(0, 9), rng.randint(0, 9))
            c["image"] = bad
            states = [dict(states={cname: cs("waiting", reason="ImagePullBackOff", message='Back-off pulling image "%s"' % bad)}) for _ in range(n)]
        elif mode == "pending":
            c["resources"]["requests"]["memory"] = "96Gi"
            c["resources"]["limits"]["memory"] = "96Gi"
            msg = ("0/%d nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, %d Insufficient memory. "
                   "preemption: 0/%d nodes are available: 1 Preemption is not helpful for scheduling, %d No preemption victims found for incoming pod."
                   % (len(workers) + 1, len(workers), len(workers) + 1, len(workers)))
            states = [dict(node=None, unschedulable_msg=msg) for _ in range(n)]
        nodes = rng.sample(workers, min(len(workers), max(1, n)))
        log = (lambda p, svc=name: ['{"level":"info","ts":"2026-11-20T08:00:00.000Z","msg":"starting %s","addr":":8080"}' % svc,
                                    '{"level":"info","ts":"2026-11-20T09:29:10.000Z","msg":"request completed","status":200}'])
        d = b.deployment(ns, name, [c], replicas=n, revision=rng.randint(1, 30), pod_ago=pod_ago, rollout=pod_ago,
                         nodes=nodes, pod_states=states, log=None if mode else log)
        for p in d["_pods"]:
            for cst in p["status"].get("containerStatuses", []):
                w = cst["state"].get("waiting")
                if w and w["reason"] == "CrashLoopBackOff":
                    w["message"] = "back-off 5m0s restarting failed container=%s pod=%s_%s(%s)" % (cname, p["metadata"]["name"], ns, p["metadata"]["uid"])
        workloads.append((d, mode))
        if mode:
            failing.extend((p, mode, d) for p in d["_pods"])
        else:
            healthy_pods.extend(d["_pods"])
        if rng.random() < 0.3:
            b.service(ns, name, {"app": name}, [("http", 80, "http")])

    # ---- events: failure events first, then normal ones spread over pods up to exactly --events
    budget = a.events
    def ev(*args, **kw):
        nonlocal budget
        if budget <= 0:
            return
        budget -= 1
        b.event(*args, **kw)
    for p, mode, d in failing:
        cname = p["spec"]["containers"][0]["name"]
        img = p["spec"]["containers"][0]["image"]
        ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
        if mode in ("crashloop", "oom"):
            rc = p["status"]["containerStatuses"][0]["restartCount"]
            ev(p, "Pulled", 'Container image "%s" already present on machine' % img, count=rc + 1, first_ago=19, last_ago=3, container=cname)
            ev(p, "Created", "Created container %s" % cname, count=rc + 1, first_ago=19, last_ago=3, container=cname)
            ev(p, "Started", "Started container %s" % cname, count=rc + 1, first_ago=19, last_ago=3, container=cname)
            ev(p, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)" % (cname, name, ns, p["metadata"]["uid"]),
               typ="Warning", count=rc * 4 + 3, first_ago=18.5, last_ago=0.5, container=cname)
            if mode == "oom":
                b.log(p, cname, ['{"level":"info","msg":"loading dataset into memory","rows":4200000}',
                                 '{"level":"warn","msg":"heap usage high","heap_mb":%d}' % (int(d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["memory"].rstrip("MiG")) * 9 // 10)],
                      previous=True)
            else:
                b.log(p, cname, rng.choice([
                    ["Traceback (most recent call last):", '  File "/app/main.py", line 12, in <module>', "    import settings",
                     '  File "/app/settings.py", line 7, in <module>', '    DB_URL = os.environ["DATABASE_URL"]', "KeyError: 'DATABASE_URL'"],
                    ["panic: runtime error: invalid memory address or nil pointer dereference", "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b2f4e]",
                     "", "goroutine 1 [running]:", "main.main()", "\t/src/cmd/server/main.go:44 +0x2e"],
                    ["Error: connect ECONNREFUSED 10.96.12.4:5432", "    at TCPConnectWrapper.afterConnect [as oncomplete] (node:net:1607:16) {",
                     "  errno: -111,", "  code: 'ECONNREFUSED',", "  syscall: 'connect',", "  address: '10.96.12.4',", "  port: 5432", "}"],
                    ['Exception in thread "main" java.lang.IllegalStateException: Failed to load ApplicationContext',
                     "\tat org.springframework.boot.SpringApplication.run(SpringApplication.java:335)",
                     "Caused by: java.net.UnknownHostException: kafka-0.kafka-headless"]]), previous=True)
        elif mode == "imagepull":
            ev(p, "Pulling", 'Pulling image "%s"' % img, count=5, first_ago=19, last_ago=3, container=cname)
            ev(p, "Failed", 'Failed to pull image "%s": rpc error: code = NotFound desc = failed to pull and unpack image "%s": failed to resolve reference "%s": %s: not found' % (img, img, img, img),
               typ="Warning", count=5, first_ago=19, last_ago=3, container=cname)
            ev(p, "Failed", "Error: ErrImagePull", typ="Warning", count=5, first_ago=19, last_ago=3, container=cname)
            ev(p, "BackOff", 'Back-off pulling image "%s"' % img, count=60, first_ago=18.9, last_ago=0.4, container=cname)
            ev(p, "Failed", "Error: ImagePullBackOff", typ="Warning", count=60, first_ago=18.9, last_ago=0.4, container=cname)
        elif mode == "pending" and budget > 0:
            budget -= 1
            b.sched_event(p, "FailedScheduling", p["status"]["conditions"][0]["message"], 19.0, series=(rng.randint(3, 12), rng.uniform(0.2, 4)))
    # normal events, round-robin over healthy pods and their controllers
    i = 0
    hp = healthy_pods
    while budget > 0 and hp:
        p = hp[(i * 7919) % len(hp)]
        k = i % 10
        i += 1
        cname = p["spec"]["containers"][0]["name"]
        img = p["spec"]["containers"][0]["image"]
        ago = rng.uniform(0.5, 59)
        if k in (0, 1):
            budget -= 1
            b.sched_event(p, "Scheduled", "Successfully assigned %s/%s to %s" % (p["metadata"]["namespace"], p["metadata"]["name"], p["spec"]["nodeName"]), ago)
        elif k == 2:
            ev(p, "Pulled", 'Container image "%s" already present on machine' % img, first_ago=ago, container=cname)
        elif k == 3:
            ev(p, "Created", "Created container %s" % cname, first_ago=ago, container=cname)
        elif k == 4:
            ev(p, "Started", "Started container %s" % cname, first_ago=ago, container=cname)
        elif k == 5:
            ev(p, "Pulling", 'Pulling image "%s"' % img, first_ago=ago, container=cname)
        elif k == 6:
            owner = b.kinds[p["metadata"]["ownerReferences"][0]["uid"]][2]
            ev(owner, "SuccessfulCreate", "Created pod: %s" % p["metadata"]["name"], component="replicaset-controller", first_ago=ago)
        elif k == 7:
            rs = b.kinds[p["metadata"]["ownerReferences"][0]["uid"]][2]
            if "ownerReferences" in rs["metadata"]:
                dep = b.kinds[rs["metadata"]["ownerReferences"][0]["uid"]][2]
                ev(dep, "ScalingReplicaSet", "Scaled up replica set %s to %d from %d" % (rs["metadata"]["name"], rs["spec"]["replicas"], max(0, rs["spec"]["replicas"] - 1)),
                   component="deployment-controller", first_ago=ago)
        elif k == 8:
            if rng.random() < 0.3:
                ev(p, "Unhealthy", 'Readiness probe failed: Get "http://%s:8080/healthz": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % p["status"].get("podIP", "10.244.0.1"),
                   typ="Warning", count=rng.randint(1, 3), first_ago=ago, last_ago=max(0.1, ago - 1), container=cname)
            else:
                ev(p, "Pulled", 'Container image "%s" already present on machine' % img, first_ago=ago, container=cname)
        else:
            ev(p, "Pulled", 'Successfully pulled image "%s" in %.3fs (%.3fs including waiting). Image size: %d bytes.' % (img, 1.5, 1.5, 48213771),
               first_ago=ago, container=cname)
    n_pods = sum(len(f["pods.json"]) for f in b.ns.values())
    n_events = sum(len(f["events.json"]) for f in b.ns.values())
    written = b.write(a.output, compact=not a.pretty)
    dt = time.time() - t0
    print("synthetic bundle %s: %d pods (%d failing), %d events, %d namespaces, %d nodes, %d bytes written in %.1fs"
          % (a.output, n_pods, len(failing), n_events, len(b.ns), len(b.nodes), written, dt))


if __name__ == "__main__":
    main()
