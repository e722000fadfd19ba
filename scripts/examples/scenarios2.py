"""Scenarios 15-28: a second flavour for each category."""

from common import scenario, new_bundle, background, fix_backoff, backoff_event, restart_events, ts_log, nginx_log, go_json_log, postgres_log
from k8sfix import ctr, probe, cs, term, env_val, env_cm, env_secret
from scenarios1 import image_pull_events


@scenario
def crash_loop_exit127():
    b = new_bundle("crash-loop-exit-127")
    background(b)
    b.statefulset("shop", "rabbitmq", [ctr("rabbitmq", "rabbitmq:3.13.7-management", ports=[5672, 15672], port_names=["amqp", "management"],
                  requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "1Gi"},
                  readiness=probe("exec", command=["rabbitmq-diagnostics", "-q", "check_port_connectivity"], period=30, timeout=20))],
                  log=lambda p: ["2026-11-16 07:14:02.118371+00:00 [info] <0.9.0> Time to start RabbitMQ: 9412 ms",
                                 "2026-11-16 07:14:02.219144+00:00 [info] <0.637.0> Server startup complete; 5 plugins started."], nodes=["worker-2"])
    b.service("shop", "rabbitmq", {"app": "rabbitmq"}, [("amqp", 5672, "amqp")])
    img = "registry.example.com/shop/tasks:5.0.0-slim"
    c = ctr("worker", img, command=["sh", "-c", "exec celery -A shop.tasks worker --loglevel=INFO --concurrency=4"],
            env=[env_val("CELERY_BROKER_URL", "amqp://shop@rabbitmq.shop.svc.cluster.local:5672//")],
            requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "512Mi"})
    last = lambda s: term("Error", 127, s, s - 0.001)
    states = [dict(states={"worker": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(2.9 - i * 0.8))}) for i in range(3)]
    d = b.deployment("shop", "tasks-worker", [c], replicas=3, revision=1, ago=9.1, rollout=9, pod_ago=9, pod_states=states,
                     labels={"app": "tasks-worker"})
    fix_backoff(d["_pods"])
    rs = d["_rs"][0]
    b.scaled(d, rs, 3, 0, ago=9)
    b.rs_events(rs)
    for i, p in enumerate(d["_pods"]):
        b.start_events(p, pulled=(i == 0))
        restart_events(b, p, "worker", img, 7, 8.8, 2.9 - i * 0.8)
        backoff_event(b, p, "worker", 35, 8.7, 0.2)
        b.log(p, "worker", ["sh: 1: exec: celery: not found"], previous=True)
    b.expect("crash-loop", "shop", "Deployment/tasks-worker", ["celery", "127"],
             "tasks-worker runs 'exec celery ...' but the 5.0.0-slim image has no celery executable, so the shell exits 127 (command not found) on every start.")
    return b


@scenario
def image_pull_auth():
    b = new_bundle("image-pull-unauthorized", namespaces=("payments", "monitoring"))
    background(b, ns="payments", cart=False)
    b.secret("payments", "ghcr-pull", [".dockerconfigjson"], typ="kubernetes.io/dockerconfigjson")
    led = ctr("ledger", "ghcr.io/acme/ledger:4.1.2", ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"},
              limits={"memory": "256Mi"}, readiness=probe(path="/healthz", port=8080))
    ld = b.deployment("payments", "ledger", [led], replicas=2, revision=14, rollout=41, pod_ago=41, pull_secrets=["ghcr-pull"],
                      log=lambda p: go_json_log(b, "ledger", 5, 35))
    b.service("payments", "ledger", {"app": "ledger"}, [("http", 80, "http")])
    lrs = ld["_rs"][0]
    b.scaled(ld, lrs, 2, 0, ago=41)
    b.rs_events(lrs)
    lp = ld["_pods"][0]
    # red herring: one transient pull timeout on ledger, retried successfully
    b.sched_event(lp, "Scheduled", "Successfully assigned payments/%s to %s" % (lp["metadata"]["name"], lp["spec"]["nodeName"]), 41)
    b.event(lp, "Pulling", 'Pulling image "ghcr.io/acme/ledger:4.1.2"', count=2, first_ago=40.98, last_ago=40.4, container="ledger")
    b.event(lp, "Failed", 'Failed to pull image "ghcr.io/acme/ledger:4.1.2": failed to pull and unpack image "ghcr.io/acme/ledger:4.1.2": failed to copy: httpReadSeeker: failed open: failed to do request: Get "https://pkg-containers.githubusercontent.com/ghcr1/blobs/sha256:9b2d1c7e": dial tcp 185.199.108.154:443: i/o timeout',
            typ="Warning", first_ago=40.6, container="ledger")
    b.event(lp, "Failed", "Error: ErrImagePull", typ="Warning", first_ago=40.6, container="ledger")
    b.event(lp, "Pulled", 'Successfully pulled image "ghcr.io/acme/ledger:4.1.2" in 4.118s (4.118s including waiting). Image size: 38912044 bytes.', first_ago=40.3, container="ledger")
    b.event(lp, "Created", "Created container ledger", first_ago=40.29, container="ledger")
    b.event(lp, "Started", "Started container ledger", first_ago=40.28, container="ledger")
    b.start_events(ld["_pods"][1])
    img = "ghcr.io/acme/billing-api:3.2.0"
    c = ctr("billing-api", img, ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"},
            limits={"memory": "256Mi"}, readiness=probe(path="/healthz", port=8080))
    msg = ('Failed to pull image "%s": rpc error: code = Unknown desc = failed to pull and unpack image "%s": failed to resolve reference "%s": failed to authorize: '
           'failed to fetch anonymous token: unexpected status from GET request to https://ghcr.io/token?scope=repository%%3Aacme%%2Fbilling-api%%3Apull&service=ghcr.io: 401 Unauthorized') % (img, img, img)
    states = [dict(states={"billing-api": cs("waiting", reason="ImagePullBackOff", message='Back-off pulling image "%s"' % img)}),
              dict(states={"billing-api": cs("waiting", reason="ErrImagePull", message=msg.replace('Failed to pull image "%s": ' % img, ""))})]
    d = b.deployment("payments", "billing-api", [c], replicas=2, revision=1, ago=9, rollout=9, pod_ago=9, pod_states=states)
    b.service("payments", "billing-api", {"app": "billing-api"}, [("http", 80, "http")])
    rs = d["_rs"][0]
    b.scaled(d, rs, 2, 0, ago=9)
    b.rs_events(rs)
    for p in d["_pods"]:
        b.sched_event(p, "Scheduled", "Successfully assigned payments/%s to %s" % (p["metadata"]["name"], p["spec"]["nodeName"]), 9)
        b.event(p, "Pulling", 'Pulling image "%s"' % img, count=6, first_ago=8.98, last_ago=0.9, container="billing-api")
        b.event(p, "Failed", msg, typ="Warning", count=6, first_ago=8.97, last_ago=0.9, container="billing-api")
        b.event(p, "Failed", "Error: ErrImagePull", typ="Warning", count=6, first_ago=8.97, last_ago=0.9, container="billing-api")
        b.event(p, "BackOff", 'Back-off pulling image "%s"' % img, count=35, first_ago=8.9, last_ago=0.3, container="billing-api")
        b.event(p, "Failed", "Error: ImagePullBackOff", typ="Warning", count=35, first_ago=8.9, last_ago=0.3, container="billing-api")
    b.expect("image-pull", "payments", "Deployment/billing-api", ["ghcr.io/acme/billing-api:3.2.0", "401 Unauthorized"],
             "billing-api pulls the private image ghcr.io/acme/billing-api:3.2.0 without imagePullSecrets (ledger uses ghcr-pull), so ghcr.io answers 401 Unauthorized.",
             red_herring="ledger had one ErrImagePull (i/o timeout) 40 minutes ago that succeeded on retry; it is healthy.")
    return b


@scenario
def config_missing_secret():
    b = new_bundle("secret-not-found")
    bg = background(b)
    b.configmap("shop", "inventory-config", {"WAREHOUSE_API": "http://warehouse.shop.svc.cluster.local", "SYNC_INTERVAL": "30s"})
    c = ctr("inventory", "ghcr.io/acme/inventory:1.12.0", ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "128Mi"},
            limits={"memory": "256Mi"}, env_from=[{"configMapRef": {"name": "inventory-config"}}, {"secretRef": {"name": "db-creds"}}],
            readiness=probe(path="/healthz", port=8080))
    b.secret("shop", "inventory-db-creds", ["DB_USER", "DB_PASSWORD"])
    msg = 'secret "db-creds" not found'
    states = [dict(states={"inventory": cs("waiting", reason="CreateContainerConfigError", message=msg)}) for _ in range(2)]
    d = b.deployment("shop", "inventory", [c], replicas=2, revision=1, ago=8, rollout=8, pod_ago=8, pod_states=states)
    b.service("shop", "inventory", {"app": "inventory"}, [("http", 80, "http")])
    rs = d["_rs"][0]
    b.scaled(d, rs, 2, 0, ago=8)
    b.rs_events(rs)
    for p in d["_pods"]:
        b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to %s" % (p["metadata"]["name"], p["spec"]["nodeName"]), 8)
        b.event(p, "Pulling", 'Pulling image "ghcr.io/acme/inventory:1.12.0"', first_ago=7.98, container="inventory")
        b.event(p, "Pulled", 'Successfully pulled image "ghcr.io/acme/inventory:1.12.0" in 2.871s (2.871s including waiting). Image size: 27719044 bytes.', first_ago=7.93, container="inventory")
        b.event(p, "Pulled", 'Container image "ghcr.io/acme/inventory:1.12.0" already present on machine', count=38, first_ago=7.7, last_ago=0.2, container="inventory")
        b.event(p, "Failed", "Error: " + msg, typ="Warning", count=39, first_ago=7.92, last_ago=0.2, container="inventory")
    # red herring: the well-known benign kubelet message about kube-root-ca.crt on a healthy cart pod
    cp = bg["cart"]["_pods"][1]
    vol = [v["name"] for v in cp["spec"]["volumes"] if v["name"].startswith("kube-api-access")][0]
    b.event(cp, "FailedMount", 'MountVolume.SetUp failed for volume "%s" : object "shop"/"kube-root-ca.crt" not registered' % vol,
            typ="Warning", count=2, first_ago=21.9, last_ago=21.85)
    b.expect("config-missing", "shop", "Deployment/inventory", ["db-creds"],
             "inventory loads env from Secret db-creds via envFrom, but no such Secret exists in shop (only inventory-db-creds), so both pods are stuck in CreateContainerConfigError.",
             red_herring="A FailedMount 'kube-root-ca.crt not registered' warning on a cart pod is a benign, transient kubelet message.")
    return b


@scenario
def unschedulable_affinity():
    b = new_bundle("node-affinity-mismatch")
    for n in ("worker-1", "worker-2", "worker-3"):
        b.nodes[n]["metadata"]["labels"]["acme.io/pool"] = "general"
    background(b)
    aff = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "acme.io/pool", "operator": "In", "values": ["highmem"]}]}]}}}
    c = ctr("recommender", "registry.example.com/ml/recommender:0.7.3", ports=[8000], port_names=["http"],
            requests={"cpu": "500m", "memory": "1Gi"}, limits={"memory": "2Gi"}, readiness=probe(path="/ready", port=8000))
    msg = ("0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 node(s) didn't match Pod's node affinity/selector. "
           "preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.")
    d = b.deployment("shop", "recommender", [c], replicas=2, revision=1, ago=7, rollout=7, pod_ago=7, affinity=aff,
                     pod_states=[dict(node=None, unschedulable_msg=msg), dict(node=None, unschedulable_msg=msg)])
    rs = d["_rs"][0]
    b.scaled(d, rs, 2, 0, ago=7)
    b.rs_events(rs)
    for i, p in enumerate(d["_pods"]):
        b.sched_event(p, "FailedScheduling", msg, 6.99 - i * 0.01, series=(3, 2.1 + i))
    b.expect("unschedulable", "shop", "Deployment/recommender", ["acme.io/pool", "highmem"],
             "recommender requires nodes labelled acme.io/pool=highmem, but all workers are acme.io/pool=general, so its pods stay Pending.")
    return b


@scenario
def probe_liveness_path():
    b = new_bundle("liveness-wrong-path")
    background(b)
    img = "registry.example.com/shop/catalog:2.4.0"
    c = ctr("catalog", img, ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "192Mi"}, limits={"memory": "384Mi"},
            liveness=probe(path="/health", port=8080, initial=10, period=10), readiness=probe(path="/healthz", port=8080))
    killed = lambda s, f: term("Error", 143, s, f)
    states = [dict(states={"catalog": cs("running", ready=True, restarts=6, started_ago=0.6, last=killed(1.7, 1.1))}),
              dict(states={"catalog": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=killed(2.1, 1.5))})]
    d = b.deployment("shop", "catalog", [c], replicas=2, revision=8, rollout=31, pod_ago=31, pod_states=states, progress="complete")
    fix_backoff(d["_pods"], {1: "2m40s"})
    rs = d["_rs"][0]
    b.scaled(d, rs, 2, 0, ago=31)
    b.rs_events(rs)
    b.service("shop", "catalog", {"app": "catalog"}, [("http", 80, "http")])
    for i, p in enumerate(d["_pods"]):
        b.start_events(p)
        restart_events(b, p, "catalog", img, 6, 29, 0.6 if i == 0 else 2.1)
        b.event(p, "Unhealthy", "Liveness probe failed: HTTP probe failed with statuscode: 404", typ="Warning", count=21, first_ago=30.5, last_ago=0.4 if i == 0 else 1.6, container="catalog")
        b.event(p, "Killing", "Container catalog failed liveness probe, will be restarted", count=6, first_ago=30.2, last_ago=1.2 if i == 0 else 1.55, container="catalog")
        if i == 1:
            backoff_event(b, p, "catalog", 9, 8.0, 0.3)
        def lines(start):
            out = ['{"level":"info","ts":"%s","msg":"catalog listening","addr":":8080","routes":["/healthz","/api/products","/api/products/{id}"]}' % ts_log(b, start)]
            for k in range(3):
                out.append('{"level":"info","ts":"%s","msg":"request","method":"GET","path":"/health","status":404,"duration_ms":0,"user_agent":"kube-probe/1.31"}' % ts_log(b, start - 0.17 - k * 0.17))
                out.append('{"level":"info","ts":"%s","msg":"request","method":"GET","path":"/healthz","status":200,"duration_ms":0,"user_agent":"kube-probe/1.31"}' % ts_log(b, start - 0.18 - k * 0.17))
            out.append('{"level":"info","ts":"%s","msg":"received SIGTERM, shutting down"}' % ts_log(b, start - 0.6))
            return out
        b.log(p, "catalog", lines(1.7 if i == 0 else 2.1), previous=True)
        if i == 0:
            b.log(p, "catalog", lines(0.6)[:3])
    b.expect("probe-failure", "shop", "Deployment/catalog", ["/health", "404"],
             "catalog's liveness probe requests /health, which the app does not serve (it serves /healthz), so every probe gets 404 and the kubelet kills the container every ~30s.",
             red_herring="Exit code 143 and CrashLoopBackOff look like an application crash; the app only exits on the kubelet's SIGTERM.")
    return b


@scenario
def volume_multi_attach():
    b = new_bundle("multi-attach", workers=4)
    b.storageclass("gp3", default=True)
    w1 = b.nodes["worker-1"]
    w1["spec"]["unschedulable"] = True
    w1["spec"]["taints"] = [{"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": b.t(9.5)}]
    background(b, cart_nodes=["worker-2", "worker-3"])
    pg = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "250m", "memory": "512Mi"},
             limits={"memory": "1Gi"}, env=[env_secret("POSTGRES_PASSWORD", "postgres-auth", "password"), env_val("PGDATA", "/var/lib/postgresql/data/pgdata")],
             mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}])
    b.secret("shop", "postgres-auth", ["password"])
    s = b.statefulset("shop", "postgres", [pg], replicas=1, claims=[("data", "20Gi")], storage_class="gp3", ago=60 * 24 * 30,
                      pod_states=[dict(node="worker-4", ago=9.2, states={"postgres": cs("waiting", reason="ContainerCreating")})])
    p = s["_pods"][0]
    p["status"]["conditions"][0].update({"status": "False"})
    p["status"].pop("podIP"); p["status"].pop("podIPs")
    for c in p["status"]["conditions"]:
        if c["type"] == "Initialized":
            c["lastTransitionTime"] = b.t(9.1)
    b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], headless=True)
    pvc = [x for x in b.ns["shop"]["persistentvolumeclaims.json"] if x["metadata"]["name"] == "data-postgres-0"][0]
    pvname = pvc["spec"]["volumeName"]
    vol = [v["name"] for v in p["spec"]["volumes"] if v["name"].startswith("kube-api-access")][0]
    b.event(w1, "NodeNotSchedulable", "Node worker-1 status is now: NodeNotSchedulable", component="kubelet", host="worker-1", first_ago=9.5)
    b.event(s, "SuccessfulCreate", "create Pod postgres-0 in StatefulSet postgres successful", component="statefulset-controller", first_ago=9.21)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/postgres-0 to worker-4", 9.2)
    b.event(p, "FailedAttachVolume", 'Multi-Attach error for volume "%s" Volume is already exclusively attached to one node and can\'t be attached to another' % pvname,
            typ="Warning", component="attachdetach-controller", first_ago=9.19)
    b.event(p, "FailedMount", "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data %s]: timed out waiting for the condition" % vol,
            typ="Warning", count=4, first_ago=7.2, last_ago=0.9)
    b.expect("volume", "shop", "StatefulSet/postgres", ["Multi-Attach", pvname],
             "postgres-0 was rescheduled to worker-4 while its ReadWriteOnce EBS volume %s is still attached to the drained worker-1, so the attach fails (Multi-Attach) and the pod stays in ContainerCreating." % pvname)
    return b


@scenario
def node_disk_pressure():
    b = new_bundle("node-disk-pressure")
    n3 = b.nodes["worker-3"]
    n3["status"]["conditions"] = b.node_conditions(60 * 24 * 40, disk=b.t(16.5))
    n3["spec"]["taints"] = [{"key": "node.kubernetes.io/disk-pressure", "effect": "NoSchedule", "timeAdded": b.t(16.4)}]
    bg = background(b, cart_nodes=["worker-1", "worker-2"])
    # log shipper + batch pods; eviction hits pods on worker-3
    msg_tpl = "The node was low on resource: ephemeral-storage. Threshold quantity: 7303286Ki, available: 6113140Ki. Container %s was using %s, request is 0, has larger consumption of ephemeral-storage."
    rep = ctr("exporter", "registry.example.com/shop/exporter:1.1.0", requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"},
              mounts=[{"name": "scratch", "mountPath": "/scratch"}])
    evmsg = msg_tpl % ("exporter", "38417664Ki")
    d = b.deployment("shop", "exporter", [rep], replicas=1, revision=2, pod_ago=60 * 24, volumes=[{"name": "scratch", "emptyDir": {}}],
                     pod_states=[dict(node="worker-3", phase="Failed", reason="Evicted", message=evmsg,
                                      states={"exporter": cs("terminated", reason="ContainerStatusUnknown", exit_code=137,
                                                             message="The container could not be located when the pod was terminated",
                                                             started_ago=60 * 24 - 0.3, finished_ago=15.8)},
                                      extra_conditions=[{"type": "DisruptionTarget", "status": "True", "lastProbeTime": None, "lastTransitionTime": b.t(15.9),
                                                         "reason": "TerminationByKubelet", "message": evmsg}])])
    ev = d["_pods"][0]
    for c in ev["status"]["conditions"]:
        if c["type"] == "PodReadyToStartContainers":
            c.update({"status": "False", "lastTransitionTime": b.t(15.7)})
        if c["type"] in ("Ready", "ContainersReady"):
            c.update({"lastTransitionTime": b.t(15.8), "reason": "PodCompleted"}); c.pop("message", None)
    ev["status"].pop("podIP"); ev["status"].pop("podIPs")
    rs = d["_rs"][-1]
    t = rs["spec"]["template"]
    rp = b.pod("shop", "exporter-%s-%s" % (rs["metadata"]["labels"]["pod-template-hash"], b.rand_suffix()), t["spec"], t["metadata"]["labels"],
               owner=("ReplicaSet", "apps/v1", rs), node="worker-1", ago=15.75, generate_name=rs["metadata"]["name"] + "-")
    b.healthy_log(rp, ["exporter 1.1.0: writing nightly CSV extracts to /scratch"])
    rs["status"].update({"replicas": 1, "fullyLabeledReplicas": 1, "readyReplicas": 1, "availableReplicas": 1})
    d["status"].update({"replicas": 1, "readyReplicas": 1, "availableReplicas": 1})
    d["status"].pop("unavailableReplicas", None)
    d["status"]["conditions"][0].update({"status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability."})
    b.event(ev, "Evicted", evmsg, typ="Warning", first_ago=15.9)
    b.event(ev, "Killing", "Stopping container exporter", first_ago=15.9, container="exporter")
    b.event(rs, "SuccessfulCreate", "Created pod: %s" % rp["metadata"]["name"], component="replicaset-controller", first_ago=15.76)
    b.start_events(rp, pulled=False)
    b.event(n3, "NodeHasDiskPressure", "Node worker-3 status is now: NodeHasDiskPressure", host="worker-3", first_ago=16.5)
    b.event(n3, "EvictionThresholdMet", "Attempting to reclaim ephemeral-storage", typ="Warning", host="worker-3", count=4, first_ago=16.4, last_ago=1.2)
    b.event(n3, "FreeDiskSpaceFailed", "Failed to garbage collect required amount of images. Attempted to free 9663676416 bytes, but only found 1126055936 bytes eligible to free.",
            typ="Warning", host="worker-3", count=3, first_ago=16.3, last_ago=6.3)
    b.event(n3, "ImageGCFailed", "Failed to garbage collect required amount of images. Attempted to free 9663676416 bytes, but only found 1126055936 bytes eligible to free.",
            typ="Warning", host="worker-3", count=3, first_ago=16.3, last_ago=6.3)
    b.expect("node-problem", None, "Node/worker-3", ["worker-3", "DiskPressure"],
             "worker-3's root filesystem is nearly full (DiskPressure, image GC cannot free enough), so the kubelet taints it and evicts pods using ephemeral storage.",
             red_herring="The Evicted exporter pod looks like a workload failure; it was rescheduled and runs fine on worker-1.")
    return b


@scenario
def job_deadline():
    b = new_bundle("job-deadline")
    background(b)
    img = "registry.example.com/shop/catalog-tools:2.4.0"
    c = ctr("reindex", img, command=["/app/reindex", "--source=postgres", "--target=http://search.shop.svc.cluster.local:9200", "--batch-size=500"],
            requests={"cpu": "500m", "memory": "512Mi"}, limits={"memory": "1Gi"})
    jm = b.meta("reindex-catalog", "shop", ago=36, generation=1)
    juid = jm["uid"]
    jl = {"batch.kubernetes.io/controller-uid": juid, "batch.kubernetes.io/job-name": "reindex-catalog", "controller-uid": juid, "job-name": "reindex-catalog"}
    jm["labels"] = dict(jl)
    tspec = b.template(jl, [c], restart="Never")
    job = {"metadata": jm, "spec": {"parallelism": 1, "completions": 1, "activeDeadlineSeconds": 1800, "backoffLimit": 6,
                                    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": juid}}, "manualSelector": False,
                                    "template": tspec, "completionMode": "NonIndexed", "suspend": False, "podReplacementPolicy": "TerminatingOrFailed"},
           "status": {"conditions": [
               {"type": "FailureTarget", "status": "True", "lastProbeTime": b.t(5.9), "lastTransitionTime": b.t(5.9), "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"},
               {"type": "Failed", "status": "True", "lastProbeTime": b.t(5.4), "lastTransitionTime": b.t(5.4), "reason": "DeadlineExceeded", "message": "Job was active longer than specified deadline"}],
               "startTime": b.t(35.9), "failed": 1, "terminating": 0, "uncountedTerminatedPods": {}, "ready": 0}}
    b.add("Job", job, "shop")
    p = b.pod("shop", "reindex-catalog-%s" % b.rand_suffix(), tspec["spec"], dict(jl), owner=("Job", "batch/v1", job), node="worker-2", ago=35.9,
              generate_name="reindex-catalog-", states={"reindex": cs("terminated", reason="Error", exit_code=143, started_ago=35.85, finished_ago=5.5)})
    lines = ['{"level":"info","ts":"%s","msg":"reindex started","source":"postgres","target":"http://search.shop.svc.cluster.local:9200","documents":2418331}' % ts_log(b, 35.8)]
    done = 0
    for k in range(6):
        done += 68000 + b.rng.randint(0, 4000)
        lines.append('{"level":"info","ts":"%s","msg":"progress","indexed":%d,"total":2418331,"rate_per_s":%d}' % (ts_log(b, 30.8 - k * 5), done, 228 + b.rng.randint(0, 12)))
    lines.append('{"level":"warn","ts":"%s","msg":"received terminated, aborting","indexed":%d}' % (ts_log(b, 5.51), done))
    b.log(p, "reindex", lines)
    b.event(job, "SuccessfulCreate", "Created pod: %s" % p["metadata"]["name"], component="job-controller", first_ago=35.9)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to worker-2" % p["metadata"]["name"], 35.9)
    b.event(p, "Pulled", 'Container image "%s" already present on machine' % img, first_ago=35.88, container="reindex")
    b.event(p, "Created", "Created container reindex", first_ago=35.87, container="reindex")
    b.event(p, "Started", "Started container reindex", first_ago=35.86, container="reindex")
    b.event(p, "Killing", "Stopping container reindex", first_ago=5.9, container="reindex")
    b.event(job, "DeadlineExceeded", "Job was active longer than specified deadline", typ="Warning", component="job-controller", first_ago=5.4)
    b.expect("job-failed", "shop", "Job/reindex-catalog", ["DeadlineExceeded", "1800"],
             "reindex-catalog indexes ~230 documents/s, so 2.4M documents need about 3 hours, but activeDeadlineSeconds is 1800; the Job was killed at the deadline (DeadlineExceeded).")
    return b


@scenario
def quota_limitrange():
    b = new_bundle("limitrange-max", namespaces=("analytics", "monitoring"))
    background(b, ns="analytics", cart=False)
    b.limitrange("analytics", "container-limits", [{"type": "Container", "max": {"cpu": "2", "memory": "1Gi"},
                                                    "default": {"cpu": "500m", "memory": "512Mi"},
                                                    "defaultRequest": {"cpu": "100m", "memory": "256Mi"}, "maxLimitRequestRatio": {"memory": "4"}}])
    c = ctr("worker", "registry.example.com/analytics/etl-worker:0.22.1", requests={"cpu": "500m", "memory": "1Gi"}, limits={"cpu": "1", "memory": "2Gi"},
            env=[env_val("QUEUE", "etl-high"), env_val("PARALLELISM", "4")])
    d = b.deployment("analytics", "etl-worker", [c], replicas=2, revision=1, ago=24, rollout=24, pod_ago=24, pod_states=[], create_pods=False)
    rs = d["_rs"][0]
    rs["spec"]["replicas"] = 2
    rs["status"] = {"replicas": 0, "observedGeneration": 1}
    h = rs["metadata"]["labels"]["pod-template-hash"]
    rs["status"]["conditions"] = [{"type": "ReplicaFailure", "status": "True", "lastTransitionTime": b.t(24), "reason": "FailedCreate",
                                   "message": 'pods "etl-worker-%s-" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi' % h}]
    d["status"] = {"observedGeneration": 1, "unavailableReplicas": 2, "conditions": [
        {"type": "Available", "status": "False", "lastUpdateTime": b.t(24), "lastTransitionTime": b.t(24), "reason": "MinimumReplicasUnavailable", "message": "Deployment does not have minimum availability."},
        {"type": "ReplicaFailure", "status": "True", "lastUpdateTime": b.t(24), "lastTransitionTime": b.t(24), "reason": "FailedCreate",
         "message": 'pods "etl-worker-%s-" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi' % h},
        {"type": "Progressing", "status": "False", "lastUpdateTime": b.t(14), "lastTransitionTime": b.t(14), "reason": "ProgressDeadlineExceeded",
         "message": 'ReplicaSet "%s" has timed out progressing.' % rs["metadata"]["name"]}]}
    b.scaled(d, rs, 2, 0, ago=24)
    sch = ctr("scheduler", "registry.example.com/analytics/etl-scheduler:0.22.1", ports=[8080], port_names=["http"],
              requests={"cpu": "100m", "memory": "128Mi"}, limits={"cpu": "500m", "memory": "512Mi"}, readiness=probe(path="/healthz", port=8080))
    sd = b.deployment("analytics", "etl-scheduler", [sch], replicas=1, revision=1, ago=24.2, rollout=24.2, pod_ago=24.1,
                      log=lambda p: ['{"level":"info","msg":"etl-scheduler 0.22.1 started","queues":["etl-high","etl-low"]}',
                                     '{"level":"info","msg":"enqueued batch","queue":"etl-high","jobs":42}'])
    b.scaled(sd, sd["_rs"][0], 1, 0, ago=24.15)
    b.rs_events(sd["_rs"][0])
    b.start_events(sd["_pods"][0])
    b.event(rs, "FailedCreate", 'Error creating: pods "etl-worker-%s-" is forbidden: maximum memory usage per Container is 1Gi, but limit is 2Gi' % h,
            typ="Warning", component="replicaset-controller", count=19, first_ago=24, last_ago=1.1)
    b.expect("quota-limits", "analytics", "Deployment/etl-worker", ["1Gi", "2Gi"],
             "etl-worker sets a 2Gi memory limit but LimitRange container-limits in analytics allows at most 1Gi per container, so the ReplicaSet cannot create any pod.")
    return b


@scenario
def network_no_endpoints():
    b = new_bundle("service-no-endpoints")
    background(b)
    cat = ctr("catalog", "registry.example.com/shop/catalog:3.0.0", ports=[8080], port_names=["http"], requests={"cpu": "100m", "memory": "192Mi"},
              limits={"memory": "384Mi"}, readiness=probe(path="/healthz", port=8080))
    cd = b.deployment("shop", "catalog", [cat], replicas=2, revision=1, ago=48.1, rollout=48, pod_ago=48,
                      labels={"app.kubernetes.io/name": "catalog", "app.kubernetes.io/part-of": "shop"},
                      log=lambda p: go_json_log(b, "catalog", 3, 40))
    svc = b.service("shop", "catalog", {"app": "catalog"}, [("http", 80, "http")], cluster_ip="10.96.12.4", ago=60 * 24 * 90)
    crs = cd["_rs"][0]
    b.scaled(cd, crs, 2, 0, ago=48)
    b.rs_events(crs)
    for p in cd["_pods"]:
        b.start_events(p)
    img = "registry.example.com/shop/storefront:3.1.0"
    def sf(tag):
        return ctr("storefront", "registry.example.com/shop/storefront:%s" % tag, ports=[3000], port_names=["http"],
                   requests={"cpu": "100m", "memory": "160Mi"}, limits={"memory": "320Mi"},
                   env=[env_val("CATALOG_URL", "http://catalog.shop.svc.cluster.local"), env_val("PORT", "3000")],
                   readiness=probe(path="/healthz", port=3000))
    last = lambda s: term("Error", 1, s, s - 0.02)
    states = [dict(node="worker-3", states={"storefront": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(3.3))})]
    d = b.deployment("shop", "storefront", [sf("3.1.0")], replicas=2, revision=22, rollout=9, pod_ago=9, pod_states=states,
                     old=dict(containers=[sf("3.0.7")], replicas=2, revision=21, ago=60 * 24 * 5, pod_ago=60 * 24 * 3),
                     log=lambda p: ["> storefront@3.0.7 start", "> node server.js", "",
                                    "[%s] INFO: storefront listening on :3000" % ts_log(b, 60 * 24 * 3)] + sum(
                                        [["[%s] ERROR: GET /api/categories failed: connect ECONNREFUSED 10.96.12.4:80" % ts_log(b, 40 - k * 9.7),
                                          "[%s] WARN: serving stale category cache (age %dm)" % (ts_log(b, 40 - k * 9.7 - 0.001), 8 + k * 10)] for k in range(4)], []))
    fix_backoff(d["_pods"])
    b.service("shop", "storefront", {"app": "storefront"}, [("http", 80, "http")])
    rs = d["_rs"][-1]
    b.scaled(d, rs, 1, 0, ago=9)
    b.rs_events(rs)
    p = d["_pods"][-1]
    b.logs.pop(("shop", p["metadata"]["name"]), None)
    b.start_events(p)
    restart_events(b, p, "storefront", img, 7, 8.8, 3.3)
    backoff_event(b, p, "storefront", 34, 8.7, 0.2)
    b.log(p, "storefront", ["> storefront@3.1.0 start", "> node server.js", "",
                            "[%s] INFO: loading catalog from http://catalog.shop.svc.cluster.local/api/categories" % ts_log(b, 3.3),
                            "node:internal/process/promises:394",
                            "    triggerUncaughtException(err, true /* fromPromise */);",
                            "    ^", "",
                            "Error: connect ECONNREFUSED 10.96.12.4:80",
                            "    at TCPConnectWrap.afterConnect [as oncomplete] (node:net:1610:16) {",
                            "  errno: -111,", "  code: 'ECONNREFUSED',", "  syscall: 'connect',", "  address: '10.96.12.4',", "  port: 80", "}", "",
                            "Node.js v20.18.0"], previous=True)
    b.endpoints_for("shop", svc)
    cdns = [p for p in b.ns["kube-system"]["pods.json"] if p["metadata"]["name"].startswith("coredns")][0]
    key = ("kube-system", cdns["metadata"]["name"])
    b.logs[key]["coredns"] = b.logs[key]["coredns"] + [
        "[ERROR] plugin/errors: 2 2204671432893011402.5829315017513227451. HINFO: read udp 10.244.1.3:49023->10.0.0.2:53: i/o timeout",
        "[ERROR] plugin/errors: 2 2204671432893011402.5829315017513227451. HINFO: read udp 10.244.1.3:38921->10.0.0.2:53: i/o timeout"]
    b.expect("network-dns", "shop", "Deployment/storefront", ["catalog", "endpoints"],
             "Service catalog selects app=catalog, but the recreated catalog Deployment labels its pods app.kubernetes.io/name=catalog, so the Service has no endpoints; connections to 10.96.12.4:80 are refused and the new storefront pod crashes at startup.",
             red_herring="CoreDNS logs HINFO i/o timeout errors; they are its harmless startup self-check against the upstream resolver, DNS for catalog resolves fine.")
    return b


@scenario
def permission_podsecurity():
    b = new_bundle("podsecurity-daemonset", ns_labels={"monitoring": {"pod-security.kubernetes.io/enforce": "baseline",
                                                                       "pod-security.kubernetes.io/enforce-version": "latest",
                                                                       "pod-security.kubernetes.io/warn": "restricted"}})
    background(b)
    c = ctr("agent", "ghcr.io/acme/node-agent:1.9.2", ports=[9100], port_names=["metrics"], args=["--path.procfs=/host/proc", "--path.sysfs=/host/sys"],
            requests={"cpu": "50m", "memory": "64Mi"}, limits={"memory": "128Mi"}, security={"privileged": True},
            mounts=[{"name": "proc", "readOnly": True, "mountPath": "/host/proc"}, {"name": "sys", "readOnly": True, "mountPath": "/host/sys"}])
    ds = b.daemonset("monitoring", "node-agent", [c], host_network=True, host_pid=True, ago=17, create_pods=False,
                     volumes=[{"name": "proc", "hostPath": {"path": "/proc", "type": ""}}, {"name": "sys", "hostPath": {"path": "/sys", "type": ""}}],
                     status={"currentNumberScheduled": 0, "numberMisscheduled": 0, "desiredNumberScheduled": 3, "numberReady": 0,
                             "observedGeneration": 1, "numberUnavailable": 3})
    msg = ('Error creating: pods "node-agent-%s" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), '
           'hostPath volumes (volumes "proc", "sys"), privileged (container "agent" must not set securityContext.privileged=true)')
    b.event(ds, "FailedCreate", msg % b.rand_suffix(), typ="Warning", component="daemonset-controller", count=23, first_ago=17, last_ago=0.7)
    b.expect("permission", "monitoring", "DaemonSet/node-agent", ["PodSecurity", "baseline"],
             "The monitoring namespace enforces PodSecurity baseline, and node-agent needs hostNetwork, hostPID, hostPath and privileged, so the DaemonSet controller cannot create any pod.")
    return b


@scenario
def rollout_paused():
    b = new_bundle("rollout-paused")
    background(b)
    def web(tag):
        return ctr("web", "registry.example.com/shop/web:%s" % tag, ports=[8080], port_names=["http"],
                   requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "512Mi"}, readiness=probe(path="/healthz", port=8080))
    d = b.deployment("shop", "web", [web("1.4.2")], replicas=3, revision=8, generation=15, pod_ago=60 * 24 * 3, paused=True, rollout=95,
                     log=lambda p: nginx_log(b, 5, 20))
    d["spec"]["template"]["spec"]["containers"][0]["image"] = "registry.example.com/shop/web:1.5.0"
    d["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = '{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"name":"web","namespace":"shop"},"spec":{"paused":true,"replicas":3,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"registry.example.com/shop/web:1.5.0","name":"web","ports":[{"containerPort":8080,"name":"http"}]}]}}}}\n'
    d["status"]["updatedReplicas"] = 0
    b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    b.expect("rollout-stuck", "shop", "Deployment/web", ["paused", "1.5.0"],
             "Deployment web is paused (spec.paused: true), so its template change to registry.example.com/shop/web:1.5.0 never rolls out and all pods still run 1.4.2.")
    return b


@scenario
def oom_init_statefulset():
    b = new_bundle("oom-init-container")
    b.storageclass("gp3", default=True)
    background(b)
    b.secret("shop", "postgres-auth", ["password"])
    b.secret("shop", "backup-s3", ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"])
    init = ctr("restore", "registry.example.com/ops/pg-restore:1.3.0", command=["/usr/local/bin/restore-if-empty.sh"],
               env=[env_val("SNAPSHOT_URL", "s3://acme-db-backups/shop/latest.tar.zst"), env_val("PGDATA", "/var/lib/postgresql/data/pgdata")],
               env_from=[{"secretRef": {"name": "backup-s3"}}], requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "128Mi"},
               mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}])
    pg = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "250m", "memory": "512Mi"},
             limits={"memory": "1Gi"}, env=[env_secret("POSTGRES_PASSWORD", "postgres-auth", "password"), env_val("PGDATA", "/var/lib/postgresql/data/pgdata")],
             mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}])
    s = b.statefulset("shop", "postgres", [pg], replicas=1, init=[init], claims=[("data", "20Gi")], storage_class="gp3", ago=39,
                      pod_states=[dict(node="worker-1", ago=38,
                                       init_states={"restore": cs("waiting", reason="CrashLoopBackOff", restarts=7, last=term("OOMKilled", 137, 3.4, 2.6))},
                                       states={"postgres": cs("waiting", reason="PodInitializing")})])
    p = s["_pods"][0]
    fix_backoff([p])
    b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], headless=True)
    b.event(s, "SuccessfulCreate", "create Claim data-postgres-0 Pod postgres-0 in StatefulSet postgres success", component="statefulset-controller", first_ago=38.01)
    b.event(s, "SuccessfulCreate", "create Pod postgres-0 in StatefulSet postgres successful", component="statefulset-controller", first_ago=38)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/postgres-0 to worker-1", 37.7)
    b.event(p, "SuccessfulAttachVolume", 'AttachVolume.Attach succeeded for volume "%s"' % [x for x in b.ns["shop"]["persistentvolumeclaims.json"] if x["metadata"]["name"] == "data-postgres-0"][0]["spec"]["volumeName"],
            component="attachdetach-controller", first_ago=37.5)
    b.event(p, "Pulling", 'Pulling image "registry.example.com/ops/pg-restore:1.3.0"', first_ago=37.3, field_path="spec.initContainers{restore}")
    b.event(p, "Pulled", 'Successfully pulled image "registry.example.com/ops/pg-restore:1.3.0" in 5.912s (5.912s including waiting). Image size: 88213004 bytes.', first_ago=37.2, field_path="spec.initContainers{restore}")
    restart_events(b, p, "restore", "registry.example.com/ops/pg-restore:1.3.0", 7, 37.1, 3.4, init=True)
    backoff_event(b, p, "restore", 128, 35.0, 0.3, init=True)
    b.log(p, "restore", ["[restore] %s data directory /var/lib/postgresql/data/pgdata is empty, restoring snapshot" % ts_log(b, 3.4, "%Y-%m-%dT%H:%M:%SZ"),
                         "[restore] downloading s3://acme-db-backups/shop/latest.tar.zst (4.1 GiB)",
                         "[restore] extracting with: zstd -d --long=31 -T0 | tar -x -C /var/lib/postgresql/data/pgdata"], previous=True)
    b.expect("oom-killed", "shop", "StatefulSet/postgres", ["restore", "OOMKilled", "128Mi"],
             "The restore init container of postgres-0 is OOMKilled (exit 137) because zstd --long=31 needs far more than its 128Mi memory limit, so the database never starts.",
             red_herring="The postgres container itself only shows waiting/PodInitializing; it has not failed, it never started.")
    return b


@scenario
def unknown_bare_pod():
    b = new_bundle("unknown-bare-pod")
    background(b)
    img = "registry.example.com/shop/migrations:2026.11.19"
    c = ctr("migrate", img, command=["/app/migrate"], args=["up"], env=[env_val("DB_HOST", "postgres.shop.svc.cluster.local")],
            requests={"cpu": "100m", "memory": "128Mi"}, limits={"memory": "256Mi"})
    tspec = b.template({"run": "migrate-20261120"}, [c], restart="Never")
    p = b.pod("shop", "migrate-20261120", tspec["spec"], {"run": "migrate-20261120"}, node="worker-2", ago=12,
              states={"migrate": cs("terminated", reason="Error", exit_code=1, started_ago=11.9, finished_ago=11.85)})
    b.start_events(p)
    b.log(p, "migrate", [])
    b.expect("unknown", "shop", "Pod/migrate-20261120", ["migrate-20261120", "1"],
             "The bare pod migrate-20261120 exited 1 after three seconds with empty logs and no warning events, so nothing in the snapshot explains the failure.")
    return b
