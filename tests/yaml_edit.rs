//! Byte-preserving YAML edits on golden files in `tests/data/gitops/yaml-edit/`: each
//! `NAME.yaml` with the edits of `NAME.edit.json` gives exactly `NAME.expected.yaml`
//! (comments, anchors, flow style, quoting, CRLF, `---` documents kept), or fails with the
//! message in `NAME.expected.err`. `UPDATE_GOLDEN=1` rewrites the expected files (review
//! the diff!). A property test checks that on generated documents only the target path
//! changes, byte for byte.

use std::path::{Path, PathBuf};

use k8sops::remediate::plan::Scalar;
use k8sops::remediate::yaml_edit::{Edit, Seg, apply, apply_all, get};
use proptest::prelude::*;
use serde_json::Value;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/gitops/yaml-edit")
}

fn edits(path: &Path) -> Vec<Edit> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).expect("edit file"))
        .expect("edit JSON");
    v.as_array()
        .expect("a list of edits")
        .iter()
        .map(|e| Edit {
            doc: e["doc"].as_u64().expect("doc") as usize,
            path: e["path"]
                .as_array()
                .expect("path")
                .iter()
                .map(|s| match s {
                    Value::String(k) => Seg::Key(k.clone()),
                    other => Seg::Named(other["name"].as_str().expect("name").to_string()),
                })
                .collect(),
            value: match &e["value"] {
                Value::Number(n) => Scalar::Int(n.as_i64().expect("integer")),
                other => Scalar::Str(other.as_str().expect("string").to_string()),
            },
        })
        .collect()
}

#[test]
fn golden_files_change_only_the_value_bytes() {
    let mut cases: Vec<PathBuf> = std::fs::read_dir(dir())
        .expect("golden dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".edit.json"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 9, "golden cases: {cases:?}");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for case in cases {
        let name = case
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".edit.json"))
            .expect("name")
            .to_string();
        let input = std::fs::read_to_string(dir().join(format!("{name}.yaml"))).expect("input");
        let result = apply_all(&input, &edits(&case));
        let err_file = dir().join(format!("{name}.expected.err"));
        if err_file.exists() {
            let want = std::fs::read_to_string(&err_file).expect("err file");
            let err = result.expect_err(&format!("{name} must be refused"));
            assert!(
                err.to_string().contains(want.trim()),
                "{name}: {err} (want {want:?})"
            );
            continue;
        }
        let out = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected = dir().join(format!("{name}.expected.yaml"));
        if update {
            std::fs::write(&expected, &out).expect("write golden");
        }
        let want = std::fs::read_to_string(&expected)
            .unwrap_or_else(|_| panic!("{name}: no golden file; run with UPDATE_GOLDEN=1"));
        assert_eq!(out, want, "{name}");
        // CRLF files stay CRLF: no bare \n is introduced.
        if input.contains("\r\n") {
            assert_eq!(
                out.matches('\n').count(),
                out.matches("\r\n").count(),
                "{name}"
            );
        }
    }
}

#[test]
fn a_second_identical_edit_changes_nothing() {
    let input = std::fs::read_to_string(dir().join("comments.yaml")).expect("input");
    let e = edits(&dir().join("comments.edit.json"));
    let once = apply_all(&input, &e).expect("edits");
    assert_eq!(apply_all(&once, &e).expect("edits again"), once);
}

// ---- property: only the target path changes ---------------------------------------

/// A generated mapping tree, rendered in block style with comments, blank lines and
/// every scalar style.
#[derive(Debug, Clone)]
enum Node {
    Leaf(String, u8),
    Map(Vec<(String, Node)>),
}

fn leaf() -> impl Strategy<Value = Node> {
    ("[a-z][a-z0-9]{0,6}(Mi|Gi|m)?", 0u8..4).prop_map(|(v, style)| Node::Leaf(v, style))
}

fn tree() -> impl Strategy<Value = Node> {
    leaf().prop_recursive(3, 24, 4, |inner| {
        prop::collection::vec(("[a-z]{1,6}", inner), 1..4).prop_map(|entries| {
            let mut seen = std::collections::BTreeSet::new();
            Node::Map(
                entries
                    .into_iter()
                    .filter(|(k, _)| seen.insert(k.clone()))
                    .collect(),
            )
        })
    })
}

fn render(node: &Node, indent: usize, out: &mut String, salt: &mut u32) {
    let Node::Map(entries) = node else { return };
    for (k, v) in entries {
        *salt = salt.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        if salt.is_multiple_of(5) {
            out.push_str(&format!("{}# about {k}\n", " ".repeat(indent)));
        }
        match v {
            Node::Leaf(s, style) => {
                let written = match style {
                    0 => format!("\"{s}\""),
                    1 => format!("'{s}'"),
                    _ => format!("x{s}"),
                };
                let comment = if salt.is_multiple_of(3) {
                    "   # note"
                } else {
                    ""
                };
                out.push_str(&format!("{}{k}: {written}{comment}\n", " ".repeat(indent)));
            }
            Node::Map(_) => {
                out.push_str(&format!("{}{k}:\n", " ".repeat(indent)));
                render(v, indent + 2, out, salt);
            }
        }
        if salt.is_multiple_of(7) {
            out.push('\n');
        }
    }
}

fn leaves(node: &Node, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Node::Map(entries) = node {
        for (k, v) in entries {
            prefix.push(k.clone());
            match v {
                Node::Leaf(..) => out.push(prefix.clone()),
                Node::Map(_) => leaves(v, prefix, out),
            }
            prefix.pop();
        }
    }
}

proptest! {
    #[test]
    fn only_the_target_path_changes(root in tree().prop_filter("a mapping", |n| matches!(n, Node::Map(_))),
                                    pick in any::<prop::sample::Index>(),
                                    value in "[a-z][a-z0-9]{0,8}",
                                    salt in any::<u32>()) {
        let mut text = String::new();
        let mut s = salt;
        render(&root, 0, &mut text, &mut s);
        let mut all = Vec::new();
        leaves(&root, &mut Vec::new(), &mut all);
        prop_assume!(!all.is_empty());
        let target = pick.get(&all).clone();
        let path: Vec<Seg> = target.iter().cloned().map(Seg::Key).collect();
        let new_value = format!("v{value}");
        let out = apply(&text, &Edit { doc: 0, path: path.clone(), value: Scalar::Str(new_value.clone()) })
            .map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;

        // Parsed: the old document with exactly the target set.
        let mut want: Value = serde_saphyr::from_str(&text).expect("old parses");
        k8sops::remediate::yaml_edit::set(&mut want, &path, Value::String(new_value.clone())).expect("path");
        let got: Value = serde_saphyr::from_str(&out).expect("new parses");
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(get(&got, &path), Some(&Value::String(new_value.clone())));

        // Bytes: everything outside one span on one line is identical.
        let prefix = text.bytes().zip(out.bytes()).take_while(|(a, b)| a == b).count();
        let suffix = text.bytes().rev().zip(out.bytes().rev())
            .take_while(|(a, b)| a == b).count()
            .min(text.len() - prefix).min(out.len() - prefix);
        let old_span = &text[prefix..text.len() - suffix];
        let new_span = &out[prefix..out.len() - suffix];
        prop_assert!(!old_span.contains('\n') && !new_span.contains('\n'),
            "changed more than one value: {:?} → {:?}", old_span, new_span);
        prop_assert_eq!(text.lines().count(), out.lines().count());
    }
}
