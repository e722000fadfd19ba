//! Owners the input does not carry. `kubectl cluster-info dump` writes no Jobs, CronJobs,
//! StatefulSets, PVCs, ConfigMaps or Secrets, so an owner chain read from it stops at a
//! name: a pod's ownerReference to Job `backup-29388000` whose object is absent. The
//! controllers name what they create by fixed rules, and these functions read the next link
//! back from them, each saying what it inferred so a diagnosis can say so too:
//! - a CronJob names its Jobs `<cronjob>-<scheduled time in minutes since the epoch>`;
//! - a Deployment names its ReplicaSets `<deployment>-<pod-template-hash>` and labels their
//!   pods with that hash;
//! - StatefulSet and DaemonSet pods carry `controller-revision-hash: <owner>-<hash>`;
//! - Job pods carry `batch.kubernetes.io/job-name` (and the older `job-name`).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::ObjectRef;

/// One link of an owner chain that was inferred rather than read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InferredOwner {
    pub owner: ObjectRef,
    /// What was inferred from what, for evidence: `CronJob nightly-backup from Job name …`.
    pub why: String,
}

/// A CronJob's Job is created at its scheduled time and its pods soon after; a pod created
/// more than this long after the time in the name is not that Job's (retries of a Job
/// stop within its backoff, hours at most).
const MAX_JOB_AGE: jiff::SignedDuration = jiff::SignedDuration::from_hours(24 * 7);
/// Clock skew between the controller that named the Job and the one that stamped the pod.
const SKEW: jiff::SignedDuration = jiff::SignedDuration::from_mins(5);

/// `backup-29388000` → (`backup`, its scheduled time), when the suffix reads as a CronJob's
/// scheduled time: 8 or more digits of minutes since the epoch, no later than `created`
/// (the pod's or the Job's creation) and not long before it.
pub fn cronjob_of_job(
    job: &str,
    created: Option<jiff::Timestamp>,
) -> Option<(String, jiff::Timestamp)> {
    let (cronjob, minutes) = job.rsplit_once('-')?;
    if cronjob.is_empty() || minutes.len() < 8 || !minutes.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let minutes: i64 = minutes.parse().ok()?;
    let scheduled = jiff::Timestamp::from_second(minutes.checked_mul(60)?).ok()?;
    if let Some(created) = created {
        let after = created.duration_since(scheduled);
        if after < -SKEW || after > MAX_JOB_AGE {
            return None;
        }
    }
    Some((cronjob.to_string(), scheduled))
}

fn label<'a>(meta: &'a ObjectMeta, key: &str) -> Option<&'a str> {
    meta.labels
        .as_ref()
        .and_then(|l: &BTreeMap<String, String>| l.get(key))
        .map(String::as_str)
        .filter(|v| !v.is_empty())
}

fn created(meta: &ObjectMeta) -> Option<jiff::Timestamp> {
    meta.creation_timestamp.as_ref().map(|t| t.0)
}

/// The owner of `missing` (an owner named by reference whose object is absent), inferred
/// from its name and the labels of `child`, the object that referenced it.
pub fn owner_of_absent(missing: &ObjectRef, child: &ObjectMeta) -> Option<InferredOwner> {
    let ns = missing.namespace.as_deref();
    match missing.kind.as_str() {
        "Job" => {
            let (cronjob, scheduled) = cronjob_of_job(&missing.name, created(child))?;
            Some(InferredOwner {
                why: format!(
                    "CronJob {cronjob} inferred from the name of Job {} (a CronJob names its Jobs <cronjob>-<scheduled minute>: {scheduled}); the Job and CronJob objects are not in the input",
                    missing.name
                ),
                owner: ObjectRef::new("CronJob", ns, cronjob),
            })
        }
        "ReplicaSet" => {
            let hash = label(child, "pod-template-hash")?;
            let deployment = missing.name.strip_suffix(&format!("-{hash}"))?;
            (!deployment.is_empty()).then(|| InferredOwner {
                why: format!(
                    "Deployment {deployment} inferred from ReplicaSet {} and the pod's pod-template-hash {hash}; the ReplicaSet object is not in the input",
                    missing.name
                ),
                owner: ObjectRef::new("Deployment", ns, deployment),
            })
        }
        _ => None,
    }
}

/// The controller of a pod that carries no ownerReferences, from the labels controllers
/// put on their pods.
pub fn owner_from_labels(pod: &ObjectMeta) -> Option<InferredOwner> {
    let ns = pod.namespace.as_deref();
    let name = pod.name.as_deref().unwrap_or_default();
    if let Some(job) = label(pod, "batch.kubernetes.io/job-name").or_else(|| label(pod, "job-name"))
    {
        return Some(InferredOwner {
            owner: ObjectRef::new("Job", ns, job),
            why: format!(
                "Job {job} inferred from the pod's job-name label; the pod names no owner"
            ),
        });
    }
    if let Some(revision) = label(pod, "controller-revision-hash") {
        let (owner, _) = revision.rsplit_once('-')?;
        let ordinal = name
            .strip_prefix(owner)
            .and_then(|r| r.strip_prefix('-'))
            .is_some_and(|o| !o.is_empty() && o.bytes().all(|b| b.is_ascii_digit()));
        let kind = if label(pod, "statefulset.kubernetes.io/pod-name").is_some() || ordinal {
            "StatefulSet"
        } else if label(pod, "pod-template-generation").is_some() {
            "DaemonSet"
        } else {
            return None;
        };
        return Some(InferredOwner {
            owner: ObjectRef::new(kind, ns, owner),
            why: format!(
                "{kind} {owner} inferred from the pod's controller-revision-hash {revision}; the pod names no owner"
            ),
        });
    }
    let hash = label(pod, "pod-template-hash")?;
    let (deployment, _) = name.split_once(&format!("-{hash}-"))?;
    (!deployment.is_empty()).then(|| InferredOwner {
        owner: ObjectRef::new("Deployment", ns, deployment),
        why: format!(
            "Deployment {deployment} inferred from the pod's pod-template-hash {hash}; the pod names no owner"
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(v: serde_json::Value) -> ObjectMeta {
        serde_json::from_value(v).expect("meta")
    }

    fn at(s: &str) -> Option<jiff::Timestamp> {
        Some(s.parse().expect("timestamp"))
    }

    #[test]
    fn a_job_named_by_a_cronjob_gives_the_cronjob_and_its_schedule() {
        // 29919000 minutes after the epoch is 2026-11-20T02:00:00Z.
        let (cron, scheduled) =
            cronjob_of_job("nightly-backup-29919000", at("2026-11-20T02:00:04Z")).expect("cron");
        assert_eq!(cron, "nightly-backup");
        assert_eq!(scheduled.to_string(), "2026-11-20T02:00:00Z");
        // A pod that claims to predate its Job's schedule is not that Job's.
        assert!(cronjob_of_job("nightly-backup-29919000", at("2026-11-19T02:00:00Z")).is_none());
    }

    #[test]
    fn a_date_or_a_short_number_in_a_job_name_is_not_a_schedule() {
        // `20261120` read as minutes is 2008: far from when the pod was created.
        assert!(cronjob_of_job("migrate-20261120", at("2026-11-20T09:00:00Z")).is_none());
        assert!(cronjob_of_job("reindex-42", at("2026-11-20T09:00:00Z")).is_none());
        assert!(cronjob_of_job("db-migrate", None).is_none());
    }

    #[test]
    fn a_replicaset_missing_from_the_input_gives_its_deployment_through_the_hash() {
        let pod = meta(
            serde_json::json!({"name": "web-7d9f8b6c4d-x2k4p", "namespace": "shop",
            "labels": {"app": "web", "pod-template-hash": "7d9f8b6c4d"}}),
        );
        let rs = ObjectRef::new("ReplicaSet", Some("shop"), "web-7d9f8b6c4d");
        let inferred = owner_of_absent(&rs, &pod).expect("inferred");
        assert_eq!(inferred.owner.to_string(), "Deployment shop/web");
        assert!(
            inferred.why.contains("pod-template-hash"),
            "{}",
            inferred.why
        );
        let bare = ObjectRef::new("ReplicaSet", Some("shop"), "batch-runner");
        assert!(owner_of_absent(&bare, &pod).is_none());
    }

    #[test]
    fn labels_name_the_owner_of_a_pod_without_owner_references() {
        let cases = [
            (
                serde_json::json!({"name": "report-29919000-7z9lh", "namespace": "ops",
                    "labels": {"batch.kubernetes.io/job-name": "report-29919000", "job-name": "report-29919000"}}),
                "Job ops/report-29919000",
            ),
            (
                serde_json::json!({"name": "postgres-0", "namespace": "shop",
                    "labels": {"controller-revision-hash": "postgres-6d4b8c7f9", "statefulset.kubernetes.io/pod-name": "postgres-0"}}),
                "StatefulSet shop/postgres",
            ),
            (
                serde_json::json!({"name": "fluent-bit-x7k2p", "namespace": "logging",
                    "labels": {"controller-revision-hash": "fluent-bit-5c9d8b7f6d", "pod-template-generation": "3"}}),
                "DaemonSet logging/fluent-bit",
            ),
            (
                serde_json::json!({"name": "web-7d9f8b6c4d-x2k4p", "namespace": "shop",
                    "labels": {"pod-template-hash": "7d9f8b6c4d"}}),
                "Deployment shop/web",
            ),
        ];
        for (m, expected) in cases {
            let inferred = owner_from_labels(&meta(m)).expect(expected);
            assert_eq!(inferred.owner.to_string(), expected);
        }
        assert!(
            owner_from_labels(&meta(
                serde_json::json!({"name": "debug", "labels": {"app": "x"}})
            ))
            .is_none()
        );
    }
}
