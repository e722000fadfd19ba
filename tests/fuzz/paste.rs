//! Target `paste`: pasted kubectl text through `source::paste::read`, then `rca::run` on what
//! it read, as `diagnose -f` does — from the real kubectl output in
//! `tests/data/paste/` (describe, get tables, events, logs of every example), mutated, and
//! with what chat clients and terminals add around it.

use std::path::Path;
use std::sync::OnceLock;

use k8sops::source::paste::{Paste, read};
use proptest::prelude::*;
use proptest::sample::Index;

use crate::mutate::input;
use crate::{fuzz, keep_input, root, with_extension, work_dir};

fn paste_seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let seeds = with_extension(&root().join("tests/data/paste"), &[".txt"]);
        assert!(seeds.len() >= 10, "tests/data/paste");
        seeds
    })
}

/// What surrounds a paste in a ticket or a chat.
const WRAPS: &[(&str, &str)] = &[
    ("", ""),
    ("```\n", "\n```"),
    ("> ", ""),
    ("$ kubectl describe pod web-1 -n shop\r\n", ""),
    ("dev@box:~$ kubectl logs web-1 -c app --previous\n", "\n"),
    ("    ", ""),
    ("\u{1b}[1;31m", "\u{1b}[0m"),
    ("here is what I get:\n\n", "\n\nany idea?"),
];

pub fn read_paste(text: &str, dir: &Path) -> bool {
    keep_input(dir, "paste.txt", text.as_bytes());
    let paste = Paste {
        name: "paste.txt",
        text,
    };
    let now = jiff::Timestamp::UNIX_EPOCH;
    match read(&[paste], now) {
        Ok(snapshot) => {
            let _ = k8sops::rca::run(&snapshot);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn never_panics() {
    let dir = work_dir("paste");
    fuzz("paste", (any::<Index>(), input()), |(wrap, text)| {
        let (before, after) = wrap.get(WRAPS);
        let content = format!("{before}{}{after}", text.text(paste_seeds()));
        read_paste(&content, &dir)
    });
}
