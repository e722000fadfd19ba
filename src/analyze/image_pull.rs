//! Image pulls that fail (ErrImagePull, ImagePullBackOff, InvalidImageName), classified from
//! the kubelet's pull error into a missing tag, missing or rejected credentials, an
//! unreachable registry or an unparsable reference — always naming the full image.

use k8s_openapi::api::core::v1::{Event, Pod};

use super::changes::{Revision, revisions};
use super::{
    Analyzer, Category, Change, ContainerView, Context, EvidenceSource, Finding, PodContext,
    Remedy, Severity, Strength,
};
use crate::model::{Kind, ObjectRef, Snapshot, pod_is_healthy};

pub struct ImagePull;

const PULL_REASONS: &[&str] = &["ErrImagePull", "ImagePullBackOff", "InvalidImageName"];
/// Event reasons the kubelet uses for pull errors.
const EVENT_REASONS: &[&str] = &[
    "Failed",
    "InspectFailed",
    "ErrImagePull",
    "ErrImageNeverPull",
];

/// Phrases of the kubelet's/runtime's pull errors, lower-case, most specific family first.
const INVALID: &[&str] = &["couldn't parse image reference", "invalid reference format"];
const UNAUTHORIZED: &[&str] = &[
    "401 unauthorized",
    "403 forbidden",
    "pull access denied",
    "authorization failed",
    "insufficient_scope",
    "failed to authorize",
    "unauthorized",
    "denied: ",
];
const UNREACHABLE: &[&str] = &[
    "no such host",
    "i/o timeout",
    "connection refused",
    "network is unreachable",
    "tls handshake timeout",
    "no route to host",
    "dial tcp",
];
const NOT_FOUND: &[&str] = &[
    "manifest unknown",
    "not found",
    "code = notfound",
    "name unknown",
];

/// Why a pull fails, with the phrase of the error that says so.
#[derive(Debug, Clone, PartialEq)]
enum PullFailure {
    NotFound(String),
    Unauthorized(String),
    Unreachable(String),
    InvalidName(String),
    /// Only a back-off is visible; the pull error itself is not in the snapshot.
    Unknown,
}

impl PullFailure {
    fn slug(&self) -> &'static str {
        match self {
            PullFailure::NotFound(_) => "not-found",
            PullFailure::Unauthorized(_) => "unauthorized",
            PullFailure::Unreachable(_) => "unreachable",
            PullFailure::InvalidName(_) => "invalid-name",
            PullFailure::Unknown => "back-off",
        }
    }
}

/// Finds the first phrase of `phrases` in `text` (case-insensitive) and returns it as written.
fn find_phrase(text: &str, phrases: &[&str]) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    phrases.iter().find_map(|p| {
        let at = lower.find(p)?;
        text.get(at..at + p.len())
            .map(|s| s.trim_end_matches([' ', ':']).to_string())
    })
}

fn classify(reason: Option<&str>, texts: &[&str]) -> PullFailure {
    let all = texts.join("\n");
    if reason == Some("InvalidImageName") {
        return PullFailure::InvalidName(
            find_phrase(&all, INVALID).unwrap_or_else(|| "InvalidImageName".into()),
        );
    }
    if let Some(p) = find_phrase(&all, INVALID) {
        return PullFailure::InvalidName(p);
    }
    if let Some(p) = find_phrase(&all, UNAUTHORIZED) {
        return PullFailure::Unauthorized(p);
    }
    if let Some(p) = find_phrase(&all, UNREACHABLE) {
        return PullFailure::Unreachable(p);
    }
    if let Some(p) = find_phrase(&all, NOT_FOUND) {
        return PullFailure::NotFound(p);
    }
    PullFailure::Unknown
}

/// The parts of an image reference: registry host, repository (with host), tag or digest.
#[derive(Debug, Clone, PartialEq)]
struct ImageRef {
    registry: String,
    repository: String,
    /// `1.4.3`, `sha256:…`, or `latest` when the reference has neither.
    version: String,
    digest: bool,
}

fn parse_image(image: &str) -> ImageRef {
    let (name, version, digest) = match image.split_once('@') {
        Some((name, digest)) => (name.to_string(), digest.to_string(), true),
        None => {
            let last_slash = image.rfind('/').map(|i| i + 1).unwrap_or(0);
            match image[last_slash..].rfind(':') {
                Some(i) => (
                    image[..last_slash + i].to_string(),
                    image[last_slash + i + 1..].to_string(),
                    false,
                ),
                None => (image.to_string(), "latest".to_string(), false),
            }
        }
    };
    let first = name.split('/').next().unwrap_or("");
    let has_host =
        name.contains('/') && (first.contains('.') || first.contains(':') || first == "localhost");
    let registry = if has_host {
        first.to_string()
    } else {
        "docker.io".to_string()
    };
    ImageRef {
        registry,
        repository: name,
        version,
        digest,
    }
}

impl Analyzer for ImagePull {
    fn name(&self) -> &'static str {
        "image_pull"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            for c in &pod.containers {
                let Some(reason) = c.waiting_reason().filter(|r| PULL_REASONS.contains(r)) else {
                    continue;
                };
                if let Some(f) = finding(self.name(), cx.snapshot, pod, c, reason) {
                    out.push(f);
                }
            }
        }
    }
}

/// Whether this container cannot pull its image because the image is not there (the
/// registry says not found, or only a back-off is visible): what a build that never pushed
/// the image looks like from the cluster.
pub(super) fn image_missing(pod: &PodContext<'_>, c: &ContainerView<'_>) -> bool {
    let Some(reason) = c.waiting_reason().filter(|r| PULL_REASONS.contains(r)) else {
        return false;
    };
    let Some(image) = image_of(c) else {
        return false;
    };
    let events = pull_events(pod, image);
    let mut texts: Vec<&str> = vec![c.waiting_message().unwrap_or("")];
    texts.extend(events.iter().filter_map(|e| e.message.as_deref()));
    matches!(
        classify(Some(reason), &texts),
        PullFailure::NotFound(_) | PullFailure::Unknown
    )
}

/// The image a container is trying to pull: the spec's, else the status's.
fn image_of<'a>(c: &ContainerView<'a>) -> Option<&'a str> {
    c.spec
        .and_then(|s| s.image.as_deref())
        .or_else(|| c.status.map(|s| s.image.as_str()))
        .filter(|i| !i.is_empty())
}

/// Pull-error events of this pod about this image.
fn pull_events<'a>(pod: &PodContext<'a>, image: &str) -> Vec<&'a Event> {
    let quoted = format!("\"{image}\"");
    pod.events_with(EVENT_REASONS)
        .into_iter()
        .filter(|e| e.message.as_deref().is_some_and(|m| m.contains(&quoted)))
        .collect()
}

fn finding(
    analyzer: &str,
    snapshot: &Snapshot,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    reason: &str,
) -> Option<Finding> {
    let image = image_of(c)?;
    let waiting = c.waiting_message().unwrap_or("");
    let events = pull_events(pod, image);
    let mut texts: Vec<&str> = vec![waiting];
    texts.extend(events.iter().filter_map(|e| e.message.as_deref()));
    let failure = classify(Some(reason), &texts);
    let img = parse_image(image);

    let detail = format!("{}/{}", c.name, failure.slug());
    let mut f = Finding::new(
        analyzer,
        Category::ImagePull,
        pod.subject.clone(),
        pod.workload.clone(),
        &detail,
    )
    .fact("container", c.name)
    .fact("image", image)
    .fact("reason", reason)
    .fact("registry", &img.registry);
    f.severity = Severity::Critical;

    // Evidence: the container state, then the events that carry the runtime's error.
    let status_excerpt = if waiting.is_empty() {
        reason.to_string()
    } else {
        format!("{reason}: {waiting}")
    };
    let status_says =
        failure != PullFailure::Unknown && classify(Some(reason), &[waiting]) == failure;
    let strength = if status_says {
        Strength::Direct
    } else {
        Strength::Circumstantial
    };
    f.evidence.push(Context::evidence(
        EvidenceSource::Status,
        &pod.subject,
        status_excerpt,
        strength,
    ));
    for e in &events {
        let msg = e.message.as_deref().unwrap_or("");
        let says = failure != PullFailure::Unknown && classify(None, &[msg]) == failure;
        if says {
            f.evidence
                .push(Context::event_evidence(e, Strength::Direct));
        }
    }
    if let Some(e) = events
        .last()
        .filter(|_| !f.evidence.iter().any(|e| e.source == EvidenceSource::Event))
    {
        f.evidence
            .push(Context::event_evidence(e, Strength::Circumstantial));
    }

    match &failure {
        PullFailure::NotFound(phrase) => not_found(snapshot, pod, c, image, &img, phrase, &mut f),
        PullFailure::Unauthorized(phrase) => unauthorized(
            snapshot,
            pod.pod,
            pod.namespace,
            image,
            &img,
            phrase,
            &mut f,
        ),
        PullFailure::Unreachable(phrase) => {
            f.summary = format!("registry {} unreachable pulling {image}", img.registry);
            f.cause = format!(
                "The node cannot reach registry {} to pull {image} ({phrase}): a network, DNS, proxy or firewall problem between the node and the registry, not the image itself.",
                img.registry
            );
            f.fix = vec![
                format!(
                    "Check that the node resolves and reaches {} (DNS, egress firewall, proxy settings of the container runtime).",
                    img.registry
                ),
                format!(
                    "If the registry is down or blocked, mirror {image} into a registry the cluster can reach and point the image there."
                ),
            ];
            f.prevention = vec![
                "Serve production images from a registry mirror inside the cluster's network."
                    .into(),
            ];
        }
        PullFailure::InvalidName(phrase) => {
            f.summary = format!("invalid image reference {image}");
            f.cause = format!(
                "The image reference {image} of container {} is invalid and cannot be parsed ({phrase}).",
                c.name
            );
            f.fix = vec![format!(
                "Correct the image of container {} to a valid reference (registry/repository:tag, lower-case, no spaces or stray characters).",
                c.name
            )];
            f.prevention = vec!["Validate image references in CI (e.g. `crane manifest` or a kubeconform/policy check) before they reach the cluster.".into()];
        }
        PullFailure::Unknown => {
            f.summary = format!("cannot pull {image}");
            f.cause = format!(
                "The image {image} of container {} cannot be pulled ({reason}); the registry's error is not in the snapshot.",
                c.name
            );
            f.fix = vec![
                format!(
                    "Run `kubectl describe pod {} -n {}` and read the `Failed to pull image` event for the registry's answer.",
                    pod.name, pod.namespace
                ),
                format!(
                    "Check that {image} exists and that the pod can authenticate to {}.",
                    img.registry
                ),
            ];
            f.prevention = vec![
                "Verify that an image exists in the registry before deploying it (CI step).".into(),
            ];
        }
    }
    Some(f)
}

fn not_found(
    snapshot: &Snapshot,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    image: &str,
    img: &ImageRef,
    phrase: &str,
    f: &mut Finding,
) {
    let what = if img.digest { "digest" } else { "tag" };
    let previous = last_working_image(snapshot, &pod.workload, c.name, image);
    f.summary = format!("image {image} not found");
    let quoted = if phrase.eq_ignore_ascii_case("not found") {
        String::new()
    } else {
        format!(" ({phrase})")
    };
    let mut cause = format!(
        "The image {image} was not found in registry {}{quoted}: {what} {} does not exist in {}",
        img.registry, img.version, img.repository
    );
    if let Some(prev) = &previous {
        cause.push_str(&format!(", while the previous revision ran {prev}"));
        f.facts.insert("previous_image".into(), prev.clone());
    }
    cause.push('.');
    f.cause = cause;
    f.fix = vec![
        format!(
            "Check the {what} in the registry: `crane ls {}` (or the registry UI) and correct the image of container {}.",
            img.repository, c.name
        ),
        match &previous {
            Some(prev) => format!(
                "To restore service now, set the image back to {prev}, the last revision that ran."
            ),
            None => format!("Push {image} if the build that should have produced it failed."),
        },
    ];
    f.prevention = vec![
        "Deploy only images CI has pushed: pin the tag (or digest) produced by the build instead of typing it by hand.".into(),
        "Add a pre-deploy check that the image manifest exists.".into(),
    ];
    if let Some(prev) = previous {
        f.remedy = Some(Remedy {
            target: pod.workload.clone(),
            change: Change::SetImage {
                container: c.name.to_string(),
                from: image.to_string(),
                to: prev.clone(),
            },
            rationale: format!(
                "{image} does not exist in the registry; {prev} is the image of the last revision whose pods ran."
            ),
        });
    }
}

fn unauthorized(
    snapshot: &Snapshot,
    pod: &Pod,
    ns: &str,
    image: &str,
    img: &ImageRef,
    phrase: &str,
    f: &mut Finding,
) {
    let spec = pod.spec.as_ref();
    let sa = spec
        .and_then(|s| s.service_account_name.as_deref())
        .unwrap_or("default");
    let names: Vec<&str> = spec
        .and_then(|s| s.image_pull_secrets.as_ref())
        .into_iter()
        .flatten()
        .map(|r| r.name.as_str())
        .filter(|n| !n.is_empty())
        .collect();
    let secrets_collected = snapshot
        .objects
        .secrets
        .iter()
        .any(|s| s.metadata.namespace.as_deref() == Some(ns));
    let exists = |name: &str| snapshot.index().position(Kind::Secret, ns, name).is_some();
    let missing: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| secrets_collected && !exists(n))
        .collect();
    let suggestion = pull_secret_suggestion(snapshot, ns, &img.registry, &names);

    f.summary = format!("{phrase} pulling {image}");
    f.facts.insert("service_account".into(), sa.to_string());
    f.facts.insert(
        "image_pull_secrets".into(),
        if names.is_empty() {
            "none".into()
        } else {
            names.join(",")
        },
    );
    let why = if names.is_empty() {
        f.facts
            .insert("missing_image_pull_secret".into(), "true".into());
        let mut s = format!(
            "the pod has no imagePullSecrets (none in its spec, and ServiceAccount {sa} adds none), so the image is pulled anonymously"
        );
        if let Some((secret, user)) = &suggestion {
            s.push_str(&format!(
                "; Secret {secret}{user} holds credentials for {} in {ns}",
                img.registry
            ));
        }
        s
    } else if !missing.is_empty() {
        f.facts.insert("missing_secrets".into(), missing.join(","));
        format!(
            "its imagePullSecret {} does not exist in namespace {ns}",
            missing.join(", ")
        )
    } else {
        format!(
            "its imagePullSecret {} is present but {} rejects those credentials (wrong registry, expired token or no access to the repository)",
            names.join(", "),
            img.registry
        )
    };
    f.cause = format!(
        "Registry {} answers {phrase} when pulling {image}: {why}.",
        img.registry
    );
    let secret_hint = suggestion
        .as_ref()
        .map(|(s, _)| s.clone())
        .unwrap_or_else(|| "<registry-secret>".into());
    f.fix = if names.is_empty() {
        vec![
            format!(
                "Add `imagePullSecrets: [{{name: {secret_hint}}}]` to the pod template (or to ServiceAccount {ns}/{sa})."
            ),
            format!(
                "If no Secret for {} exists yet: `kubectl create secret docker-registry {secret_hint} -n {ns} --docker-server={} --docker-username=… --docker-password=…`.",
                img.registry, img.registry
            ),
        ]
    } else if !missing.is_empty() {
        vec![format!(
            "Create Secret {} in {ns} (type kubernetes.io/dockerconfigjson, for {}) or point imagePullSecrets at an existing one.",
            missing.join(", "),
            img.registry
        )]
    } else {
        vec![format!(
            "Refresh the credentials in {} and check that they grant pull access to {}.",
            names.join(", "),
            img.repository
        )]
    };
    f.prevention = vec![format!(
        "Attach the registry's pull Secret to the namespace's ServiceAccount so every workload pulling from {} gets it.",
        img.registry
    )];
}

/// A dockerconfig Secret in the namespace that other pods use for the same registry, or any
/// dockerconfig Secret there: `(name, " (used by X)")`.
fn pull_secret_suggestion(
    snapshot: &Snapshot,
    ns: &str,
    registry: &str,
    exclude: &[&str],
) -> Option<(String, String)> {
    for p in snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
    {
        let Some(spec) = p.spec.as_ref() else {
            continue;
        };
        let same_registry = spec.containers.iter().any(|c| {
            c.image
                .as_deref()
                .is_some_and(|i| parse_image(i).registry == registry)
        });
        if !same_registry {
            continue;
        }
        let secret = spec
            .image_pull_secrets
            .iter()
            .flatten()
            .map(|r| r.name.as_str())
            .find(|n| !n.is_empty() && !exclude.contains(n));
        if let Some(secret) = secret {
            let user = snapshot.workload_of(Kind::Pod, &p.metadata);
            return Some((
                secret.to_string(),
                format!(" (used by {} {})", user.kind, user.name),
            ));
        }
    }
    snapshot
        .objects
        .secrets
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
        .filter(|s| {
            matches!(
                s.type_.as_deref(),
                Some("kubernetes.io/dockerconfigjson" | "kubernetes.io/dockercfg")
            )
        })
        .filter_map(|s| s.metadata.name.clone())
        .find(|n| !exclude.contains(&n.as_str()))
        .map(|n| (n, String::new()))
}

/// The image of `container` in the newest earlier revision that ran (had ready pods) with a
/// different image.
pub(super) fn last_working_image(
    snapshot: &Snapshot,
    workload: &ObjectRef,
    container: &str,
    current: &str,
) -> Option<String> {
    let revs = revisions(snapshot, workload);
    revs.iter().rev().find_map(|r| {
        let image = template_image(r, container)?;
        (image != current && revision_ran(snapshot, workload, r)).then_some(image)
    })
}

fn template_image(r: &Revision, container: &str) -> Option<String> {
    let spec = r.template.spec.as_ref()?;
    spec.containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
        .find(|c| c.name == container)?
        .image
        .clone()
}

/// Whether a revision's pods ran: its ReplicaSet had ready replicas, or pods of that revision
/// are healthy in the snapshot.
fn revision_ran(snapshot: &Snapshot, workload: &ObjectRef, r: &Revision) -> bool {
    let ns = workload.namespace.as_deref().unwrap_or("");
    if workload.known_kind() == Some(Kind::Deployment) {
        let ready = snapshot
            .index()
            .position(Kind::ReplicaSet, ns, &r.name)
            .and_then(|i| snapshot.objects.replica_sets.get(i))
            .and_then(|rs| rs.status.as_ref())
            .map(|s| {
                s.ready_replicas
                    .unwrap_or(0)
                    .max(s.available_replicas.unwrap_or(0))
            })
            .unwrap_or(0);
        if ready > 0 {
            return true;
        }
    }
    snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .any(|p| {
            let labels = p.metadata.labels.as_ref();
            let owner_is_rev = snapshot
                .controller_of(&p.metadata)
                .is_some_and(|o| o.name == r.name);
            let hash_is_rev = labels
                .and_then(|l| l.get("controller-revision-hash"))
                .is_some_and(|h| *h == r.name || r.name.ends_with(&format!("-{h}")));
            (owner_is_rev || hash_is_rev) && pod_is_healthy(p)
        })
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::analyze::Role;
    use crate::analyze::testing::run;

    #[test]
    fn missing_tag_names_the_image_and_rolls_back_to_the_last_running_revision() {
        let findings = run(&ImagePull, "image_pull/tag-not-found.json");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.category, Category::ImagePull);
        assert_eq!(f.role, Role::Cause);
        assert_eq!(f.workload.to_string(), "Deployment shop/web");
        assert!(
            f.cause.contains("registry.example.com/shop/web:1.4.3"),
            "{}",
            f.cause
        );
        assert!(f.cause.contains("not found"), "{}", f.cause);
        assert!(f.evidence.iter().any(|e| e.strength == Strength::Direct));
        let remedy = f.remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetImage {
                container: "web".into(),
                from: "registry.example.com/shop/web:1.4.3".into(),
                to: "registry.example.com/shop/web:1.4.2".into()
            }
        );
    }

    #[test]
    fn unauthorized_pull_says_the_pod_has_no_image_pull_secret() {
        let findings = run(&ImagePull, "image_pull/unauthorized-no-pull-secret.json");
        assert_eq!(findings.len(), 2, "one per pod: {findings:#?}");
        assert_eq!(
            findings[0].id, findings[1].id,
            "both pods merge into one finding"
        );
        let f = &findings[0];
        assert_eq!(f.category, Category::ImagePull);
        assert_eq!(f.workload.to_string(), "Deployment payments/billing-api");
        assert!(
            f.cause.contains("ghcr.io/acme/billing-api:3.2.0"),
            "{}",
            f.cause
        );
        assert!(f.cause.contains("401 Unauthorized"), "{}", f.cause);
        assert!(f.cause.contains("no imagePullSecrets"), "{}", f.cause);
        assert!(f.cause.contains("ghcr-pull"), "{}", f.cause);
        assert_eq!(f.remedy, None, "no rollback for a credentials problem");
    }

    #[test]
    fn healthy_pod_with_an_old_pull_timeout_is_silent() {
        assert!(run(&ImagePull, "image_pull/healthy-after-retry.json").is_empty());
    }

    #[test]
    fn classify_by_phrase() {
        assert_eq!(
            classify(Some("InvalidImageName"), &[""]),
            PullFailure::InvalidName("InvalidImageName".into())
        );
        assert_eq!(
            classify(None, &["dial tcp: lookup registry.internal: no such host"]),
            PullFailure::Unreachable("no such host".into())
        );
        assert_eq!(
            classify(
                None,
                &[
                    "pull access denied for foo, repository does not exist or may require 'docker login'"
                ]
            ),
            PullFailure::Unauthorized("pull access denied".into())
        );
        assert_eq!(
            classify(None, &["manifest unknown: manifest unknown"]),
            PullFailure::NotFound("manifest unknown".into())
        );
        assert_eq!(
            classify(Some("ImagePullBackOff"), &["Back-off pulling image \"x\""]),
            PullFailure::Unknown
        );
    }

    #[test]
    fn image_references_split_into_registry_repository_and_tag() {
        let r = parse_image("localhost:5000/team/app:1.2");
        assert_eq!(
            (
                r.registry.as_str(),
                r.repository.as_str(),
                r.version.as_str()
            ),
            ("localhost:5000", "localhost:5000/team/app", "1.2")
        );
        let r = parse_image("nginx");
        assert_eq!(
            (r.registry.as_str(), r.version.as_str()),
            ("docker.io", "latest")
        );
        let r = parse_image("ghcr.io/acme/api@sha256:abc");
        assert!(r.digest);
        assert_eq!(r.version, "sha256:abc");
    }
}
