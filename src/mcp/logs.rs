//! `get_logs`: one container's log, current or previous, the last `tail` lines — from the
//! bundle, or fetched from the cluster as `kubectl logs` would. The pod must be in the
//! snapshot (so a typo is an error naming what exists); the container defaults as kubectl
//! picks it. The caller sanitizes the answer like every other tool output.

use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;

use super::views::{Scope, View, Views};
use crate::error::{Error, Result};
use crate::model::LogKey;
use crate::source::live;

/// Lines returned when the call names no `tail`.
pub const DEFAULT_TAIL: u32 = 200;
/// The most lines one call returns.
pub const MAX_TAIL: u32 = 5000;

/// What the client asked for.
pub struct Request<'a> {
    pub pod: &'a str,
    pub container: Option<&'a str>,
    pub previous: bool,
    pub tail: Option<u32>,
}

/// The log and where it came from.
#[derive(Debug, Serialize)]
pub struct Answer {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
    /// `bundle` or `cluster`.
    pub source: &'static str,
    pub lines: usize,
    /// Whether older lines were left out to keep to `tail`.
    pub truncated: bool,
    pub log: String,
}

pub async fn get(views: &Views, scope: &Scope, req: &Request<'_>) -> Result<Answer> {
    let view = views.get(scope).await?;
    let name = req.pod.strip_prefix("pod/").unwrap_or(req.pod);
    let pod = find_pod(&view, name, views.lookup_namespace(scope))?;
    let namespace = pod.metadata.namespace.clone().unwrap_or_default();
    let container = container_of(pod, req.container)?;
    let tail = req.tail.unwrap_or(DEFAULT_TAIL).clamp(1, MAX_TAIL);
    let key = LogKey {
        namespace,
        pod: name.to_string(),
        container,
        previous: req.previous,
    };
    let (text, source) = match views.live(scope) {
        Some(opts) => (live::fetch_log(&opts, &key, tail).await?, "cluster"),
        None => match view
            .snapshot
            .log(&key.namespace, &key.pod, &key.container, key.previous)
        {
            Some(text) => (text.to_string(), "bundle"),
            None => {
                return Err(Error::Usage {
                    flag: "container".into(),
                    message: format!(
                        "the bundle holds no {}log of container {} of pod {}/{}",
                        if key.previous { "previous " } else { "" },
                        key.container,
                        key.namespace,
                        key.pod
                    ),
                    hint: match key.previous {
                        true => "leave out previous for the current log; a container that never restarted has no previous one".into(),
                        false => "bundles keep the logs of containers that were failing; serve the cluster itself (no --from) to read any log".into(),
                    },
                });
            }
        },
    };
    let (log, lines, truncated) = last_lines(&text, tail as usize);
    Ok(Answer {
        namespace: key.namespace,
        pod: key.pod,
        container: key.container,
        previous: key.previous,
        source,
        lines,
        truncated,
        log,
    })
}

fn find_pod<'v>(view: &'v View, name: &str, namespace: Option<&str>) -> Result<&'v Pod> {
    let found: Vec<&Pod> = view
        .snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.name.as_deref() == Some(name))
        .filter(|p| namespace.is_none_or(|ns| p.metadata.namespace.as_deref() == Some(ns)))
        .collect();
    match found.as_slice() {
        [one] => Ok(one),
        [] => Err(Error::Usage {
            flag: "pod".into(),
            message: format!(
                "pod {name} not found in {}",
                namespace
                    .map(|n| format!("namespace {n}"))
                    .unwrap_or_else(|| "any namespace".into())
            ),
            hint: "take the pod name from a diagnosis (its evidence names the pods), or pass the namespace".into(),
        }),
        several => Err(Error::Usage {
            flag: "pod".into(),
            message: format!(
                "pod {name} exists in several namespaces: {}",
                several
                    .iter()
                    .filter_map(|p| p.metadata.namespace.as_deref())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            hint: "pass the namespace".into(),
        }),
    }
}

/// The named container (init containers too), else the default-container annotation,
/// else the first container — kubectl's choice.
fn container_of(pod: &Pod, wanted: Option<&str>) -> Result<String> {
    let spec = pod.spec.as_ref();
    let names: Vec<&str> = spec
        .into_iter()
        .flat_map(|s| {
            s.containers
                .iter()
                .chain(s.init_containers.iter().flatten())
        })
        .map(|c| c.name.as_str())
        .collect();
    let annotated = pod
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
        .map(String::as_str);
    let chosen = wanted.or(annotated).or(names.first().copied());
    match chosen {
        Some(c) if names.contains(&c) => Ok(c.to_string()),
        _ => Err(Error::Usage {
            flag: "container".into(),
            message: format!(
                "pod {} has no container {}",
                pod.metadata.name.as_deref().unwrap_or(""),
                chosen.unwrap_or("at all")
            ),
            hint: format!("pick one of: {}", names.join(", ")),
        }),
    }
}

/// The last `n` lines, how many there are, and whether any were cut.
fn last_lines(text: &str, n: usize) -> (String, usize, bool) {
    let all: Vec<&str> = text.lines().collect();
    let start = all.len().saturating_sub(n);
    (all[start..].join("\n"), all.len() - start, start > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_keeps_the_newest_lines() {
        assert_eq!(last_lines("a\nb\nc\n", 2), ("b\nc".into(), 2, true));
        assert_eq!(last_lines("a\nb", 5), ("a\nb".into(), 2, false));
        assert_eq!(last_lines("", 5), (String::new(), 0, false));
    }

    #[test]
    fn the_default_container_is_kubectls() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "web-1", "annotations": {"kubectl.kubernetes.io/default-container": "app"}},
            "spec": {"containers": [{"name": "proxy"}, {"name": "app"}], "initContainers": [{"name": "migrate"}]}
        }))
        .expect("pod");
        assert_eq!(container_of(&pod, None).expect("default"), "app");
        assert_eq!(
            container_of(&pod, Some("migrate")).expect("init"),
            "migrate"
        );
        let err = container_of(&pod, Some("db")).expect_err("unknown");
        assert_eq!(err.to_string(), "container: pod web-1 has no container db");
        assert_eq!(err.hint(), "pick one of: proxy, app, migrate");
    }
}
