"""Scenarios 1-14: one per category."""

from common import *  # noqa: F401,F403
from common import scenario, new_bundle, background, fix_backoff, backoff_event, restart_events, ts_log, nginx_log, go_json_log, postgres_log
from k8sfix import ctr, probe, cs, term, env_val, env_cm, env_secret


def spring_start(b, ago, app="web", version="1.4.2", heap="-Xms256m -Xmx1024m"):
    t = lambda m: ts_log(b, m, "%Y-%m-%dT%H:%M:%S.{ms}Z")
    return ["Picked up JAVA_TOOL_OPTIONS: %s -XX:+UseG1GC" % heap,
            "",
            "  .   ____          _            __ _ _",
            " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
            "( ( )\\___ | '_ | '_| | '_ \\/ _` | \\ \\ \\ \\",
            " \\\\/  ___)| |_)| | | | | || (_| |  ) ) ) )",
            "  '  |____| .__|_| |_|_| |_\\__, | / / / /",
            " =========|_|==============|___/=/_/_/_/",
            "",
            " :: Spring Boot ::                (v3.3.5)",
            "",
            "%s  INFO 1 --- [%s] [           main] com.example.shop.WebApplication          : Starting WebApplication v%s using Java 21.0.5 with PID 1 (/app/app.jar started by app in /app)" % (t(ago), app, version),
            "%s  INFO 1 --- [%s] [           main] com.example.shop.WebApplication          : No active profile set, falling back to 1 default profile: \"default\"" % (t(ago - 0.01), app),
            "%s  INFO 1 --- [%s] [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat initialized with port 8080 (http)" % (t(ago - 0.05), app),
            "%s  INFO 1 --- [%s] [           main] com.zaxxer.hikari.HikariDataSource       : HikariPool-1 - Start completed." % (t(ago - 0.09), app),
            "%s  INFO 1 --- [%s] [           main] o.s.b.w.embedded.tomcat.TomcatWebServer  : Tomcat started on port 8080 (http) with context path '/'" % (t(ago - 0.12), app),
            "%s  INFO 1 --- [%s] [           main] com.example.shop.WebApplication          : Started WebApplication in 7.412 seconds (process running for 8.01)" % (t(ago - 0.13), app)]


@scenario
def oom_killed():
    b = new_bundle("oom-killed")
    bg = background(b)
    web = ctr("web", "registry.example.com/shop/web:1.4.2", ports=[8080], port_names=["http"],
              requests={"cpu": "250m", "memory": "512Mi"}, limits={"memory": "512Mi"},
              env=[env_val("JAVA_TOOL_OPTIONS", "-Xms256m -Xmx1024m -XX:+UseG1GC"), env_val("SPRING_PROFILES_ACTIVE", "prod"),
                   env_cm("SPRING_DATASOURCE_URL", "web-config", "datasource-url")],
              liveness=probe(path="/actuator/health/liveness", port=8080, initial=30, period=10, timeout=2),
              readiness=probe(path="/actuator/health/readiness", port=8080, initial=20))
    last = lambda s, f: term("OOMKilled", 137, s, f)
    states = [
        dict(node="worker-1", states={"web": cs("waiting", reason="CrashLoopBackOff", restarts=9, last=last(6.1, 4.2))}),
        dict(node="worker-2", states={"web": cs("running", ready=False, restarts=8, started_ago=1.4, last=last(9.6, 7.3))}),
        dict(node="worker-3", states={"web": cs("waiting", reason="CrashLoopBackOff", restarts=9, last=last(5.2, 2.9))}),
    ]
    d = b.deployment("shop", "web", [web], replicas=3, revision=12, pod_ago=58, rollout=58.2, pod_states=states,
                     log=None, progress="complete")
    b.configmap("shop", "web-config", {"datasource-url": "jdbc:postgresql://postgres.shop.svc.cluster.local:5432/shop"})
    fix_backoff(d["_pods"])
    b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    p1, p2, p3 = d["_pods"]
    for p, cnt, (ls, lf) in ((p1, 9, (6.1, 4.2)), (p2, 8, (9.6, 7.3)), (p3, 9, (5.2, 2.9))):
        b.start_events(p, pulled=False)
        restart_events(b, p, "web", "registry.example.com/shop/web:1.4.2", cnt + 1, 50, 1.4 if p is p2 else ls)
        backoff_event(b, p, "web", 31 + cnt, 45, 0.2 if p is not p2 else 2.0)
        prev = spring_start(b, ls - 0.02) + [
            "%s  WARN 1 --- [web] [nio-8080-exec-7] o.h.engine.jdbc.spi.SqlExceptionHelper   : HHH000100: Fail-safe cleanup (collections) : org.hibernate.engine.loading.internal.CollectionLoadContext@5a0f2c1e" % ts_log(b, lf + 0.9),
            "%s  INFO 1 --- [web] [nio-8080-exec-3] c.e.shop.catalog.CatalogCacheWarmer      : warming product cache: 250000 entries" % ts_log(b, lf + 0.6),
            "[%s][info][gc] GC(41) Pause Young (Normal) (G1 Evacuation Pause) 402M->389M(448M) 38.412ms" % ts_log(b, lf + 0.3),
            "[%s][info][gc] GC(42) Pause Young (Concurrent Start) (G1 Humongous Allocation) 441M->437M(480M) 51.007ms" % ts_log(b, lf + 0.15),
            "[%s][info][gc] GC(43) Pause Full (G1 Compaction Pause) 478M->471M(496M) 912.330ms" % ts_log(b, lf + 0.03)]
        b.log(p, "web", prev, previous=True)
    # red herring: liveness probe timeouts while the heap is thrashing
    b.event(p2, "Unhealthy", 'Liveness probe failed: Get "http://%s:8080/actuator/health/liveness": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % p2["status"]["podIP"],
            typ="Warning", count=2, first_ago=7.6, last_ago=7.4, container="web")
    b.event(p1, "Unhealthy", 'Readiness probe failed: Get "http://%s:8080/actuator/health/readiness": context deadline exceeded (Client.Timeout exceeded while awaiting headers)' % p1["status"]["podIP"],
            typ="Warning", count=3, first_ago=4.6, last_ago=4.3, container="web")
    b.log(p2, "web", spring_start(b, 1.4)[:-1] + [
        "%s  INFO 1 --- [web] [nio-8080-exec-1] c.e.shop.catalog.CatalogCacheWarmer      : warming product cache: 250000 entries" % ts_log(b, 0.9)])
    b.expect("oom-killed", "shop", "Deployment/web", ["OOMKilled", "512Mi"],
             "The web JVM is started with -Xmx1024m inside a 512Mi memory limit, so the kernel OOM-kills it (exit 137) as the product cache fills the heap.",
             red_herring="Liveness/readiness probe timeouts (Unhealthy events) appear just before each kill; they are caused by GC thrashing, not by a wrong probe.")
    return b


@scenario
def crash_loop():
    b = new_bundle("crash-loop")
    background(b)
    img = "ghcr.io/acme/orders@sha256:7c1f5e0b9a4d2c8e6f3a1b0d9e8c7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e"
    c = ctr("orders", img, ports=[8000], port_names=["http"], command=["python", "-m", "orders.main"],
            requests={"cpu": "100m", "memory": "192Mi"}, limits={"memory": "384Mi"},
            env=[env_val("ORDERS_DB_HOST", "postgres.shop.svc.cluster.local"), env_val("ORDERS_DB_NAME", "orders"),
                 env_secret("ORDERS_DB_PASSWORD", "orders-db", "password"), env_val("LOG_LEVEL", "INFO")],
            readiness=probe(path="/ready", port=8000))
    b.secret("shop", "orders-db", ["username", "password"])
    last = lambda s: term("Error", 1, s, s - 0.03)
    states = [dict(states={"orders": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(3.1))}),
              dict(states={"orders": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(2.2))})]
    d = b.deployment("shop", "orders", [c], replicas=2, revision=1, ago=9.6, pod_ago=9.5, rollout=9.55, pod_states=states)
    fix_backoff(d["_pods"])
    old = d["_rs"][0]
    b.service("shop", "orders", {"app": "orders"}, [("http", 80, "http")])
    b.scaled(d, old, 2, 0, ago=9.55)
    b.rs_events(old)
    for i, p in enumerate(d["_pods"]):
        b.start_events(p)
        restart_events(b, p, "orders", img, 7, 9.3, 3.1 - i * 0.9)
        backoff_event(b, p, "orders", 38, 9.25, 0.3)
        tb = ["%s INFO orders.main: starting orders service v3.2.0 (python 3.12.7)" % ts_log(b, 3.1, "%Y-%m-%d %H:%M:%S,{ms}"),
              "%s INFO orders.settings: loading configuration from environment" % ts_log(b, 3.1, "%Y-%m-%d %H:%M:%S,{ms}"),
              "Traceback (most recent call last):",
              '  File "<frozen runpy>", line 198, in _run_module_as_main',
              '  File "<frozen runpy>", line 88, in _run_code',
              '  File "/app/orders/main.py", line 14, in <module>',
              "    from orders.settings import settings",
              '  File "/app/orders/settings.py", line 41, in <module>',
              "    settings = Settings.from_env()",
              "               ^^^^^^^^^^^^^^^^^^^",
              '  File "/app/orders/settings.py", line 29, in from_env',
              '    payment_api_url=os.environ["PAYMENT_API_URL"],',
              '                    ~~~~~~~~~~^^^^^^^^^^^^^^^^^^^',
              '  File "<frozen os>", line 714, in __getitem__',
              "KeyError: 'PAYMENT_API_URL'"]
        b.log(p, "orders", tb, previous=True)
    b.expect("crash-loop", "shop", "Deployment/orders", ["PAYMENT_API_URL", "KeyError"],
             "orders crashes at import time (exit 1) because settings.py reads os.environ[\"PAYMENT_API_URL\"], which the Deployment does not set.")
    return b


def pull_fail_msg(image, kind="notfound", host="registry.example.com"):
    if kind == "notfound":
        return ('Failed to pull image "%s": rpc error: code = NotFound desc = failed to pull and unpack image "%s": '
                'failed to resolve reference "%s": %s: not found') % (image, image, image, image)
    return ('Failed to pull image "%s": failed to pull and unpack image "%s": failed to resolve reference "%s": '
            'pull access denied, repository does not exist or may require authorization: authorization failed: no basic auth credentials') % (image, image, image)


def image_pull_events(b, p, image, first_ago, pulls=6, backoffs=48, kind="notfound"):
    b.event(p, "Pulling", 'Pulling image "%s"' % image, count=pulls, first_ago=first_ago, last_ago=3.2, container=p["spec"]["containers"][0]["name"])
    b.event(p, "Failed", pull_fail_msg(image, kind), typ="Warning", count=pulls, first_ago=first_ago - 0.02, last_ago=3.2, container=p["spec"]["containers"][0]["name"])
    b.event(p, "Failed", "Error: ErrImagePull", typ="Warning", count=pulls, first_ago=first_ago - 0.02, last_ago=3.2, container=p["spec"]["containers"][0]["name"])
    b.event(p, "BackOff", 'Back-off pulling image "%s"' % image, count=backoffs, first_ago=first_ago - 0.05, last_ago=0.4, container=p["spec"]["containers"][0]["name"])
    b.event(p, "Failed", "Error: ImagePullBackOff", typ="Warning", count=backoffs, first_ago=first_ago - 0.05, last_ago=0.4, container=p["spec"]["containers"][0]["name"])


@scenario
def image_pull():
    b = new_bundle("image-pull")
    bg = background(b)
    def web(tag):
        return ctr("web", "registry.example.com/shop/web:%s" % tag, ports=[8080], port_names=["http"],
                   requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "512Mi"},
                   readiness=probe(path="/healthz", port=8080), env=[env_val("PORT", "8080")])
    new_img = "registry.example.com/shop/web:1.4.3"
    states = [dict(node="worker-2", states={"web": cs("waiting", reason="ImagePullBackOff", message='Back-off pulling image "%s"' % new_img)})]
    d = b.deployment("shop", "web", [web("1.4.3")], replicas=3, revision=9, rollout=8, pod_ago=8, pod_states=states,
                     strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                     old=dict(containers=[web("1.4.2")], replicas=3, revision=8, ago=60 * 24 * 6, pod_ago=60 * 24 * 6),
                     log=lambda p: nginx_log(b, 6, 25))
    b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    newrs = d["_rs"][1]
    b.scaled(d, newrs, 1, 0, ago=8)
    b.rs_events(newrs)
    p = d["_pods"][-1]
    b.logs.pop(("shop", p["metadata"]["name"]), None)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to worker-2" % p["metadata"]["name"], 8)
    image_pull_events(b, p, new_img, 7.9, pulls=5, backoffs=31)
    # red herring: an old, resolved FailedScheduling for the recent cart rollout
    cp = bg["cart"]["_pods"][0]
    b.sched_event(cp, "FailedScheduling", "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient cpu. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
                  22.05, series=None)
    b.expect("image-pull", "shop", "Deployment/web", ["registry.example.com/shop/web:1.4.3", "not found"],
             "The rollout to registry.example.com/shop/web:1.4.3 is stuck in ImagePullBackOff because that tag does not exist in the registry; the old 1.4.2 ReplicaSet still serves.",
             red_herring="A FailedScheduling (Insufficient cpu) event for a cart pod 22 minutes ago was resolved seconds later; cart is healthy.")
    return b


@scenario
def config_missing():
    b = new_bundle("config-missing")
    background(b)
    def web(with_key):
        env = [env_val("NODE_ENV", "production"), env_val("PORT", "3000"),
               env_cm("DATABASE_URL", "web-config", "DATABASE_URL") if with_key else env_cm("DATABASE_URI", "web-config", "DATABASE_URI"),
               env_cm("LOG_LEVEL", "web-config", "LOG_LEVEL")]
        return ctr("web", "registry.example.com/shop/web:%s" % ("2.1.0" if with_key else "2.0.4"), ports=[3000], port_names=["http"],
                   requests={"cpu": "100m", "memory": "192Mi"}, limits={"memory": "384Mi"}, env=env,
                   readiness=probe(path="/healthz", port=3000))
    b.configmap("shop", "web-config", {"DATABASE_URI": "postgres://web@postgres.shop.svc.cluster.local:5432/shop?sslmode=disable",
                                       "LOG_LEVEL": "info", "SESSION_TTL": "3600", "FEATURE_FLAGS": "new-checkout,search-v2"})
    msg = "couldn't find key DATABASE_URL in ConfigMap shop/web-config"
    states = [dict(node="worker-3", states={"web": cs("waiting", reason="CreateContainerConfigError", message=msg)})]
    d = b.deployment("shop", "web", [web(True)], replicas=2, revision=6, rollout=7, pod_ago=7, pod_states=states,
                     old=dict(containers=[web(False)], replicas=2, revision=5, ago=60 * 24 * 9, pod_ago=60 * 24 * 2),
                     strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                     log=lambda p: ["> web@2.0.4 start", "> node dist/server.js", "",
                                    '{"level":30,"time":%d,"pid":1,"hostname":"%s","msg":"server listening on :3000"}' % (int(b.dt(60 * 24 * 2).timestamp() * 1000), p["metadata"]["name"]),
                                    '{"level":30,"time":%d,"pid":1,"hostname":"%s","req":{"method":"GET","url":"/api/products"},"res":{"statusCode":200},"responseTime":14,"msg":"request completed"}' % (int(b.dt(4).timestamp() * 1000), p["metadata"]["name"])])
    b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    newrs = d["_rs"][1]
    b.scaled(d, newrs, 1, 0, ago=7)
    b.rs_events(newrs)
    p = d["_pods"][-1]
    b.logs.pop(("shop", p["metadata"]["name"]), None)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to worker-3" % p["metadata"]["name"], 7)
    b.event(p, "Pulling", 'Pulling image "registry.example.com/shop/web:2.1.0"', first_ago=6.98, container="web")
    b.event(p, "Pulled", 'Successfully pulled image "registry.example.com/shop/web:2.1.0" in 3.204s (3.204s including waiting). Image size: 61247913 bytes.', first_ago=6.92, container="web")
    b.event(p, "Pulled", 'Container image "registry.example.com/shop/web:2.1.0" already present on machine', count=33, first_ago=6.7, last_ago=0.3, container="web")
    b.event(p, "Failed", "Error: " + msg, typ="Warning", count=34, first_ago=6.9, last_ago=0.3, container="web")
    b.expect("config-missing", "shop", "Deployment/web", ["web-config", "DATABASE_URL"],
             "The new web revision reads env DATABASE_URL from ConfigMap web-config, which only has DATABASE_URI, so its pod is stuck in CreateContainerConfigError.")
    return b


@scenario
def unschedulable():
    b = new_bundle("unschedulable")
    background(b)
    c = ctr("opensearch", "opensearchproject/opensearch:2.17.1", ports=[9200, 9300], port_names=["http", "transport"],
            requests={"cpu": "1", "memory": "6Gi"}, limits={"memory": "6Gi"},
            env=[env_val("discovery.type", "single-node"), env_val("OPENSEARCH_JAVA_OPTS", "-Xms3g -Xmx3g"),
                 env_val("DISABLE_SECURITY_PLUGIN", "true")],
            readiness=probe("tcp", port=9200, initial=20))
    msg = ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient memory. "
           "preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.")
    states = [dict(node=None, unschedulable_msg=msg), dict(node=None, unschedulable_msg=msg)]
    d = b.deployment("shop", "search", [c], replicas=2, revision=1, ago=8, rollout=8, pod_ago=8, pod_states=states)
    b.service("shop", "search", {"app": "search"}, [("http", 9200, "http")])
    rs = d["_rs"][0]
    b.scaled(d, rs, 2, 0, ago=8)
    b.rs_events(rs)
    for i, p in enumerate(d["_pods"]):
        b.sched_event(p, "FailedScheduling", msg, 7.99 - i * 0.01, series=(3, 1.2 + i))
    b.expect("unschedulable", "shop", "Deployment/search", ["6Gi", "Insufficient memory"],
             "search requests 6Gi of memory per pod but every worker has only about 3.4Gi allocatable, so both pods stay Pending.",
             red_herring="The scheduler message also names the control-plane taint, which only explains why the control-plane node is excluded.")
    return b


@scenario
def probe_failure():
    b = new_bundle("probe-failure")
    background(b)
    c = ctr("web", "registry.example.com/shop/storefront:3.0.1", ports=[3000], port_names=["http"],
            requests={"cpu": "100m", "memory": "160Mi"}, limits={"memory": "320Mi"},
            env=[env_val("PORT", "3000"), env_val("API_URL", "http://cart.shop.svc.cluster.local")],
            readiness=probe(path="/healthz", port=8080, period=5))
    states = [dict(node="worker-%d" % (i + 1), states={"web": cs("running", ready=False)}) for i in range(3)]
    d = b.deployment("shop", "web", [c], replicas=3, revision=4, rollout=8, pod_ago=8, pod_states=states,
                     strategy={"type": "Recreate"},
                     log=lambda p: ["> storefront@3.0.1 start", "> next start -p 3000", "",
                                    "  \u25b2 Next.js 14.2.15", "  - Local:        http://%s:3000" % p["metadata"]["name"], "",
                                    " \u2713 Starting...", " \u2713 Ready in 812ms"])
    svc = b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    old = b.deployment  # noqa
    for p in d["_pods"]:
        b.start_events(p, pulled=False)
        b.event(p, "Unhealthy", 'Readiness probe failed: Get "http://%s:8080/healthz": dial tcp %s:8080: connect: connection refused' % (p["status"]["podIP"], p["status"]["podIP"]),
                typ="Warning", count=93 + b.rng.randint(0, 3), first_ago=7.8, last_ago=0.05, container="web")
    b.endpoints_for("shop", svc)
    b.endpoints_for("shop", [s for s in b.ns["shop"]["services.json"] if s["metadata"]["name"] == "cart"][0])
    # red herring: an ingress-ish gateway logging upstream errors
    gw = ctr("gateway", "nginx:1.27.2", ports=[80], port_names=["http"], requests={"cpu": "50m", "memory": "32Mi"}, limits={"memory": "128Mi"})
    g = b.deployment("shop", "gateway", [gw], replicas=1, revision=2, pod_ago=60 * 24 * 2,
                     log=lambda p: nginx_log(b, 3, 40) + [
                         '%s [error] 29#29: *48211 no live upstreams while connecting to upstream, client: 10.244.2.1, server: shop.example.com, request: "GET / HTTP/1.1", upstream: "http://web.shop.svc.cluster.local/", host: "shop.example.com"' % b.dt(2).strftime("%Y/%m/%d %H:%M:%S"),
                         '10.244.2.1 - - [%s] "GET / HTTP/1.1" 502 157 "-" "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)" "-"' % b.dt(2).strftime("%d/%b/%Y:%H:%M:%S +0000"),
                         '%s [error] 29#29: *48230 connect() failed (111: Connection refused) while connecting to upstream, client: 10.244.3.1, server: shop.example.com, request: "GET /cart HTTP/1.1", upstream: "http://10.96.141.7:80/cart", host: "shop.example.com"' % b.dt(1).strftime("%Y/%m/%d %H:%M:%S")])
    b.expect("probe-failure", "shop", "Deployment/web", ["8080", "3000"],
             "web's readiness probe checks port 8080 but the app listens on 3000, so no pod ever becomes Ready and Service web has no ready endpoints.",
             red_herring="The gateway logs 'Connection refused' / 'no live upstreams' for web; that is the symptom of the empty Service, not a network fault.")
    return b


@scenario
def volume():
    b = new_bundle("volume")
    b.storageclass("standard", default=True)
    b.storageclass("standard-rwx", provisioner="efs.csi.aws.com", params={"provisioningMode": "efs-ap", "fileSystemId": "fs-0a4c2e9f1b7d3e5c6", "directoryPerms": "700"}, binding="Immediate")
    background(b, redis=False)
    r = ctr("redis", "redis:7.4.1", ports=[6379], port_names=["redis"], requests={"cpu": "50m", "memory": "64Mi"},
            limits={"memory": "256Mi"}, mounts=[{"name": "data", "mountPath": "/data"}])
    from common import redis_log
    b.statefulset("shop", "redis", [r], claims=[("data", "2Gi")], storage_class="standard", log=lambda p: redis_log(b), nodes=["worker-1"])
    b.service("shop", "redis", {"app": "redis"}, [("redis", 6379, "redis")])
    pg = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "250m", "memory": "512Mi"},
             limits={"memory": "1Gi"}, env=[env_secret("POSTGRES_PASSWORD", "postgres-auth", "password"), env_val("PGDATA", "/var/lib/postgresql/data/pgdata")],
             mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
             readiness=probe("exec", command=["pg_isready", "-U", "postgres"], period=10))
    b.secret("shop", "postgres-auth", ["password"])
    msg = "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    s = b.statefulset("shop", "postgres", [pg], replicas=1, claims=[("data", "20Gi")], storage_class="fast-ssd",
                      pvc_status={"data-postgres-0": "Pending"}, pod_states=[dict(node=None, unschedulable_msg=msg, ago=26)], ago=26)
    pvc = [x for x in b.ns["shop"]["persistentvolumeclaims.json"] if x["metadata"]["name"] == "data-postgres-0"][0]
    pvc["metadata"].pop("annotations", None)
    pvc["metadata"]["creationTimestamp"] = b.t(26)
    b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], headless=True)
    p = s["_pods"][0]
    b.event(s, "SuccessfulCreate", "create Claim data-postgres-0 Pod postgres-0 in StatefulSet postgres success", component="statefulset-controller", first_ago=26)
    b.event(s, "SuccessfulCreate", "create Pod postgres-0 in StatefulSet postgres successful", component="statefulset-controller", first_ago=25.99)
    b.event(pvc, "ProvisioningFailed", 'storageclass.storage.k8s.io "fast-ssd" not found', typ="Warning", component="persistentvolume-controller",
            count=104, first_ago=26, last_ago=0.2)
    b.sched_event(p, "FailedScheduling", msg, 25.98, series=(6, 0.9))
    b.expect("volume", "shop", "StatefulSet/postgres", ["fast-ssd", "data-postgres-0"],
             "postgres-0 cannot be scheduled because its PVC data-postgres-0 asks for StorageClass fast-ssd, which does not exist (only standard and standard-rwx do), so it stays Pending.",
             red_herring="The pod's FailedScheduling event reads like a capacity problem; the scheduler is only waiting for the unbound PVC.")
    return b


@scenario
def node_problem():
    b = new_bundle("node-problem")
    # worker-2 ran out of memory and stopped reporting
    n2 = b.nodes["worker-2"]
    n2["status"]["conditions"] = b.node_conditions(0, unknown_since=11.5)
    n2["spec"]["taints"] = [{"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": b.t(11.3)},
                            {"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": b.t(11.2)}]
    # kube-proxy on worker-2 and coredns marked not ready by the node controller
    for p in b.ns["kube-system"]["pods.json"]:
        if p["spec"]["nodeName"] == "worker-2":
            for c in p["status"]["conditions"]:
                if c["type"] == "Ready":
                    c.update({"status": "False", "lastTransitionTime": b.t(11.2)})
            for c in p["status"]["containerStatuses"]:
                c["ready"] = False
    bg = background(b, cart_nodes=["worker-2", "worker-3"])
    cart = bg["cart"]
    cp = [p for p in cart["_pods"] if p["spec"]["nodeName"] == "worker-2"][0]
    taint_evict(b, cp, cart["_rs"][-1], "worker-1", lambda p: go_json_log(b, "cart", 4, 6))
    cdns = [p for p in b.ns["kube-system"]["pods.json"] if p["metadata"]["name"].startswith("coredns") and p["spec"]["nodeName"] == "worker-2"][0]
    cd = [d for d in b.ns["kube-system"]["deployments.json"] if d["metadata"]["name"] == "coredns"][0]
    taint_evict(b, cdns, cd["_rs"][-1], "worker-3", lambda p: [".:53", "CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9"])
    for p in b.ns["kube-system"]["pods.json"]:
        if p["spec"].get("nodeName") == "worker-2" and p["metadata"]["name"].startswith("kube-proxy"):
            b.event(p, "NodeNotReady", "Node is not ready", typ="Warning", component="node-controller", first_ago=11.2)
    # a worker that was evicted under memory pressure before the node went dark
    rep = ctr("reports", "registry.example.com/shop/reports:0.9.7", ports=[8080], requests={"cpu": "100m", "memory": "512Mi"},
              env=[env_val("JAVA_TOOL_OPTIONS", "-XX:MaxRAMPercentage=75")])
    evmsg = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 85432Ki. Container reports was using 1843200Ki, request is 512Mi, has larger consumption of memory."
    d = b.deployment("shop", "reports", [rep], replicas=1, revision=3, pod_ago=60 * 24 * 2, pod_states=[
        dict(node="worker-2", phase="Failed", reason="Evicted", message=evmsg, ago=60 * 24 * 2,
             states={"reports": cs("terminated", reason="ContainerStatusUnknown", exit_code=137,
                                   message="The container could not be located when the pod was terminated", started_ago=60 * 24 * 2 - 0.3, finished_ago=14.8)},
             extra_conditions=[{"type": "DisruptionTarget", "status": "True", "lastProbeTime": None, "lastTransitionTime": b.t(14.9),
                                "reason": "TerminationByKubelet", "message": evmsg}])])
    ev = d["_pods"][0]
    for c in ev["status"]["conditions"]:
        if c["type"] == "PodReadyToStartContainers":
            c.update({"status": "False", "lastTransitionTime": b.t(14.7)})
        if c["type"] in ("Ready", "ContainersReady"):
            c.update({"lastTransitionTime": b.t(14.8), "reason": "PodCompleted"}); c.pop("message", None)
    ev["status"].pop("podIP"); ev["status"].pop("podIPs")
    rs2 = d["_rs"][-1]
    tmpl = rs2["spec"]["template"]
    rp = b.pod("shop", "reports-%s-%s" % (rs2["metadata"]["labels"]["pod-template-hash"], b.rand_suffix()), tmpl["spec"],
               tmpl["metadata"]["labels"], owner=("ReplicaSet", "apps/v1", rs2), node="worker-3", ago=14.75,
               generate_name=rs2["metadata"]["name"] + "-")
    b.healthy_log(rp, ["Picked up JAVA_TOOL_OPTIONS: -XX:MaxRAMPercentage=75", "reports 0.9.7 ready on :8080"])
    rs2["status"].update({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1})
    d["status"].update({"replicas": 1, "readyReplicas": 1, "availableReplicas": 1})
    d["status"].pop("unavailableReplicas", None)
    d["status"]["conditions"][0].update({"status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."})
    b.event(ev, "Evicted", evmsg, typ="Warning", first_ago=14.9, host="worker-2")
    b.event(ev, "Killing", "Stopping container reports", first_ago=14.9, container="reports")
    b.event(rs2, "SuccessfulCreate", "Created pod: %s" % rp["metadata"]["name"], component="replicaset-controller", first_ago=14.76)
    b.start_events(rp, pulled=False)
    b.event(n2, "NodeHasInsufficientMemory", "Node worker-2 status is now: NodeHasInsufficientMemory", component="kubelet", host="worker-2", first_ago=17.2)
    b.event(n2, "EvictionThresholdMet", "Attempting to reclaim memory", typ="Warning", component="kubelet", host="worker-2", count=3, first_ago=17.1, last_ago=13.0)
    b.event(n2, "SystemOOM", "System OOM encountered, victim process: containerd-shim, pid: 2917", typ="Warning", component="kubelet", host="worker-2", first_ago=12.4)
    b.event(n2, "SystemOOM", "System OOM encountered, victim process: kubelet, pid: 811", typ="Warning", component="kubelet", host="worker-2", first_ago=12.0)
    b.event(n2, "NodeNotReady", "Node worker-2 status is now: NodeNotReady", component="node-controller", first_ago=11.2)
    b.expect("node-problem", None, "Node/worker-2", ["worker-2", "NotReady"],
             "worker-2 ran out of memory (MemoryPressure, SystemOOM killing kubelet) and stopped posting status, so it is NotReady/unreachable and its pods are being evicted.",
             red_herring="The Terminating cart pod and the Evicted reports pod look like workload failures; both are consequences of the node failure.")
    return b


def taint_evict(b, pod, rs, new_node, log):
    """Pod on an unreachable node: marked NotReady, then deleted by the taint manager after 300s; replacement elsewhere."""
    pod["metadata"]["deletionTimestamp"] = b.t(6.2)
    pod["metadata"]["deletionGracePeriodSeconds"] = 30
    for c in pod["status"]["conditions"]:
        if c["type"] == "Ready":
            c.update({"status": "False", "lastTransitionTime": b.t(11.2)})
            c.pop("reason", None); c.pop("message", None)
    pod["status"]["conditions"].insert(0, {"type": "DisruptionTarget", "status": "True", "lastProbeTime": None, "lastTransitionTime": b.t(6.2),
                                           "reason": "DeletionByTaintManager", "message": "Taint manager: deleting due to NoExecute taint"})
    for c in pod["status"]["containerStatuses"]:
        c["ready"] = False
    ns = pod["metadata"]["namespace"]
    b.event(pod, "NodeNotReady", "Node is not ready", typ="Warning", component="node-controller", first_ago=11.2)
    b.event(pod, "TaintManagerEviction", "Marking for deletion Pod %s/%s" % (ns, pod["metadata"]["name"]), component="taint-eviction-controller", first_ago=6.2)
    tmpl = rs["spec"]["template"]
    np_ = b.pod(ns, "%s-%s" % (rs["metadata"]["name"], b.rand_suffix()), tmpl["spec"], tmpl["metadata"]["labels"],
                owner=("ReplicaSet", "apps/v1", rs), node=new_node, ago=6.15, generate_name=rs["metadata"]["name"] + "-")
    b.healthy_log(np_, log)
    b.event(rs, "SuccessfulCreate", "Created pod: %s" % np_["metadata"]["name"], component="replicaset-controller", first_ago=6.16)
    b.start_events(np_, pulled=False)
    return np_


def cron_job_name(b, sched_ago):
    return int(b.dt(sched_ago).timestamp() // 60)


@scenario
def job_failed():
    b = new_bundle("job-failed", capture="2026-11-20T02:20:00Z")
    background(b)
    b.statefulset("shop", "postgres", [ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"],
                  requests={"cpu": "250m", "memory": "512Mi"}, limits={"memory": "1Gi"},
                  env=[env_secret("POSTGRES_PASSWORD", "postgres-auth", "password")])], log=None, nodes=["worker-1"])
    b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], cluster_ip="10.96.44.12")
    b.secret("shop", "postgres-auth", ["password"])
    b.secret("shop", "backup-credentials", ["PGPASSWORD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    c = ctr("backup", "registry.example.com/ops/pg-backup:1.3.0", command=["/usr/local/bin/backup.sh"],
            env=[env_val("PGHOST", "postgres.shop.svc.cluster.local"), env_val("PGUSER", "backup"), env_val("PGDATABASE", "shop"),
                 env_val("S3_BUCKET", "s3://acme-db-backups/shop"), env_secret("PGPASSWORD", "backup-credentials", "PGPASSWORD")],
            requests={"cpu": "100m", "memory": "256Mi"}, limits={"memory": "512Mi"})
    tmpl_spec = b.template({}, [c], restart="Never")["spec"]
    cj_m = b.meta("nightly-backup", "shop", ago=60 * 24 * 30, generation=4)
    cj = {"metadata": cj_m, "spec": {"schedule": "0 2 * * *", "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid", "suspend": False,
                                      "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {"backoffLimit": 2, "activeDeadlineSeconds": 3600,
                                                      "template": {"metadata": {"creationTimestamp": None}, "spec": tmpl_spec}}},
                                      "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1},
          "status": {"lastScheduleTime": b.t(20), "lastSuccessfulTime": b.t(20 + 60 * 24 * 2 - 3.5)}}
    b.add("CronJob", cj, "shop")
    jname = "nightly-backup-%d" % cron_job_name(b, 20)
    jm = b.meta(jname, "shop", ago=20, owner=("CronJob", "batch/v1", cj), generation=1,
                annotations={"batch.kubernetes.io/cronjob-scheduled-timestamp": b.t(20)})
    juid = jm["uid"]
    jl = {"batch.kubernetes.io/controller-uid": juid, "batch.kubernetes.io/job-name": jname, "controller-uid": juid, "job-name": jname}
    jm["labels"] = dict(jl)
    jspec_t = {"metadata": {"creationTimestamp": None, "labels": dict(jl)}, "spec": tmpl_spec}
    job = {"metadata": jm, "spec": {"parallelism": 1, "completions": 1, "activeDeadlineSeconds": 3600, "backoffLimit": 2,
                                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": juid}}, "manualSelector": False,
                                    "template": jspec_t, "completionMode": "NonIndexed", "suspend": False, "podReplacementPolicy": "TerminatingOrFailed"},
           "status": {"conditions": [
               {"type": "FailureTarget", "status": "True", "lastProbeTime": b.t(18.9), "lastTransitionTime": b.t(18.9), "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"},
               {"type": "Failed", "status": "True", "lastProbeTime": b.t(18.9), "lastTransitionTime": b.t(18.9), "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}],
               "startTime": b.t(20), "failed": 3, "terminating": 0, "uncountedTerminatedPods": {}, "ready": 0}}
    b.add("Job", job, "shop")
    starts = [19.98, 19.7, 19.3]
    for i, st in enumerate(starts):
        pname = "%s-%s" % (jname, b.rand_suffix())
        p = b.pod("shop", pname, tmpl_spec, dict(jl), owner=("Job", "batch/v1", job), node=["worker-1", "worker-3", "worker-2"][i],
                  ago=st, generate_name=jname + "-",
                  states={"backup": cs("terminated", reason="Error", exit_code=2, started_ago=st - 0.03, finished_ago=st - 0.05)})
        b.log(p, "backup", [
            "[%s] backup.sh: starting logical backup of shop@postgres.shop.svc.cluster.local as backup" % ts_log(b, st - 0.03, "%Y-%m-%dT%H:%M:%SZ"),
            'pg_dump: error: connection to server at "postgres.shop.svc.cluster.local" (10.96.44.12), port 5432 failed: FATAL:  password authentication failed for user "backup"',
            "[%s] backup.sh: pg_dump failed with exit code 1, aborting (nothing uploaded to s3://acme-db-backups/shop)" % ts_log(b, st - 0.05, "%Y-%m-%dT%H:%M:%SZ")])
        b.event(job, "SuccessfulCreate", "Created pod: %s" % pname, component="job-controller", first_ago=st + 0.005)
        b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to %s" % (pname, p["spec"]["nodeName"]), st)
        b.event(p, "Pulled", 'Container image "registry.example.com/ops/pg-backup:1.3.0" already present on machine', first_ago=st - 0.01, container="backup")
        b.event(p, "Created", "Created container backup", first_ago=st - 0.015, container="backup")
        b.event(p, "Started", "Started container backup", first_ago=st - 0.02, container="backup")
    b.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", typ="Warning", component="job-controller", first_ago=18.9)
    b.event(cj, "SuccessfulCreate", "Created job %s" % jname, component="cronjob-controller", first_ago=20)
    b.event(cj, "SawCompletedJob", "Saw completed job: %s, status: Failed" % jname, component="cronjob-controller", first_ago=18.85)
    pgp = [p for p in b.ns["shop"]["pods.json"] if p["metadata"]["name"] == "postgres-0"][0]
    b.log(pgp, "postgres", postgres_log(b, ["%s UTC [%d] FATAL:  password authentication failed for user \"backup\"" % (ts_log(b, s - 0.03, "%Y-%m-%d %H:%M:%S.{ms}"), 4100 + i * 37) for i, s in enumerate(starts)] +
                                        ["%s UTC [%d] DETAIL:  Connection matched file \"/var/lib/postgresql/data/pg_hba.conf\" line 128: \"host all all all scram-sha-256\"" % (ts_log(b, starts[-1] - 0.03, "%Y-%m-%d %H:%M:%S.{ms}"), 4174)]))
    b.expect("job-failed", "shop", "CronJob/nightly-backup", ["password authentication failed", "backup"],
             "Every nightly-backup pod exits 2 because pg_dump is rejected with 'password authentication failed for user \"backup\"', so the Job hit its backoffLimit (BackoffLimitExceeded).")
    return b


@scenario
def quota_limits():
    b = new_bundle("quota-limits")
    background(b, cart_limits={"cpu": "500m", "memory": "256Mi"}, redis=False)
    b.quota("shop", "compute-quota", {"limits.cpu": "8", "limits.memory": "4Gi", "pods": "20", "requests.cpu": "4", "requests.memory": "3Gi"},
            {"limits.cpu": "3500m", "limits.memory": "3584Mi", "pods": "5", "requests.cpu": "950m", "requests.memory": "1792Mi"})
    c = ctr("web", "registry.example.com/shop/web:1.4.2", ports=[8080], port_names=["http"],
            requests={"cpu": "250m", "memory": "512Mi"}, limits={"cpu": "1", "memory": "1Gi"},
            readiness=probe(path="/healthz", port=8080))
    msg = ('Error creating: pods "web-%s-" is forbidden: exceeded quota: compute-quota, requested: limits.memory=1Gi, '
           'used: limits.memory=3584Mi, limited: limits.memory=4Gi')
    d = b.deployment("shop", "web", [c], replicas=4, revision=5, generation=9, pod_ago=60 * 24 * 2, rs_pods=3, progress="complete",
                     log=lambda p: go_json_log(b, "web", 5, 30))
    rs = d["_rs"][0]
    h = rs["metadata"]["labels"]["pod-template-hash"]
    rs["spec"]["replicas"] = 4
    rs["metadata"]["annotations"]["deployment.kubernetes.io/desired-replicas"] = "4"
    rs["metadata"]["annotations"]["deployment.kubernetes.io/max-replicas"] = "5"
    rs["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True", "lastTransitionTime": b.t(9.0), "reason": "FailedCreate", "message": msg % h}]
    d["status"]["conditions"].append({"type": "ReplicaFailure", "status": "True", "lastUpdateTime": b.t(9.0), "lastTransitionTime": b.t(9.0),
                                      "reason": "FailedCreate", "message": msg % h})
    b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    b.scaled(d, rs, 4, 3, ago=9.05)
    b.event(rs, "FailedCreate", msg % h, typ="Warning", component="replicaset-controller", count=17, first_ago=9.0, last_ago=0.6)
    hpa_m = b.meta("web", "shop", ago=60 * 24 * 20)
    hpa = {"metadata": hpa_m, "spec": {"scaleTargetRef": {"kind": "Deployment", "name": "web", "apiVersion": "apps/v1"}, "minReplicas": 2, "maxReplicas": 8,
                                        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}],
                                        "behavior": {"scaleUp": {"stabilizationWindowSeconds": 0, "selectPolicy": "Max", "policies": [{"type": "Pods", "value": 4, "periodSeconds": 15}, {"type": "Percent", "value": 100, "periodSeconds": 15}]},
                                                     "scaleDown": {"stabilizationWindowSeconds": 300, "selectPolicy": "Max", "policies": [{"type": "Percent", "value": 100, "periodSeconds": 15}]}}},
           "status": {"lastScaleTime": b.t(9.05), "currentReplicas": 3, "desiredReplicas": 4,
                      "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "231m", "averageUtilization": 92}}}],
                      "conditions": [{"type": "AbleToScale", "status": "True", "lastTransitionTime": b.t(60 * 24 * 20), "reason": "ReadyForNewScale", "message": "recommended size matches current size"},
                                     {"type": "ScalingActive", "status": "True", "lastTransitionTime": b.t(60 * 24 * 20), "reason": "ValidMetricFound", "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)"},
                                     {"type": "ScalingLimited", "status": "False", "lastTransitionTime": b.t(60 * 24 * 3), "reason": "DesiredWithinRange", "message": "the desired count is within the acceptable range"}]}}
    b.add("HorizontalPodAutoscaler", hpa, "shop")
    b.event(hpa, "SuccessfulRescale", "New size: 4; reason: cpu resource utilization (percentage of request) above target", component="horizontal-pod-autoscaler", first_ago=9.05)
    b.expect("quota-limits", "shop", "Deployment/web", ["compute-quota", "limits.memory"],
             "The HPA scaled web to 4 replicas but the fourth pod is rejected because ResourceQuota compute-quota caps limits.memory at 4Gi (3584Mi used, 1Gi requested).",
             red_herring="The HPA's high CPU utilisation (92%) and SuccessfulRescale look like the problem; scaling is working, the quota blocks the new pod.")
    return b


@scenario
def network_dns():
    b = new_bundle("network-dns")
    background(b)
    pg = ctr("postgresql", "docker.io/bitnami/postgresql:16.4.0-debian-12-r14", ports=[5432], port_names=["tcp-postgresql"],
             requests={"cpu": "250m", "memory": "256Mi"}, limits={"memory": "1Gi"},
             env=[env_val("POSTGRESQL_PORT_NUMBER", "5432"), env_secret("POSTGRES_PASSWORD", "postgresql", "postgres-password")],
             readiness=probe("exec", command=["/bin/sh", "-c", "-e", "exec pg_isready -U \"postgres\" -h 127.0.0.1 -p 5432"], period=10, timeout=5, failure=6))
    b.secret("shop", "postgresql", ["postgres-password", "password"])
    b.statefulset("shop", "postgresql", [pg], labels={"app.kubernetes.io/instance": "postgresql", "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/component": "primary"},
                  service_name="postgresql-hl", log=lambda p: ["postgresql 07:11:02.91 INFO  ==> ** Starting PostgreSQL setup **",
                                                               "postgresql 07:11:03.12 INFO  ==> ** PostgreSQL setup finished! **",
                                                               "postgresql 07:11:03.14 INFO  ==> ** Starting PostgreSQL **",
                                                               "2026-11-16 07:11:03.214 GMT [1] LOG:  database system is ready to accept connections"], nodes=["worker-3"])
    sel = {"app.kubernetes.io/instance": "postgresql", "app.kubernetes.io/name": "postgresql", "app.kubernetes.io/component": "primary"}
    svc = b.service("shop", "postgresql", sel, [("tcp-postgresql", 5432, "tcp-postgresql")], labels=sel)
    b.service("shop", "postgresql-hl", sel, [("tcp-postgresql", 5432, "tcp-postgresql")], labels=sel, headless=True)
    img = "ghcr.io/acme/api@sha256:3e8a1c0f5b7d9e2a4c6f8b0d1e3a5c7e9f1b3d5a7c9e1f3b5d7a9c1e3f5b7d9a"
    c = ctr("api", img, ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"},
            env=[env_val("DB_HOST", "postgres"), env_val("DB_PORT", "5432"), env_val("DB_NAME", "shop"), env_val("DB_USER", "api"),
                 env_secret("DB_PASSWORD", "postgresql", "password")],
            readiness=probe(path="/readyz", port=8080), liveness=probe(path="/livez", port=8080, initial=15))
    last = lambda s: term("Error", 1, s, s - 0.18)
    states = [dict(states={"api": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(2.6))}),
              dict(states={"api": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(1.9))})]
    d = b.deployment("shop", "api", [c], replicas=2, revision=1, ago=9, rollout=9, pod_ago=9, pod_states=states)
    fix_backoff(d["_pods"], {0: "2m40s", 1: "2m40s"})
    rs = d["_rs"][0]
    b.scaled(d, rs, 2, 0, ago=9)
    b.rs_events(rs)
    b.service("shop", "api", {"app": "api"}, [("http", 80, "http")])
    for i, p in enumerate(d["_pods"]):
        b.start_events(p)
        restart_events(b, p, "api", img, 7, 8.8, 2.6 - i * 0.7)
        backoff_event(b, p, "api", 33, 8.7, 0.3)
        t0 = 2.6 - i * 0.7
        lines = ['{"level":"info","ts":"%s","caller":"cmd/api/main.go:48","msg":"starting api","version":"1.8.2","commit":"4be1d0c"}' % ts_log(b, t0),
                 '{"level":"info","ts":"%s","caller":"internal/db/db.go:31","msg":"connecting to database","host":"postgres","port":5432,"database":"shop"}' % ts_log(b, t0 - 0.001)]
        for k in range(3):
            lines.append('{"level":"warn","ts":"%s","caller":"internal/db/db.go:44","msg":"database not reachable, retrying","attempt":%d,"error":"failed to connect to `user=api database=shop`: hostname resolving error: lookup postgres on 10.96.0.10:53: no such host"}' % (ts_log(b, t0 - 0.03 - k * 0.05), k + 1))
        lines.append('{"level":"fatal","ts":"%s","caller":"cmd/api/main.go:63","msg":"cannot connect to database","error":"failed to connect to `user=api database=shop`: hostname resolving error: lookup postgres on 10.96.0.10:53: no such host"}' % ts_log(b, t0 - 0.18))
        b.log(p, "api", lines, previous=True)
    b.endpoints_for("shop", svc)
    b.expect("network-dns", "shop", "Deployment/api", ["postgres", "postgresql"],
             "api is configured with DB_HOST=postgres but the database Service is named postgresql, so the DNS lookup fails (no such host) and the app exits 1 in a crash loop.")
    return b


@scenario
def permission():
    b = new_bundle("permission", namespaces=("shop", "ops", "monitoring"))
    background(b)
    img = "registry.example.com/ops/pod-reporter:0.4.1"
    c = ctr("reporter", img, command=["python", "/app/report.py"], env=[env_val("TARGET_NAMESPACES", "shop,monitoring"), env_val("INTERVAL_SECONDS", "300")],
            requests={"cpu": "50m", "memory": "96Mi"}, limits={"memory": "192Mi"})
    last = lambda s: term("Error", 1, s, s - 0.04)
    d = b.deployment("ops", "reporter", [c], replicas=1, revision=2, pod_ago=41, rollout=41, service_account="reporter", progress="complete",
                     pod_states=[dict(states={"reporter": cs("waiting", reason="CrashLoopBackOff", restarts=13, last=last(3.8))})])
    fix_backoff(d["_pods"])
    p = d["_pods"][0]
    b.start_events(p)
    restart_events(b, p, "reporter", img, 13, 40.5, 3.8)
    backoff_event(b, p, "reporter", 187, 40.2, 0.2)
    body = ('{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods is forbidden: User \\"system:serviceaccount:ops:reporter\\" '
            'cannot list resource \\"pods\\" in API group \\"\\" in the namespace \\"shop\\"","reason":"Forbidden","details":{"kind":"pods"},"code":403}')
    b.log(p, "reporter", [
        "%s INFO reporter: pod-reporter 0.4.1 starting, namespaces=['shop', 'monitoring']" % ts_log(b, 3.8, "%Y-%m-%d %H:%M:%S,{ms}"),
        "%s INFO reporter: using in-cluster configuration" % ts_log(b, 3.8, "%Y-%m-%d %H:%M:%S,{ms}"),
        "Traceback (most recent call last):",
        '  File "/app/report.py", line 87, in <module>',
        "    main()",
        '  File "/app/report.py", line 78, in main',
        "    pods = v1.list_namespaced_pod(ns, watch=False)",
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/kubernetes/client/api/core_v1_api.py", line 15823, in list_namespaced_pod',
        "    return self.list_namespaced_pod_with_http_info(namespace, **kwargs)  # noqa: E501",
        "           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^",
        '  File "/usr/local/lib/python3.12/site-packages/kubernetes/client/rest.py", line 238, in request',
        "    raise ApiException(http_resp=r)",
        "kubernetes.client.exceptions.ApiException: (403)",
        "Reason: Forbidden",
        "HTTP response headers: HTTPHeaderDict({'Audit-Id': '%s', 'Cache-Control': 'no-cache, private', 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'X-Kubernetes-Pf-Flowschema-Uid': '%s', 'X-Kubernetes-Pf-Prioritylevel-Uid': '%s', 'Date': '%s', 'Content-Length': '303'})" % (b.uid(), b.uid(), b.uid(), b.dt(3.79).strftime("%a, %d %b %Y %H:%M:%S GMT")),
        "HTTP response body: " + body, ""], previous=True)
    b.expect("permission", "ops", "Deployment/reporter", ["system:serviceaccount:ops:reporter", "pods"],
             "reporter's ServiceAccount ops/reporter has no RBAC permission to list pods in namespace shop, so the API returns 403 Forbidden and the script exits 1.")
    return b


def go_panic(b, t0, svc="checkout"):
    return ['{"level":"info","ts":"%s","msg":"starting %s","version":"2.8.0"}' % (ts_log(b, t0), svc),
            '{"level":"info","ts":"%s","msg":"loaded pricing rules","count":0}' % ts_log(b, t0 - 0.002),
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x18 pc=0x9c4f12]",
            "",
            "goroutine 1 [running]:",
            "github.com/acme/checkout/internal/pricing.(*Engine).Default(...)",
            "\t/src/internal/pricing/engine.go:112",
            "github.com/acme/checkout/internal/server.New(0xc0001a6000, 0x0)",
            "\t/src/internal/server/server.go:57 +0x52",
            "main.main()",
            "\t/src/cmd/checkout/main.go:71 +0x3a5"]


@scenario
def rollout_stuck():
    b = new_bundle("rollout-stuck")
    background(b)
    def chk(tag):
        return ctr("checkout", "ghcr.io/acme/checkout:%s" % tag, ports=[8080], port_names=["http"],
                   requests={"cpu": "200m", "memory": "128Mi"}, limits={"memory": "256Mi"},
                   readiness=probe(path="/readyz", port=8080), env=[env_val("PRICING_RULES_PATH", "/etc/checkout/pricing.yaml")])
    last = lambda s: term("Error", 2, s, s - 0.01)
    states = [dict(node="worker-2", states={"checkout": cs("waiting", reason="CrashLoopBackOff", restarts=10, last=last(2.4))})]
    msg_new = None
    d = b.deployment("shop", "checkout", [chk("2.8.0")], replicas=3, revision=5, rollout=38, pod_ago=38, pod_states=states,
                     old=dict(containers=[chk("2.7.4")], replicas=3, revision=4, ago=60 * 24 * 8, pod_ago=60 * 24 * 3),
                     strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                     log=lambda p: go_json_log(b, "checkout", 5, 30))
    newrs = d["_rs"][1]
    nn = newrs["metadata"]["name"]
    d["status"]["conditions"][1] = {"type": "Progressing", "status": "False", "lastUpdateTime": b.t(28), "lastTransitionTime": b.t(28),
                                    "reason": "ProgressDeadlineExceeded", "message": 'ReplicaSet "%s" has timed out progressing.' % nn}
    fix_backoff(d["_pods"][-1:])
    p = d["_pods"][-1]
    b.logs.pop(("shop", p["metadata"]["name"]), None)
    b.scaled(d, newrs, 1, 0, ago=38)
    b.rs_events(newrs)
    b.start_events(p)
    restart_events(b, p, "checkout", "ghcr.io/acme/checkout:2.8.0", 10, 37.5, 2.4)
    backoff_event(b, p, "checkout", 170, 37.4, 0.3)
    b.log(p, "checkout", go_panic(b, 2.4), previous=True)
    b.service("shop", "checkout", {"app": "checkout"}, [("http", 80, "http")])
    b.expect("rollout-stuck", "shop", "Deployment/checkout", ["ProgressDeadlineExceeded", "2.8.0"],
             "The checkout rollout to ghcr.io/acme/checkout:2.8.0 exceeded its progress deadline because the new pod panics on start (nil pointer in pricing.Engine); the 2.7.4 ReplicaSet still serves all traffic.")
    return b


@scenario
def unknown():
    b = new_bundle("unknown")
    background(b)
    img = "registry.example.com/finance/legacy-billing:2019.4"
    c = ctr("legacy-billing", img, ports=[9000], requests={"cpu": "100m", "memory": "256Mi"}, limits={"memory": "512Mi"},
            env=[env_val("BILLING_MODE", "batch")])
    last = lambda s: term("Error", 1, s, s - 0.01)
    d = b.deployment("shop", "legacy-billing", [c], replicas=1, revision=1, ago=9.2, rollout=9.2, pod_ago=9.1,
                     pod_states=[dict(states={"legacy-billing": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(4.7))})])
    fix_backoff(d["_pods"])
    p = d["_pods"][0]
    b.start_events(p, pulled=False)
    b.scaled(d, d["_rs"][0], 1, 0, ago=9.15)
    b.rs_events(d["_rs"][0])
    restart_events(b, p, "legacy-billing", img, 7, 9.0, 4.7)
    backoff_event(b, p, "legacy-billing", 36, 8.9, 0.4)
    b.log(p, "legacy-billing", ["starting billing daemon..."], previous=True)
    b.expect("unknown", "shop", "Deployment/legacy-billing", ["legacy-billing", "1"],
             "legacy-billing exits with code 1 right after printing 'starting billing daemon...'; neither logs, events nor spec say why.")
    return b
