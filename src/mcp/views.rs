//! The snapshots the tools read, and their diagnoses. A bundle (`--from`) is read once at
//! start and each namespace's view of it is computed once. The live cluster is collected
//! again per call, with the global flags (`--context`, `-n`, `-A`, `--kubeconfig`) as
//! defaults a call may override, and a few seconds of cache so an assistant that calls
//! `list_problems`, `diagnose` and `get_logs` in a row costs one collection, not three.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::{Error, Result};
use crate::model::{ObjectRef, Snapshot, Target};
use crate::rca::DiagnosisList;
use crate::source::ci::Join;
use crate::source::{bundle, live::LiveOptions};

/// How long a live view answers further calls.
const LIVE_TTL: Duration = Duration::from_secs(5);

/// Which cluster and namespace one call reads; `None` keeps the server's flags.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Scope {
    pub context: Option<String>,
    pub namespace: Option<String>,
}

/// A snapshot and what the rules engine concluded about it (collection warnings included).
pub struct View {
    pub snapshot: Snapshot,
    pub list: DiagnosisList,
    /// The cluster's name in reports: its context, else the bundle's file name.
    pub name: String,
}

impl View {
    fn new(snapshot: Snapshot, fallback_name: &str) -> View {
        let list = crate::rca::run(&snapshot);
        let name = snapshot
            .meta
            .context
            .clone()
            .unwrap_or_else(|| fallback_name.to_string());
        View {
            snapshot,
            list,
            name,
        }
    }
}

enum Origin {
    Bundle {
        path: PathBuf,
        snapshot: Box<Snapshot>,
    },
    Live,
}

pub struct Views {
    /// The server's cluster flags.
    live: LiveOptions,
    ci: Join,
    origin: Origin,
    cache: Mutex<HashMap<Scope, (Instant, Arc<View>)>>,
}

impl Views {
    /// Reads the bundle now, so a wrong `--from` fails before the server starts.
    pub fn new(bundle: Option<PathBuf>, live: LiveOptions, ci: Join) -> Result<Views> {
        let origin = match bundle {
            Some(path) => Origin::Bundle {
                snapshot: Box::new(bundle::read(&path)?),
                path,
            },
            None => Origin::Live,
        };
        Ok(Views {
            live,
            ci,
            origin,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// Where the snapshots come from, for the server's instructions.
    pub fn describe(&self) -> String {
        match &self.origin {
            Origin::Bundle { path, .. } => format!("the bundle {}", path.display()),
            Origin::Live => match &self.live.context {
                Some(c) => format!("the live cluster of context {c}"),
                None => "the live cluster of the kubeconfig's current context".into(),
            },
        }
    }

    /// The namespace a target is looked up in: the call's, else `-n` (unless `-A`), else
    /// every namespace of the snapshot.
    pub fn lookup_namespace<'a>(&'a self, scope: &'a Scope) -> Option<&'a str> {
        scope
            .namespace
            .as_deref()
            .or(match self.live.all_namespaces {
                true => None,
                false => self.live.namespace.as_deref(),
            })
    }

    /// The view for `scope`: cached for a bundle, fresh within [`LIVE_TTL`] for a cluster.
    pub async fn get(&self, scope: &Scope) -> Result<Arc<View>> {
        let mut cache = self.cache.lock().await;
        if let Some((at, view)) = cache.get(scope) {
            let fresh = matches!(self.origin, Origin::Bundle { .. }) || at.elapsed() < LIVE_TTL;
            if fresh {
                return Ok(view.clone());
            }
        }
        let view = Arc::new(self.build(scope).await?);
        cache.insert(scope.clone(), (Instant::now(), view.clone()));
        Ok(view)
    }

    async fn build(&self, scope: &Scope) -> Result<View> {
        match &self.origin {
            Origin::Bundle { path, snapshot } => {
                if let Some(context) = &scope.context
                    && snapshot.meta.context.as_ref() != Some(context)
                {
                    return Err(Error::Usage {
                        flag: "context".into(),
                        message: format!(
                            "this server reads the bundle {} (context {}), not context {context}",
                            path.display(),
                            snapshot.meta.context.as_deref().unwrap_or("unknown")
                        ),
                        hint: "leave out the context, or start `k8sops mcp` without --from to read clusters".into(),
                    });
                }
                let snapshot =
                    crate::source::narrow((**snapshot).clone(), &self.live_options(scope))?;
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().trim_end_matches(".tar.gz").to_string())
                    .unwrap_or_else(|| path.display().to_string());
                Ok(View::new(snapshot, &name))
            }
            Origin::Live => {
                let opts = self.live_options(scope);
                let loaded = crate::source::load(None, &opts, Some(&self.ci)).await?;
                let name = opts.context.clone().unwrap_or_else(|| "cluster".into());
                Ok(View::new(loaded.snapshot, &name))
            }
        }
    }

    fn live_options(&self, scope: &Scope) -> LiveOptions {
        let base = &self.live;
        let (namespace, all_namespaces) = match &scope.namespace {
            Some(ns) => (Some(ns.clone()), false),
            None => (base.namespace.clone(), base.all_namespaces),
        };
        LiveOptions {
            context: scope.context.clone().or_else(|| base.context.clone()),
            namespace,
            all_namespaces,
            ..base.clone()
        }
    }

    /// The connection settings of a live call, for the requests a snapshot does not hold.
    pub fn live(&self, scope: &Scope) -> Option<LiveOptions> {
        match self.origin {
            Origin::Live => Some(self.live_options(scope)),
            Origin::Bundle { .. } => None,
        }
    }
}

/// Parses `KIND/NAME` and finds the object a diagnosis about it is filed under.
pub fn resolve(view: &View, target: &str, namespace: Option<&str>) -> Result<ObjectRef> {
    let parsed = Target::parse(target).map_err(|message| Error::Usage {
        flag: "target".into(),
        message,
        hint: "write it as kubectl does: deploy/web, pod/web-7d9f8b6c4d-x2k4p, sts/db, node/worker-1 (list_problems gives them)".into(),
    })?;
    parsed
        .resolve(&view.snapshot, namespace)
        .ok_or_else(|| Error::Usage {
            flag: "target".into(),
            message: format!(
                "{parsed} not found in {}",
                namespace
                    .map(|n| format!("namespace {n}"))
                    .unwrap_or_else(|| "any namespace".into())
            ),
            hint: "check the name with list_problems, or pass the namespace".into(),
        })
}
