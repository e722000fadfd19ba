"""Shared pieces for the hand-written scenarios: background workloads, log templates, helpers."""

from k8sfix import Bundle, ctr, probe, cs, term, env_val, env_cm, env_secret  # noqa: F401

SCENARIOS = []


def scenario(fn):
    SCENARIOS.append(fn)
    return fn


def backoff_msg(pod, cname, delay="5m0s"):
    return "back-off %s restarting failed container=%s pod=%s_%s(%s)" % (
        delay, cname, pod["metadata"]["name"], pod["metadata"]["namespace"], pod["metadata"]["uid"])


def fix_backoff(pods, delays=None):
    """Fill CrashLoopBackOff waiting messages now that pod names/uids exist."""
    for i, p in enumerate(pods):
        for c in p["status"].get("initContainerStatuses", []) + p["status"].get("containerStatuses", []):
            w = c["state"].get("waiting")
            if w and w["reason"] == "CrashLoopBackOff":
                w["message"] = backoff_msg(p, c["name"], (delays or {}).get(i, "5m0s"))


def backoff_event(b, pod, cname, count, first_ago, last_ago=0.3, init=False):
    fp = "spec.%s{%s}" % ("initContainers" if init else "containers", cname)
    return b.event(pod, "BackOff", "Back-off restarting failed container %s in pod %s_%s(%s)" % (
        cname, pod["metadata"]["name"], pod["metadata"]["namespace"], pod["metadata"]["uid"]),
        typ="Warning", count=count, first_ago=first_ago, last_ago=last_ago, field_path=fp)


def restart_events(b, pod, cname, image, count, first_ago, last_ago, init=False):
    """Pulled(already present)/Created/Started repeated by kubelet for a restarting container."""
    fp = "spec.%s{%s}" % ("initContainers" if init else "containers", cname)
    b.event(pod, "Pulled", 'Container image "%s" already present on machine' % image, count=count, first_ago=first_ago, last_ago=last_ago, field_path=fp)
    b.event(pod, "Created", "Created container %s" % cname, count=count, first_ago=first_ago - 0.01, last_ago=last_ago, field_path=fp)
    b.event(pod, "Started", "Started container %s" % cname, count=count, first_ago=first_ago - 0.02, last_ago=last_ago, field_path=fp)


def ts_log(b, minutes_ago, fmt="%Y-%m-%dT%H:%M:%S.{ms}Z"):
    t = b.dt(minutes_ago)
    return t.strftime(fmt).replace("{ms}", "%03d" % (t.microsecond // 1000))


def nginx_log(b, n=6, start=30.0):
    paths = ["/", "/static/app.3f9c1a.js", "/api/products?page=2", "/healthz", "/api/cart", "/favicon.ico", "/static/main.8d2e4b.css"]
    out = []
    for i in range(n):
        t = b.dt(start - i * (start / n))
        ip = "10.244.%d.%d" % (b.rng.randint(0, 3), b.rng.randint(2, 60))
        path = b.rng.choice(paths)
        out.append('%s - - [%s] "GET %s HTTP/1.1" 200 %d "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36" "-"' % (
            ip, t.strftime("%d/%b/%Y:%H:%M:%S +0000"), path, b.rng.randint(120, 48000)))
    return out


def go_json_log(b, svc, n=6, start=40.0, extra=None):
    msgs = [("info", "starting server", ', "addr": ":8080"'), ("info", "connected to redis", ', "addr": "redis:6379"'),
            ("info", "request completed", ', "method": "GET", "path": "/api/cart", "status": 200, "duration_ms": 12'),
            ("info", "request completed", ', "method": "POST", "path": "/api/cart/items", "status": 201, "duration_ms": 31'),
            ("debug", "cache hit", ', "key": "cart:4f1c"'),
            ("info", "request completed", ', "method": "GET", "path": "/healthz", "status": 200, "duration_ms": 0')]
    out = []
    for i in range(n):
        lvl, msg, rest = msgs[min(i, len(msgs) - 1)] if i < 2 else msgs[2 + b.rng.randint(0, len(msgs) - 3)]
        out.append('{"level": "%s", "ts": "%s", "service": "%s", "msg": "%s"%s}' % (lvl, ts_log(b, start - i * start / n), svc, msg, rest))
    if extra:
        out += extra
    return out


def redis_log(b):
    t = b.dt(60 * 24 * 4).strftime("%d %b %Y %H:%M:%S")
    return ["1:C %s.112 # WARNING Memory overcommit must be enabled! Without it, a background save or replication may fail under low memory condition." % t,
            "1:C %s.113 * oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo" % t,
            "1:C %s.113 * Redis version=7.4.1, bits=64, commit=00000000, modified=0, pid=1, just started" % t,
            "1:M %s.115 * Running mode=standalone, port=6379." % t,
            "1:M %s.116 * Server initialized" % t,
            "1:M %s.116 * Ready to accept connections tcp" % t]


def grafana_log(b):
    return ['logger=settings t=%s level=info msg="Starting Grafana" version=11.3.0 commit=d9455ff7db branch=HEAD compiled=%s' % (ts_log(b, 60 * 24 * 4, "%Y-%m-%dT%H:%M:%S.{ms}Z"), ts_log(b, 60 * 24 * 4)),
            'logger=sqlstore t=%s level=info msg="Connecting to DB" dbtype=sqlite3' % ts_log(b, 60 * 24 * 4),
            'logger=http.server t=%s level=info msg="HTTP Server Listen" address=[::]:3000 protocol=http subUrl= socket=' % ts_log(b, 60 * 24 * 4),
            'logger=cleanup t=%s level=info msg="Completed cleanup jobs" duration=7.412813ms' % ts_log(b, 12)]


def postgres_log(b, extra=None):
    t = b.dt(60 * 24 * 4).strftime("%Y-%m-%d %H:%M:%S")
    out = ["", "PostgreSQL Database directory appears to contain a database; Skipping initialization", "",
           "%s.412 UTC [1] LOG:  starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit" % t,
           "%s.413 UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432" % t,
           "%s.418 UTC [1] LOG:  listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\"" % t,
           "%s.431 UTC [29] LOG:  database system was shut down at %s UTC" % (t, t),
           "%s.446 UTC [1] LOG:  database system is ready to accept connections" % t]
    t2 = b.dt(35).strftime("%Y-%m-%d %H:%M:%S")
    out.append("%s.208 UTC [27] LOG:  checkpoint starting: time" % t2)
    out.append("%s.311 UTC [27] LOG:  checkpoint complete: wrote 41 buffers (0.3%%); 0 WAL file(s) added, 0 removed, 0 recycled; write=4.105 s, sync=0.012 s, total=4.131 s; sync files=12, longest=0.004 s, average=0.001 s; distance=211 kB, estimate=302 kB; lsn=0/1F4C2A8, redo lsn=0/1F4C250" % t2)
    return out + (extra or [])


def background(b, ns="shop", other_ns="monitoring", recent=True, cart=True, redis=True, grafana=True, cart_replicas=2,
               cart_limits=None, cart_nodes=None):
    """2-4 healthy workloads: cart (Deployment, shop), redis (StatefulSet, shop), grafana (Deployment, monitoring)."""
    out = {}
    if cart:
        c = ctr("cart", "ghcr.io/acme/cart:2.3.1", ports=[8080], port_names=["http"],
                requests={"cpu": "100m", "memory": "128Mi"}, limits=cart_limits or {"memory": "256Mi"},
                env=[env_val("REDIS_ADDR", "redis:6379"), env_val("LOG_LEVEL", "info")],
                readiness=probe(path="/healthz", port=8080), liveness=probe(path="/healthz", port=8080, initial=10))
        pod_ago = 22.0 if recent else 60 * 24 * 3
        d = b.deployment(ns, "cart", [c], replicas=cart_replicas, labels={"app": "cart"}, revision=7, rollout=pod_ago + 0.1,
                         pod_ago=pod_ago, log=lambda p: go_json_log(b, "cart", 6, 20), nodes=cart_nodes)
        b.service(ns, "cart", {"app": "cart"}, [("http", 80, "http")])
        if recent:
            rs = d["_rs"][-1]
            b.scaled(d, rs, cart_replicas, 0, ago=pod_ago + 0.05)
            b.rs_events(rs)
            for p in d["_pods"]:
                if p["spec"].get("nodeName"):
                    b.start_events(p)
        out["cart"] = d
    if redis:
        r = ctr("redis", "redis:7.4.1", ports=[6379], port_names=["redis"], requests={"cpu": "50m", "memory": "64Mi"},
                limits={"memory": "256Mi"}, readiness=probe("exec", command=["redis-cli", "ping"], period=5),
                mounts=[{"name": "data", "mountPath": "/data"}])
        s = b.statefulset(ns, "redis", [r], replicas=1, volumes=[{"name": "data", "emptyDir": {}}], log=lambda p: redis_log(b),
                          nodes=["worker-3"] if "worker-3" in b.nodes else None)
        b.service(ns, "redis", {"app": "redis"}, [("redis", 6379, "redis")])
        out["redis"] = s
    if grafana:
        g = ctr("grafana", "grafana/grafana:11.3.0", ports=[3000], port_names=["http"],
                requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "512Mi"},
                readiness=probe(path="/api/health", port=3000), mounts=[{"name": "storage", "mountPath": "/var/lib/grafana"}])
        gd = b.deployment(other_ns, "grafana", [g], replicas=1, labels={"app.kubernetes.io/name": "grafana"}, revision=3,
                          volumes=[{"name": "storage", "emptyDir": {}}], log=lambda p: grafana_log(b),
                          pod_ago=60 * 24 * 4, nodes=["worker-1"])
        b.service(other_ns, "grafana", {"app.kubernetes.io/name": "grafana"}, [("http", 80, "http")])
        out["grafana"] = gd
    return out


def new_bundle(name, capture="2026-11-20T09:30:00Z", namespaces=("shop", "monitoring"), workers=3, ns_labels=None):
    b = Bundle(name, capture=capture)
    b.standard_cluster(workers=workers, app_namespaces=namespaces, ns_labels=ns_labels)
    return b
