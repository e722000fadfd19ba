"""Scenarios read from `kubectl cluster-info dump --all-namespaces --output-directory` trees:
no Jobs, CronJobs, StatefulSets, PVCs, PVs, StorageClasses, ConfigMaps or Secrets, only the
current logs. Each builds the whole cluster and writes the part kubectl dumps (`dump_only`).
Known error signatures (signatures/builtin.toml) name the cause in several of them."""

from common import scenario, new_bundle, background, fix_backoff, backoff_event, restart_events, ts_log, postgres_log
from k8sfix import ctr, probe, cs, term, env_val, env_secret
from scenarios1 import cron_job_name


def dump_bundle(name, **kw):
    b = new_bundle(name, **kw)
    b.dump_only = True
    return b


def cronjob(b, ns, name, schedule, tmpl_spec, ago=60 * 24 * 60, backoff=2, last_success_ago=None, last_schedule_ago=None):
    m = b.meta(name, ns, ago=ago, generation=2)
    cj = {"metadata": m, "spec": {"schedule": schedule, "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid", "suspend": False,
                                  "jobTemplate": {"metadata": {"creationTimestamp": None}, "spec": {"backoffLimit": backoff,
                                                  "template": {"metadata": {"creationTimestamp": None}, "spec": tmpl_spec}}},
                                  "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1},
          "status": {}}
    if last_schedule_ago is not None:
        cj["status"]["lastScheduleTime"] = b.t(last_schedule_ago)
    if last_success_ago is not None:
        cj["status"]["lastSuccessfulTime"] = b.t(last_success_ago)
    return b.add("CronJob", cj, ns)


def cron_run(b, cj, sched_ago, tmpl_spec, backoff, failed, complete_ago=None):
    """A Job of `cj` scheduled `sched_ago` minutes ago, with its labels and conditions."""
    ns = cj["metadata"]["namespace"]
    jname = "%s-%d" % (cj["metadata"]["name"], cron_job_name(b, sched_ago))
    jm = b.meta(jname, ns, ago=sched_ago, owner=("CronJob", "batch/v1", cj), generation=1,
                annotations={"batch.kubernetes.io/cronjob-scheduled-timestamp": b.t(sched_ago)})
    juid = jm["uid"]
    jl = {"batch.kubernetes.io/controller-uid": juid, "batch.kubernetes.io/job-name": jname, "controller-uid": juid, "job-name": jname}
    jm["labels"] = dict(jl)
    spec = {"parallelism": 1, "completions": 1, "backoffLimit": backoff,
            "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": juid}}, "manualSelector": False,
            "template": {"metadata": {"creationTimestamp": None, "labels": dict(jl)}, "spec": tmpl_spec},
            "completionMode": "NonIndexed", "suspend": False, "podReplacementPolicy": "TerminatingOrFailed"}
    if failed:
        status = {"conditions": [
            {"type": "FailureTarget", "status": "True", "lastProbeTime": b.t(complete_ago), "lastTransitionTime": b.t(complete_ago),
             "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"},
            {"type": "Failed", "status": "True", "lastProbeTime": b.t(complete_ago), "lastTransitionTime": b.t(complete_ago),
             "reason": "BackoffLimitExceeded", "message": "Job has reached the specified backoff limit"}],
            "startTime": b.t(sched_ago), "failed": backoff + 1, "terminating": 0, "uncountedTerminatedPods": {}, "ready": 0}
    else:
        status = {"conditions": [
            {"type": "SuccessCriteriaMet", "status": "True", "lastProbeTime": b.t(complete_ago), "lastTransitionTime": b.t(complete_ago),
             "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"},
            {"type": "Complete", "status": "True", "lastProbeTime": b.t(complete_ago), "lastTransitionTime": b.t(complete_ago),
             "reason": "CompletionsReached", "message": "Reached expected number of succeeded pods"}],
            "startTime": b.t(sched_ago), "completionTime": b.t(complete_ago), "succeeded": 1, "terminating": 0,
            "uncountedTerminatedPods": {}, "ready": 0}
    job = {"metadata": jm, "spec": spec, "status": status}
    b.add("Job", job, ns)
    return job, jl


@scenario
def dump_cronjob_too_many_clients():
    b = dump_bundle("dump-cronjob-failed")
    background(b)
    wh = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "500m", "memory": "1Gi"},
             limits={"memory": "2Gi"}, env=[env_secret("POSTGRES_PASSWORD", "warehouse-auth", "password")],
             args=["-c", "max_connections=60"], mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
             readiness=probe("exec", command=["pg_isready", "-U", "postgres"], period=10))
    b.secret("shop", "warehouse-auth", ["password"])
    s = b.statefulset("shop", "warehouse", [wh], claims=[("data", "100Gi")], storage_class="gp3", nodes=["worker-2"], log=None)
    b.service("shop", "warehouse", {"app": "warehouse"}, [("postgres", 5432, "postgres")], cluster_ip="10.96.87.3")
    c = ctr("report", "registry.example.com/analytics/daily-report:3.2.0", command=["python", "-m", "report.daily"],
            env=[env_val("WAREHOUSE_DSN", "postgresql://reporter@warehouse.shop.svc.cluster.local:5432/sales"),
                 env_secret("PGPASSWORD", "reporter-credentials", "password"), env_val("REPORT_BUCKET", "s3://acme-reports/daily")],
            requests={"cpu": "200m", "memory": "512Mi"}, limits={"memory": "1Gi"})
    b.secret("shop", "reporter-credentials", ["password"])
    tmpl_spec = b.template({}, [c], restart="Never")["spec"]
    cj = cronjob(b, "shop", "daily-report", "0 9 * * *", tmpl_spec, last_schedule_ago=30, last_success_ago=60 * 24 + 27.5)
    # Yesterday's run succeeded; its Job and pod are kept (successfulJobsHistoryLimit).
    y_ago = 60 * 24 + 30
    yjob, yl = cron_run(b, cj, y_ago, tmpl_spec, 2, failed=False, complete_ago=y_ago - 2.5)
    yp = b.pod("shop", "%s-%s" % (yjob["metadata"]["name"], b.rand_suffix()), tmpl_spec, dict(yl), owner=("Job", "batch/v1", yjob),
               node="worker-1", ago=y_ago - 0.01, generate_name=yjob["metadata"]["name"] + "-", phase="Succeeded",
               states={"report": cs("terminated", reason="Completed", exit_code=0, started_ago=y_ago - 0.05, finished_ago=y_ago - 2.45)})
    b.log(yp, "report", ["%s INFO report.daily: building the sales report for 2026-11-18" % ts_log(b, y_ago - 0.05, "%Y-%m-%d %H:%M:%S,{ms}"),
                         "%s INFO report.daily: 48213 orders, 3 regions" % ts_log(b, y_ago - 1.9, "%Y-%m-%d %H:%M:%S,{ms}"),
                         "%s INFO report.daily: uploaded s3://acme-reports/daily/2026-11-18.pdf" % ts_log(b, y_ago - 2.44, "%Y-%m-%d %H:%M:%S,{ms}")])
    job, jl = cron_run(b, cj, 30, tmpl_spec, 2, failed=True, complete_ago=28.6)
    jname = job["metadata"]["name"]
    starts = [29.98, 29.6, 29.0]
    fatal = 'psycopg2.OperationalError: connection to server at "warehouse.shop.svc.cluster.local" (10.96.87.3), port 5432 failed: FATAL:  sorry, too many clients already'
    for i, st in enumerate(starts):
        pname = "%s-%s" % (jname, b.rand_suffix())
        p = b.pod("shop", pname, tmpl_spec, dict(jl), owner=("Job", "batch/v1", job), node=["worker-1", "worker-3", "worker-2"][i],
                  ago=st, generate_name=jname + "-",
                  states={"report": cs("terminated", reason="Error", exit_code=1, started_ago=st - 0.03, finished_ago=st - 0.06)})
        t0 = lambda d: ts_log(b, st - d, "%Y-%m-%d %H:%M:%S,{ms}")
        b.log(p, "report", [
            "%s INFO report.daily: building the sales report for 2026-11-19" % t0(0.03),
            "%s ERROR report.daily: cannot open the warehouse connection" % t0(0.05),
            "Traceback (most recent call last):",
            '  File "/app/report/daily.py", line 57, in main',
            "    conn = psycopg2.connect(os.environ[\"WAREHOUSE_DSN\"])",
            '  File "/usr/local/lib/python3.12/site-packages/psycopg2/__init__.py", line 122, in connect',
            "    conn = _connect(dsn, connection_factory=connection_factory, **kwasync)",
            fatal, ""])
        b.event(job, "SuccessfulCreate", "Created pod: %s" % pname, component="job-controller", first_ago=st + 0.005)
        b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to %s" % (pname, p["spec"]["nodeName"]), st)
        b.event(p, "Pulled", 'Container image "registry.example.com/analytics/daily-report:3.2.0" already present on machine', first_ago=st - 0.01, container="report")
        b.event(p, "Created", "Created container report", first_ago=st - 0.015, container="report")
        b.event(p, "Started", "Started container report", first_ago=st - 0.02, container="report")
    b.event(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", typ="Warning", component="job-controller", first_ago=28.6)
    b.event(cj, "SuccessfulCreate", "Created job %s" % jname, component="cronjob-controller", first_ago=30)
    b.event(cj, "SawCompletedJob", "Saw completed job: %s, status: Failed" % jname, component="cronjob-controller", first_ago=28.55)
    wp = s["_pods"][0]
    b.log(wp, "postgres", postgres_log(b, ["%s UTC [%d] FATAL:  sorry, too many clients already" % (ts_log(b, st - 0.04, "%Y-%m-%d %H:%M:%S.{ms}"), 51200 + i * 41)
                                           for i, st in enumerate(starts)]))
    b.expect("job-failed", "shop", "CronJob/daily-report", ["too many clients", "daily-report"],
             "Every pod of today's daily-report Job exits 1 because the warehouse database refuses the connection (FATAL: sorry, too many clients already), so the Job hit its backoffLimit; the dump has no Job or CronJob objects, so the CronJob is inferred from the Job's name.")
    return b


@scenario
def dump_statefulset_disk_full():
    b = dump_bundle("dump-disk-full")
    background(b, redis=False)
    pg = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "250m", "memory": "512Mi"},
             limits={"memory": "1Gi"}, env=[env_secret("POSTGRES_PASSWORD", "postgres-auth", "password"), env_val("PGDATA", "/var/lib/postgresql/data/pgdata")],
             mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
             readiness=probe("exec", command=["pg_isready", "-U", "postgres"], period=10))
    b.secret("shop", "postgres-auth", ["password"])
    last = term("Error", 1, 2.4, 2.38)
    s = b.statefulset("shop", "postgres", [pg], replicas=1, claims=[("data", "20Gi")], storage_class="gp3", ago=60 * 24 * 30,
                      pod_states=[dict(node="worker-2", ago=60 * 24 * 6,
                                       states={"postgres": cs("waiting", reason="CrashLoopBackOff", restarts=7, last=last)})])
    fix_backoff(s["_pods"])
    p = s["_pods"][0]
    b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], headless=True)
    restart_events(b, p, "postgres", "postgres:16.4", 8, 14.2, 2.4)
    backoff_event(b, p, "postgres", 61, 14.1, 0.4)
    b.event(p, "Unhealthy", "Readiness probe failed: /var/run/postgresql:5432 - no response", typ="Warning", count=12, first_ago=14.3, last_ago=2.5,
            container="postgres")
    t = b.dt(2.4).strftime("%Y-%m-%d %H:%M:%S")
    b.log(p, "postgres", ["", "PostgreSQL Database directory appears to contain a database; Skipping initialization", "",
                          "%s.201 UTC [1] LOG:  starting PostgreSQL 16.4 (Debian 16.4-1.pgdg120+2) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14) 12.2.0, 64-bit" % t,
                          "%s.203 UTC [1] LOG:  listening on IPv4 address \"0.0.0.0\", port 5432" % t,
                          "%s.209 UTC [1] LOG:  listening on Unix socket \"/var/run/postgresql/.s.PGSQL.5432\"" % t,
                          "%s.215 UTC [29] LOG:  database system was interrupted; last known up at 2026-11-20 09:14:52 UTC" % t,
                          "%s.302 UTC [29] LOG:  database system was not properly shut down; automatic recovery in progress" % t,
                          "%s.309 UTC [29] LOG:  redo starts at 3/1A2B3C40" % t,
                          "%s.877 UTC [29] PANIC:  could not write to file \"pg_wal/xlogtemp.29\": No space left on device" % t,
                          "%s.880 UTC [1] LOG:  startup process (PID 29) was terminated by signal 6: Aborted" % t,
                          "%s.880 UTC [1] LOG:  aborting startup due to startup process failure" % t,
                          "%s.884 UTC [1] LOG:  database system is shut down" % t], previous=True)
    api = ctr("orders", "ghcr.io/acme/orders:3.2.1", ports=[8000], port_names=["http"],
              env=[env_val("ORDERS_DB_HOST", "postgres.shop.svc.cluster.local")], requests={"cpu": "100m", "memory": "192Mi"},
              limits={"memory": "384Mi"}, readiness=probe(path="/ready", port=8000))
    b.deployment("shop", "orders", [api], replicas=2, revision=4, pod_ago=60 * 24 * 2,
                 log=lambda p: ['{"level":"info","ts":"%s","msg":"serving","addr":":8000"}' % ts_log(b, 60 * 24 * 2)])
    b.service("shop", "orders", {"app": "orders"}, [("http", 80, "http")])
    b.expect("volume", "shop", "StatefulSet/postgres", ["No space left on device", "pg_wal"],
             "postgres-0 crash-loops because crash recovery cannot write WAL: its data volume is full (PANIC: could not write to file \"pg_wal/xlogtemp.29\": No space left on device); the PVC must grow.")
    return b


@scenario
def dump_exec_format():
    b = dump_bundle("dump-exec-format")
    background(b)
    old_img = "registry.example.com/media/thumbnailer:1.7.2"
    new_img = "registry.example.com/media/thumbnailer:1.8.0"
    mk = lambda img: ctr("thumbnailer", img, ports=[8080], port_names=["http"], requests={"cpu": "250m", "memory": "256Mi"},
                         limits={"memory": "512Mi"}, readiness=probe(path="/healthz", port=8080))
    last = lambda s: term("Error", 255, s, s)
    states = [dict(states={"thumbnailer": cs("waiting", reason="CrashLoopBackOff", restarts=5, last=last(3.3))})]
    d = b.deployment("shop", "thumbnailer", [mk(new_img)], replicas=2, revision=6, ago=60 * 24 * 40, pod_ago=7.9, rollout=8.0,
                     pod_states=states, old=dict(containers=[mk(old_img)], replicas=2, pod_ago=60 * 24 * 9),
                     log=lambda p: ['{"level":"info","ts":"%s","msg":"listening","addr":":8080","workers":4}' % ts_log(b, 60 * 24 * 9)])
    fix_backoff(d["_pods"])
    b.service("shop", "thumbnailer", {"app": "thumbnailer"}, [("http", 80, "http")])
    new_rs = d["_rs"][-1]
    b.scaled(d, new_rs, 1, 0, ago=8.0)
    b.rs_events(new_rs)
    for p in d["_pods"]:
        if p["metadata"]["name"].startswith(new_rs["metadata"]["name"]):
            b.start_events(p)
            restart_events(b, p, "thumbnailer", new_img, 6, 7.8, 3.3)
            backoff_event(b, p, "thumbnailer", 33, 7.7, 0.5)
            # The new pod never ran long enough to log like the old ones.
            b.logs.pop(("shop", p["metadata"]["name"]), None)
            b.log(p, "thumbnailer", ["exec /usr/local/bin/thumbnailer: exec format error"], previous=True)
    b.expect("crash-loop", "shop", "Deployment/thumbnailer", ["exec format error"],
             "The new thumbnailer image 1.8.0 was built for arm64 only; on the amd64 workers its entrypoint fails with 'exec format error', so the new pod crash-loops while the old ReplicaSet still serves.")
    return b


@scenario
def dump_provisioning_failed():
    b = dump_bundle("dump-provisioning-failed", workers=3)
    background(b)
    mq = ctr("rabbitmq", "rabbitmq:3.13.7-management", ports=[5672, 15672], port_names=["amqp", "management"],
             requests={"cpu": "250m", "memory": "512Mi"}, limits={"memory": "1Gi"},
             mounts=[{"name": "data", "mountPath": "/var/lib/rabbitmq/mnesia"}],
             readiness=probe("exec", command=["rabbitmq-diagnostics", "-q", "check_running"], period=30, timeout=20))
    msg = "0/4 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling."
    s = b.statefulset("shop", "rabbitmq", [mq], replicas=1, claims=[("data", "10Gi")], storage_class="gp3-encrypted",
                      pvc_status={"data-rabbitmq-0": "Pending"}, pod_states=[dict(node=None, unschedulable_msg=msg, ago=18)], ago=18)
    pvc = [x for x in b.ns["shop"]["persistentvolumeclaims.json"] if x["metadata"]["name"] == "data-rabbitmq-0"][0]
    pvc["metadata"]["creationTimestamp"] = b.t(18)
    b.service("shop", "rabbitmq", {"app": "rabbitmq"}, [("amqp", 5672, "amqp"), ("management", 15672, "management")])
    p = s["_pods"][0]
    b.event(s, "SuccessfulCreate", "create Claim data-rabbitmq-0 Pod rabbitmq-0 in StatefulSet rabbitmq success", component="statefulset-controller", first_ago=18)
    b.event(s, "SuccessfulCreate", "create Pod rabbitmq-0 in StatefulSet rabbitmq successful", component="statefulset-controller", first_ago=17.99)
    b.event(pvc, "ExternalProvisioning", "Waiting for a volume to be created either by the external provisioner 'ebs.csi.aws.com' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.",
            component="persistentvolume-controller", count=74, first_ago=18, last_ago=0.1)
    ctl = "ebs.csi.aws.com_ebs-csi-controller-6f8d9b7c5d-q2x7k_5b1e0c7a-3f2d-4e8b-9a6c-1d2e3f4a5b6c"
    b.event(pvc, "Provisioning", 'External provisioner is provisioning volume for claim "shop/data-rabbitmq-0"', component=ctl,
            count=9, first_ago=18, last_ago=1.2)
    fail = ('failed to provision volume with StorageClass "gp3-encrypted": rpc error: code = Internal desc = Could not create volume '
            '"pvc-%s": could not create volume in EC2: operation error EC2: CreateVolume, https response error StatusCode: 403, '
            'RequestID: 6a0e4b2c-91d7-4f3e-a8c5-2b7d9e1f0c43, api error UnauthorizedOperation: You are not authorized to perform this operation. '
            'User: arn:aws:sts::123456789012:assumed-role/eks-ebs-csi-driver/1763628012345678901 is not authorized to perform: ec2:CreateVolume '
            'on resource: arn:aws:ec2:eu-west-1:123456789012:volume/* because no identity-based policy allows the ec2:CreateVolume action. '
            'Encoded authorization failure message: rJ4fQm0_t9Vx2nQ8kLp3sWc7') % pvc["metadata"]["uid"]
    b.event(pvc, "ProvisioningFailed", fail, typ="Warning", component=ctl, count=9, first_ago=17.9, last_ago=1.2)
    b.sched_event(p, "FailedScheduling", msg, 17.98, series=(5, 2.1))
    b.expect("volume", "shop", "StatefulSet/rabbitmq", ["data-rabbitmq-0", "gp3-encrypted", "ec2:CreateVolume"],
             "rabbitmq-0 is Pending because its claim data-rabbitmq-0 (StorageClass gp3-encrypted) cannot be provisioned: the EBS CSI driver's IAM role may not call ec2:CreateVolume. The dump has no PVC or StorageClass; the chain is read from the events.")
    return b


@scenario
def dump_volume_node_affinity():
    b = dump_bundle("dump-volume-node-affinity", workers=2)
    background(b, cart_nodes=["worker-1", "worker-2"])
    pg = ctr("postgres", "postgres:16.4", ports=[5432], port_names=["postgres"], requests={"cpu": "250m", "memory": "512Mi"},
             limits={"memory": "1Gi"}, env=[env_secret("POSTGRES_PASSWORD", "postgres-auth", "password"), env_val("PGDATA", "/var/lib/postgresql/data/pgdata")],
             mounts=[{"name": "data", "mountPath": "/var/lib/postgresql/data"}],
             readiness=probe("exec", command=["pg_isready", "-U", "postgres"], period=10))
    b.secret("shop", "postgres-auth", ["password"])
    msg = ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
           "2 node(s) had volume node affinity conflict. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.")
    s = b.statefulset("shop", "postgres", [pg], replicas=1, claims=[("data", "50Gi")], storage_class="gp3", ago=60 * 24 * 90,
                      pod_states=[dict(node=None, unschedulable_msg=msg, ago=24)])
    p = s["_pods"][0]
    b.service("shop", "postgres", {"app": "postgres"}, [("postgres", 5432, "postgres")], headless=True)
    b.event(s, "SuccessfulCreate", "create Pod postgres-0 in StatefulSet postgres successful", component="statefulset-controller", first_ago=24)
    b.sched_event(p, "FailedScheduling", msg, 23.99, series=(7, 1.4))
    b.expect("volume", "shop", "StatefulSet/postgres", ["volume node affinity conflict", "data-postgres-0"],
             "The node in eu-west-1c was scaled away; postgres-0 was recreated but its EBS volume (claim data-postgres-0) lives in eu-west-1c, and the two remaining workers are in eu-west-1a/b, so the scheduler reports a volume node affinity conflict.")
    return b


@scenario
def dump_attach_limit():
    b = dump_bundle("dump-attach-limit", workers=3)
    background(b)
    k = ctr("kafka", "apache/kafka:3.8.1", ports=[9092, 9093], port_names=["broker", "controller"],
            requests={"cpu": "500m", "memory": "1Gi"}, limits={"memory": "2Gi"},
            mounts=[{"name": "data", "mountPath": "/var/lib/kafka/data"}], readiness=probe("tcp", port=9092, period=10))
    states = [dict(node="worker-1", ago=60 * 24 * 8), dict(node="worker-2", ago=60 * 24 * 8),
              dict(node="worker-3", ago=11.5, states={"kafka": cs("waiting", reason="ContainerCreating")})]
    s = b.statefulset("shop", "kafka", [k], replicas=3, claims=[("data", "100Gi")], storage_class="gp3", ago=60 * 24 * 60,
                      pod_states=states, service_name="kafka-headless",
                      log=lambda p: ["[%s] INFO [KafkaRaftServer nodeId=%s] Kafka Server started (kafka.server.KafkaRaftServer)" % (
                          b.dt(60 * 24 * 8).strftime("%Y-%m-%d %H:%M:%S,%f")[:-3], p["metadata"]["name"][-1])])
    b.service("shop", "kafka-headless", {"app": "kafka"}, [("broker", 9092, "broker"), ("controller", 9093, "controller")], headless=True)
    p = s["_pods"][2]
    p["status"]["conditions"][0].update({"status": "False"})
    p["status"].pop("podIP", None)
    p["status"].pop("podIPs", None)
    pvc = [x for x in b.ns["shop"]["persistentvolumeclaims.json"] if x["metadata"]["name"] == "data-kafka-2"][0]
    pvname = pvc["spec"]["volumeName"]
    vol = [v["name"] for v in p["spec"]["volumes"] if v["name"].startswith("kube-api-access")][0]
    b.event(s, "SuccessfulCreate", "create Pod kafka-2 in StatefulSet kafka successful", component="statefulset-controller", first_ago=11.51)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/kafka-2 to worker-3", 11.5)
    attach = ('AttachVolume.Attach failed for volume "%s" : rpc error: code = Internal desc = Could not attach volume "vol-0%s" to node "i-0%s": '
              'could not attach volume "vol-0%s" to node "i-0%s": operation error EC2: AttachVolume, https response error StatusCode: 400, '
              'RequestID: 1f7c2a9e-5b3d-4c8e-b6a1-9d0e2f4c7b85, api error AttachmentLimitExceeded: You\'ve reached the limit on the number of '
              'Amazon EBS volumes or network interfaces that can be attached to a single instance.')
    vid, iid = b.hex(16), b.hex(16)
    b.event(p, "FailedAttachVolume", attach % (pvname, vid, iid, vid, iid), typ="Warning", component="attachdetach-controller",
            count=8, first_ago=11.4, last_ago=0.8)
    b.event(p, "FailedMount", "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[data %s]: timed out waiting for the condition" % vol,
            typ="Warning", count=5, first_ago=9.4, last_ago=1.3)
    b.expect("volume", "shop", "StatefulSet/kafka", ["AttachmentLimitExceeded", "data-kafka-2"],
             "kafka-2 was rescheduled to worker-3, which already has as many EBS volumes attached as its instance type allows, so attaching data-kafka-2's volume fails with AttachmentLimitExceeded and the pod stays in ContainerCreating.")
    return b


@scenario
def dump_certificate_expired():
    b = dump_bundle("dump-certificate-expired")
    background(b)
    img = "ghcr.io/acme/checkout:5.4.2"
    c = ctr("checkout", img, ports=[8080], port_names=["http"], requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "512Mi"},
            env=[env_val("PAYMENTS_URL", "https://payments.internal.acme.com:8443"), env_val("TLS_CLIENT_CERT", "/etc/checkout/tls/tls.crt"),
                 env_val("TLS_CLIENT_KEY", "/etc/checkout/tls/tls.key")],
            mounts=[{"name": "client-tls", "mountPath": "/etc/checkout/tls", "readOnly": True}],
            readiness=probe(path="/ready", port=8080))
    last = lambda s: term("Error", 1, s, s - 0.02)
    states = [dict(states={"checkout": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(2.9))}),
              dict(states={"checkout": cs("waiting", reason="CrashLoopBackOff", restarts=6, last=last(2.1))})]
    d = b.deployment("shop", "checkout", [c], replicas=2, revision=12, ago=60 * 24 * 70, pod_ago=13.0, pod_states=states,
                     volumes=[{"name": "client-tls", "secret": {"secretName": "checkout-client-tls", "defaultMode": 420}}])
    b.secret("shop", "checkout-client-tls", ["tls.crt", "tls.key", "ca.crt"], typ="kubernetes.io/tls")
    fix_backoff(d["_pods"])
    b.service("shop", "checkout", {"app": "checkout"}, [("http", 80, "http")])
    for i, p in enumerate(d["_pods"]):
        b.start_events(p)
        restart_events(b, p, "checkout", img, 7, 12.8, 2.9 - i * 0.8)
        backoff_event(b, p, "checkout", 41, 12.7, 0.4)
        t = 2.9 - i * 0.8
        b.log(p, "checkout", [
            '{"level":"info","ts":"%s","caller":"cmd/checkout/main.go:61","msg":"starting checkout","version":"5.4.2"}' % ts_log(b, t),
            '{"level":"info","ts":"%s","caller":"cmd/checkout/main.go:74","msg":"loaded client certificate","path":"/etc/checkout/tls/tls.crt"}' % ts_log(b, t - 0.001),
            '{"level":"fatal","ts":"%s","caller":"cmd/checkout/main.go:88","msg":"cannot reach the payment gateway","error":"Get \\"https://payments.internal.acme.com:8443/v1/health\\": tls: failed to verify certificate: x509: certificate has expired or is not yet valid: current time %s is after 2026-11-20T00:00:00Z"}' % (
                ts_log(b, t - 0.015), b.dt(t - 0.015).strftime("%Y-%m-%dT%H:%M:%SZ"))], previous=True)
    b.expect("crash-loop", "shop", "Deployment/checkout", ["certificate has expired", "payments"],
             "checkout exits 1 at startup because the payment gateway's certificate expired at midnight (x509: certificate has expired or is not yet valid), so both pods crash-loop; the fix is to renew that certificate.")
    return b
