//! Target `yaml_edit`: the byte-preserving YAML editor, `remediate::yaml_edit::apply_all`,
//! on the GitOps fixtures and manifests mutated, with the edits remediation plans make
//! (limits, requests, images, probes, replicas, Kustomize image tags, Helm values) and odd
//! values and container names.

use std::path::Path;
use std::sync::OnceLock;

use k8sops::remediate::plan::Scalar;
use k8sops::remediate::yaml_edit::{Edit, Seg, apply_all};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::mutate::input;
use crate::{fuzz, keep_input, root, with_extension, work_dir};

fn yaml_seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = with_extension(&root().join("tests/data/gitops"), &[".yaml", ".yml"]);
        seeds.extend(with_extension(&root().join("examples"), &[".yaml", ".yml"]));
        seeds.extend(with_extension(
            &root().join("tests/data/inputs"),
            &[".yaml"],
        ));
        assert!(seeds.len() > 20, "the GitOps fixtures are there");
        seeds
    })
}

const CONTAINERS: &[&str] = &["web", "app", "api", "worker", "nginx", "", "é", "a b", "*a"];

/// Paths remediation edits; `[list]` is the item of `list` named after the container.
pub const EDIT_PATHS: &[&[&str]] = &[
    &[
        "spec",
        "template",
        "spec",
        "[containers]",
        "resources",
        "limits",
        "memory",
    ],
    &[
        "spec",
        "template",
        "spec",
        "[containers]",
        "resources",
        "requests",
        "memory",
    ],
    &[
        "spec",
        "template",
        "spec",
        "[containers]",
        "resources",
        "requests",
        "cpu",
    ],
    &["spec", "template", "spec", "[containers]", "image"],
    &[
        "spec",
        "template",
        "spec",
        "[initContainers]",
        "resources",
        "limits",
        "memory",
    ],
    &[
        "spec",
        "template",
        "spec",
        "[containers]",
        "livenessProbe",
        "httpGet",
        "path",
    ],
    &[
        "spec",
        "template",
        "spec",
        "[containers]",
        "readinessProbe",
        "httpGet",
        "port",
    ],
    &[
        "spec",
        "template",
        "spec",
        "[containers]",
        "livenessProbe",
        "initialDelaySeconds",
    ],
    &[
        "spec",
        "jobTemplate",
        "spec",
        "template",
        "spec",
        "[containers]",
        "resources",
        "limits",
        "memory",
    ],
    &["spec", "replicas"],
    &["[images]", "newTag"],
    &["resources", "limits", "memory"],
    &["image", "tag"],
    &["web", "resources", "limits", "memory"],
    &["data", "DATABASE_URL"],
    &["metadata", "name"],
];

const VALUES: &[&str] = &[
    "1280Mi",
    "512Mi",
    "1",
    "250m",
    "ghcr.io/acme/web:1.2.4",
    "/healthz",
    "8080",
    "",
    " ",
    "a: b",
    "- x",
    "#c",
    "'",
    "\"",
    "é𝄞",
    "\n",
    "yes",
    "null",
    "~",
    "&a",
    "*a",
    "{",
    "[1]",
    "1e3",
    "0x10",
    "\t",
    "\r\n",
    "--- ",
];

#[derive(Debug, Clone)]
struct EditCase {
    doc: u8,
    path: Index,
    /// `None`: `web`, the container most fixtures have.
    container: Option<Index>,
    value: Result<Index, i64>,
}

fn edit_case() -> impl Strategy<Value = EditCase> {
    (
        prop_oneof![4 => Just(0u8), 1 => 0u8..4],
        any::<Index>(),
        prop_oneof![3 => Just(None), 1 => any::<Index>().prop_map(Some)],
        prop_oneof![3 => any::<Index>().prop_map(Ok), 1 => any::<i64>().prop_map(Err)],
    )
        .prop_map(|(doc, path, container, value)| EditCase {
            doc,
            path,
            container,
            value,
        })
}

/// The edit of `path` (one of [`EDIT_PATHS`]) for `container` in document `doc`.
pub fn edit(doc: usize, path: &[&str], container: &str, value: Scalar) -> Edit {
    let mut segs = Vec::new();
    for seg in path {
        match seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
            Some(list) => {
                segs.push(Seg::Key(list.to_string()));
                segs.push(Seg::Named(container.to_string()));
            }
            None => segs.push(Seg::Key((*seg).to_string())),
        }
    }
    Edit {
        doc,
        path: segs,
        value,
    }
}

impl EditCase {
    fn edit(&self) -> Edit {
        let value = match &self.value {
            Ok(i) => Scalar::Str(i.get(VALUES).to_string()),
            Err(n) => Scalar::Int(*n),
        };
        edit(
            usize::from(self.doc),
            self.path.get::<&[&str]>(EDIT_PATHS),
            self.container.map_or("web", |c| *c.get(CONTAINERS)),
            value,
        )
    }
}

pub fn edit_yaml(text: &str, edits: &[Edit], dir: &Path) -> bool {
    keep_input(dir, "input.yaml", text.as_bytes());
    keep_input(dir, "edits.txt", format!("{edits:#?}").as_bytes());
    apply_all(text, edits).is_ok()
}

#[test]
fn never_panics() {
    let dir = work_dir("yaml_edit");
    let strategy = (input(), vec(edit_case(), 1..4));
    fuzz("yaml_edit", strategy, |(text, edits)| {
        let edits: Vec<Edit> = edits.iter().map(EditCase::edit).collect();
        edit_yaml(&text.text(yaml_seeds()), &edits, &dir)
    });
}
