//! Target `bundle`: what `--from PATH` reads — a single JSON or YAML file (named like a
//! kind's list, a `List`, a YAML stream), a `kubectl cluster-info dump` or k8sops bundle
//! tree on disk, or a `.tar.gz` of one with forged member names, types and sizes — through
//! `source::bundle::read`, and the rules engine on every snapshot that reads.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use k8sops::source::bundle;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::mutate::{Change, Input, Mutation, apply_mutations, change_or_keep, input, mutation};
use crate::{files_under, fuzz, keep_input, root, with_extension, work_dir};

/// A bundle as files: each example, the report fixtures, the malformed bundle.
struct Bundles {
    roots: Vec<Vec<(String, Vec<u8>)>>,
    /// Every file of every bundle, and the single-file inputs, for single files and splices.
    all: Vec<Vec<u8>>,
}

fn bundles() -> &'static Bundles {
    static BUNDLES: OnceLock<Bundles> = OnceLock::new();
    BUNDLES.get_or_init(|| {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
            .expect("examples/")
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for extra in ["tests/data/report/prod", "tests/data/bad/malformed"] {
            dirs.push(root().join(extra));
        }
        let roots: Vec<_> = dirs.iter().map(|d| files_under(d)).collect();
        let mut all: Vec<Vec<u8>> = roots
            .iter()
            .flatten()
            .map(|(_, bytes)| bytes.clone())
            .collect();
        for dir in [
            "tests/data/inputs",
            "tests/data/analyze",
            "tests/data/ci/api",
        ] {
            all.extend(with_extension(
                &root().join(dir),
                &[".json", ".yaml", ".yml"],
            ));
        }
        assert!(
            roots.len() > 20 && all.len() > 500,
            "the examples are there"
        );
        Bundles { roots, all }
    })
}

/// Names a single file is read under: the name decides typed list, JSON or YAML.
const FILE_NAMES: &[&str] = &[
    "pods.json",
    "events.json",
    "nodes.json",
    "deployments.json",
    "list.json",
    "manifests.yaml",
    "x.yml",
    "dump",
];

/// Where extra files go in a dump tree.
const TREE_PATHS: &[&str] = &[
    "meta.json",
    "ci/runs.json",
    "shop/pods.json",
    "shop/events.json",
    "shop/replicasets.json",
    "shop/web-1/logs.txt",
    "shop/web-1/previous-logs.txt",
    "nodes.json",
    "namespaces.json",
    "all.yaml",
    "shop/x.yml",
    "a/b/c/d.json",
    "shop/é.json",
    "kube-system/deployments.json",
    "README.txt",
];

/// Member names only an archive can hold.
const ARCHIVE_NAMES: &[&str] = &[
    "../meta.json",
    "/etc/pods.json",
    "./meta.json",
    "",
    "bundle/",
    "shop//pods.json",
    "shop/../../x.json",
];

/// Tar entry types: file, directory, symlink, pax, global pax, GNU long name and link,
/// contiguous, NUL (old-style file).
const ENTRY_TYPES: &[u8] = b"052xgLK7\0";

#[derive(Debug, Clone)]
struct Tree {
    root: Index,
    /// Every file of the example, not only the picked ones.
    all: bool,
    /// Files of the example, changed.
    picks: Vec<(Index, Change)>,
    /// Files that are not in the example.
    extras: Vec<(Index, Input)>,
}

fn tree() -> impl Strategy<Value = Tree> {
    (
        any::<Index>(),
        any::<bool>(),
        vec((any::<Index>(), change_or_keep()), 1..6),
        prop_oneof![3 => Just(Vec::new()), 1 => vec((any::<Index>(), input()), 1..3)],
    )
        .prop_map(|(root, all, picks, extras)| Tree {
            root,
            all,
            picks,
            extras,
        })
}

impl Tree {
    fn files(&self) -> Vec<(String, Vec<u8>)> {
        let b = bundles();
        let files = self.root.get(&b.roots);
        let mut out: Vec<(String, Vec<u8>)> = if self.all { files.clone() } else { Vec::new() };
        for (pick, change) in &self.picks {
            let (rel, bytes) = pick.get(files);
            let bytes = change.apply(bytes, &b.all);
            out.retain(|(r, _)| r != rel);
            out.push((rel.clone(), bytes));
        }
        for (path, input) in &self.extras {
            out.push((path.get(TREE_PATHS).to_string(), input.build(&b.all)));
        }
        out
    }
}

#[derive(Debug, Clone)]
struct Member {
    name: Index,
    entry_type: Index,
    /// A size the header claims, whatever the data.
    size: Option<u64>,
    data: Input,
}

fn member() -> impl Strategy<Value = Member> {
    (
        any::<Index>(),
        any::<Index>(),
        prop_oneof![
            8 => Just(None),
            1 => any::<u64>().prop_map(Some),
            1 => (0u64..1 << 34).prop_map(Some),
        ],
        input(),
    )
        .prop_map(|(name, entry_type, size, data)| Member {
            name,
            entry_type,
            size,
            data,
        })
}

#[derive(Debug, Clone)]
enum BundleCase {
    File {
        name: Index,
        bytes: Input,
    },
    Tree(Tree),
    Archive {
        tree: Tree,
        /// Everything under one directory, as `tar czf b.tgz bundle/` writes it.
        prefix: bool,
        members: Vec<Member>,
        /// Of the tar stream, after the checksums are set.
        raw: Vec<Mutation>,
        /// Of the gzip stream.
        gz: Vec<Mutation>,
    },
}

fn bundle_case() -> impl Strategy<Value = BundleCase> {
    prop_oneof![
        3 => (any::<Index>(), input()).prop_map(|(name, bytes)| BundleCase::File { name, bytes }),
        3 => tree().prop_map(BundleCase::Tree),
        3 => (
            tree(),
            any::<bool>(),
            prop_oneof![2 => Just(Vec::new()), 1 => vec(member(), 1..3)],
            prop_oneof![3 => Just(Vec::new()), 1 => vec(mutation(), 1..3)],
            prop_oneof![6 => Just(Vec::new()), 1 => vec(mutation(), 1..3)],
        )
            .prop_map(|(tree, prefix, members, raw, gz)| BundleCase::Archive {
                tree,
                prefix,
                members,
                raw,
                gz,
            }),
    ]
}

/// One tar member with `name` as its raw header bytes (no path checks: any name a forged
/// archive could hold) and a valid checksum.
fn tar_member(out: &mut Vec<u8>, name: &str, entry_type: u8, size: Option<u64>, data: &[u8]) {
    let mut header = tar::Header::new_gnu();
    let raw = name.as_bytes();
    let n = raw.len().min(100);
    header.as_old_mut().name[..n].copy_from_slice(&raw[..n]);
    header.set_mode(0o644);
    header.set_size(size.unwrap_or(data.len() as u64));
    header.set_entry_type(tar::EntryType::new(entry_type));
    header.set_cksum();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().next_multiple_of(512), 0);
}

fn archive(
    tree: &Tree,
    prefix: bool,
    members: &[Member],
    raw: &[Mutation],
    gz: &[Mutation],
) -> Vec<u8> {
    let all = &bundles().all;
    let mut tar = Vec::new();
    for (rel, bytes) in tree.files() {
        let name = if prefix { format!("bundle/{rel}") } else { rel };
        tar_member(&mut tar, &name, b'0', None, &bytes);
    }
    for m in members {
        let names: Vec<&str> = TREE_PATHS.iter().chain(ARCHIVE_NAMES).copied().collect();
        let data = m.data.build(all);
        tar_member(
            &mut tar,
            m.name.get::<&str>(&names),
            *m.entry_type.get(ENTRY_TYPES),
            m.size,
            &data,
        );
    }
    tar.extend_from_slice(&[0; 1024]);
    apply_mutations(&mut tar, raw, all);
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(&tar).expect("gzip in memory");
    let mut bytes = encoder.finish().expect("gzip in memory");
    apply_mutations(&mut bytes, gz, all);
    bytes
}

/// Writes the case under `dir` and reads it as `--from` would; what reads is diagnosed.
fn read_bundle(case: &BundleCase, dir: &Path) -> bool {
    let case_dir = dir.join("case");
    let _ = std::fs::remove_dir_all(&case_dir);
    std::fs::create_dir_all(&case_dir).expect("case dir");
    let path = match case {
        BundleCase::File { name, bytes } => {
            let path = case_dir.join(name.get(FILE_NAMES));
            keep_input(
                &case_dir,
                name.get::<&str>(FILE_NAMES),
                &bytes.build(&bundles().all),
            );
            path
        }
        BundleCase::Tree(tree) => {
            let root = case_dir.join("tree");
            std::fs::create_dir_all(&root).expect("tree dir");
            for (rel, bytes) in tree.files() {
                let path = root.join(&rel);
                // A path that is a file in one place and a directory in another keeps the
                // first; a tree on disk cannot hold both.
                if let Some(parent) = path.parent()
                    && std::fs::create_dir_all(parent).is_ok()
                {
                    let _ = std::fs::write(&path, bytes);
                }
            }
            root
        }
        BundleCase::Archive {
            tree,
            prefix,
            members,
            raw,
            gz,
        } => {
            keep_input(
                &case_dir,
                "bundle.tar.gz",
                &archive(tree, *prefix, members, raw, gz),
            );
            case_dir.join("bundle.tar.gz")
        }
    };
    read_and_diagnose(&path)
}

/// Whether `path` reads as a bundle; what reads is diagnosed.
pub fn read_and_diagnose(path: &Path) -> bool {
    match bundle::read(path) {
        Ok(snapshot) => {
            let _ = k8sops::rca::run(&snapshot);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn never_panics() {
    let dir = work_dir("bundle");
    fuzz("bundle", bundle_case(), |case| read_bundle(case, &dir));
}
