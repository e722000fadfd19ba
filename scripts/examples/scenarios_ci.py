"""Scenarios that join the cluster with CI runs (ci/runs.json)."""

from common import scenario, new_bundle, background, nginx_log
from k8sfix import ctr, probe, cs, env_val
from scenarios1 import image_pull_events
from cifix import job, run, runs_file, steps

REPO = "acme/web"
NEW = "4f2c9e1d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d"
OLD = "9b1d3a7e5c2f4a6b8d0e1f3a5c7e9b2d4f6a8c0e"


def docker_failure():
    """What k8sops' log parser keeps of the build-and-push job (see tests/data/ci/logs/docker-build.log)."""
    err = "#7 ERROR: process \"/bin/sh -c npm ci --omit=dev\" did not complete successfully: exit code: 1"
    return {
        "kind": "build",
        "step": "Build and push image",
        "command": "docker/build-push-action@v6",
        "first_error": err,
        "tool": "docker",
        "excerpt": [
            "#7 2.119 npm error Could not resolve dependency:",
            "#7 2.120 npm error peer react@\"^18.2.0\" from react-helmet-async@2.0.5",
            "#7 2.121 npm error Fix the upstream dependency conflict, or retry this command with --force or --legacy-peer-deps",
            err,
            "------",
            " > [build 4/7] RUN npm ci --omit=dev:",
            "2.118 npm error node_modules/react",
            "2.120 npm error peer react@\"^18.2.0\" from react-helmet-async@2.0.5",
            "------",
            "Dockerfile:9",
            "--------------------",
            "   9 | >>> RUN npm ci --omit=dev",
            "--------------------",
            "ERROR: failed to solve: process \"/bin/sh -c npm ci --omit=dev\" did not complete successfully: exit code: 1",
            "buildx failed with: ERROR: failed to solve: process \"/bin/sh -c npm ci --omit=dev\" did not complete successfully: exit code: 1",
        ],
        "source": "job-log",
    }


def e2e_failure():
    err = "FAILED tests/e2e/test_checkout.py::test_guest_checkout_with_coupon - TimeoutError: Locator.click: Timeout 30000ms exceeded."
    return {
        "kind": "test",
        "step": "Run pytest tests/e2e -q",
        "command": "pytest tests/e2e -q",
        "first_error": err,
        "summary": "=================== 1 failed, 23 passed in 212.40s (0:03:32) ===================",
        "tests": ["tests/e2e/test_checkout.py::test_guest_checkout_with_coupon"],
        "exit_code": 1,
        "tool": "pytest",
        "excerpt": [
            "E       TimeoutError: Locator.click: Timeout 30000ms exceeded.",
            "E       Call log:",
            "E         - waiting for get_by_role(\"button\", name=\"Apply coupon\")",
            "…",
            "=========================== short test summary info ============================",
            err,
            "=================== 1 failed, 23 passed in 212.40s (0:03:32) ===================",
        ],
        "source": "job-log",
    }


@scenario
def ci_failed_build():
    b = new_bundle("ci-failed-build")
    background(b)

    def web(sha):
        return ctr("web", "ghcr.io/acme/web:main-%s" % sha[:7], ports=[8080], port_names=["http"],
                   requests={"cpu": "200m", "memory": "256Mi"}, limits={"memory": "512Mi"},
                   readiness=probe(path="/healthz", port=8080), env=[env_val("PORT", "8080")])

    new_img = "ghcr.io/acme/web:main-%s" % NEW[:7]
    states = [dict(node="worker-1", states={"web": cs("waiting", reason="ImagePullBackOff", message='Back-off pulling image "%s"' % new_img)})]
    d = b.deployment("shop", "web", [web(NEW)], replicas=3, revision=12, rollout=8, pod_ago=8, pod_states=states,
                     strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
                     old=dict(containers=[web(OLD)], replicas=3, revision=11, ago=60 * 20, pod_ago=60 * 20),
                     log=lambda p: nginx_log(b, 6, 25))
    b.service("shop", "web", {"app": "web"}, [("http", 80, "http")])
    newrs = d["_rs"][1]
    b.scaled(d, newrs, 1, 0, ago=8)
    b.rs_events(newrs)
    p = d["_pods"][-1]
    b.logs.pop(("shop", p["metadata"]["name"]), None)
    b.sched_event(p, "Scheduled", "Successfully assigned shop/%s to worker-1" % p["metadata"]["name"], 8)
    image_pull_events(b, p, new_img, 7.9, pulls=5, backoffs=31)

    # The commit was pushed 40 minutes ago: CI passed, the deploy workflow bumped the tag in the
    # GitOps repo without waiting for the image, and the build failed in `npm ci`. A failing e2e
    # run on the same commit is the red herring: tests do not push images.
    build_steps = steps(b, 39.9, ["Set up job", "Run actions/checkout@v4", "Set up Docker Buildx", "Log in to GHCR",
                                  "Build and push image", "Post Log in to GHCR", "Post Run actions/checkout@v4", "Complete job"],
                        failed_at="Build and push image")
    e2e_steps = steps(b, 39.8, ["Set up job", "Run actions/checkout@v4", "Set up Python", "Run pip install -r requirements-e2e.txt",
                                "Run pytest tests/e2e -q", "Post Set up Python", "Post Run actions/checkout@v4", "Complete job"],
                      failed_at="Run pytest tests/e2e -q", seconds=45)
    runs = [
        run(b, REPO, 11893475023, 812, "Build and push", "build.yml", "web: upgrade react to 19", NEW, "failure", 40.0, 170,
            jobs=lambda url: [job(b, 33512940017, "build-and-push", url, "failure", 39.9, 37.2, build_steps, failure=docker_failure())]),
        run(b, REPO, 11893475019, 1204, "CI", "ci.yml", "web: upgrade react to 19", NEW, "success", 40.1, 372),
        run(b, REPO, 11893475031, 377, "Deploy", "deploy.yml", "web: upgrade react to 19", NEW, "success", 39.6, 98),
        run(b, REPO, 11893475044, 95, "E2E", "e2e.yml", "web: upgrade react to 19", NEW, "failure", 39.9, 372,
            jobs=lambda url: [job(b, 33512940131, "e2e", url, "failure", 39.8, 33.8, e2e_steps, runner="GitHub Actions 1000000433",
                                  failure=e2e_failure())]),
    ]
    b.ci = runs_file(b, REPO, runs)
    b.expect("ci-failure", "shop", "Deployment/web", ["web:main-4f2c9e1", "build.yml", "npm ci --omit=dev"],
             "The rollout to ghcr.io/acme/web:main-4f2c9e1 is stuck in ImagePullBackOff because the image was never pushed: "
             "build.yml run #812 for commit 4f2c9e1 failed in its docker build (npm ci could not resolve react 19), while "
             "deploy.yml had already bumped the tag.",
             red_herring="e2e.yml run #95 failed on the same commit, but tests do not push images; ci.yml and deploy.yml succeeded.")
    return b
