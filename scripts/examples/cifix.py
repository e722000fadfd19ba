"""Builders for the CI part of a bundle: `ci/runs.json` as k8sops writes it (python3 stdlib only).

The shape is k8sops' run model (src/ci/run.rs): `{"apiVersion": "k8sops/v1", "repo", "collected_at",
"runs": [RunSummary]}`, each run with the fields the GitHub REST API gives (id, run number, workflow,
head SHA, branch, actor, times) and, for failed runs k8sops looked into, their jobs, steps and the
sanitized failure its log parser found.
"""

from k8sfix import fmt


def step(number, name, conclusion, start, end):
    return {"number": number, "name": name, "status": "completed", "conclusion": conclusion,
            "started_at": start, "completed_at": end}


def steps(b, start_ago, names, failed_at=None, seconds=20):
    """Steps of a job, `seconds` apart; the one named `failed_at` fails and later ones are skipped."""
    out = []
    t = start_ago
    failed = False
    for i, name in enumerate(names, 1):
        is_post = name.startswith("Post ") or name == "Complete job"
        if failed and not is_post:
            out.append(step(i, name, "skipped", b.t(t), b.t(t)))
            continue
        end = t - seconds / 60.0
        conclusion = "failure" if name == failed_at else "success"
        out.append(step(i, name, conclusion, b.t(t), b.t(end)))
        failed = failed or conclusion == "failure"
        t = end
    return out


def job(b, job_id, name, run_url, conclusion, start_ago, end_ago, job_steps, runner="GitHub Actions 1000000412",
        failure=None):
    j = {"id": job_id, "name": name, "status": "completed", "conclusion": conclusion,
         "started_at": b.t(start_ago), "completed_at": b.t(end_ago), "url": "%s/job/%d" % (run_url, job_id),
         "runner": runner, "steps": job_steps}
    if failure:
        j["failure"] = failure
    return j


def run(b, repo, run_id, number, workflow, workflow_file, title, commit, conclusion, created_ago, seconds,
        branch="main", actor="dana-sre", event="push", jobs=None):
    url = "https://github.com/%s/actions/runs/%d" % (repo, run_id)
    r = {"id": run_id, "number": number, "attempt": 1, "workflow": workflow, "workflow_file": workflow_file,
         "title": title, "event": event, "status": "completed", "conclusion": conclusion, "commit": commit,
         "branch": branch, "actor": actor, "url": url, "created_at": b.t(created_ago),
         "started_at": fmt(b.dt(created_ago)), "updated_at": fmt(b.dt(created_ago - seconds / 60.0)),
         "duration": int(seconds)}
    if jobs:
        r["jobs"] = jobs(url) if callable(jobs) else jobs
    return r


def runs_file(b, repo, runs):
    """`ci/runs.json`: newest run first, as k8sops stores them."""
    runs = sorted(runs, key=lambda r: (r["created_at"], r["id"]), reverse=True)
    return {"apiVersion": "k8sops/v1", "repo": repo, "collected_at": b.t(0), "runs": runs}
