//! Target `llm_answer`: a model's reply as the engine reads it — `llm::schema::parse`, then
//! `check` against the context's evidence ids and the workload's containers — from the
//! answers in `tests/data/fuzz/llm-answers/` and the answer schema itself, mutated, with the
//! Markdown fences and preambles models add.

use std::path::Path;
use std::sync::OnceLock;

use k8sops::llm::schema;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::mutate::input;
use crate::{files_under, fuzz, keep_input, root, work_dir};

fn answer_seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds = files_under(&root().join("tests/data/fuzz/llm-answers"))
            .into_iter()
            .map(|(_, bytes)| bytes)
            .collect::<Vec<_>>();
        assert!(seeds.len() >= 4, "tests/data/fuzz/llm-answers");
        seeds.push(schema::schema().to_string().into_bytes());
        seeds
    })
}

/// How models wrap an answer despite being told not to.
const WRAPS: &[(&str, &str)] = &[
    ("", ""),
    ("```json\n", "\n```"),
    ("```", "```"),
    ("```json", ""),
    ("  \n", "\n\n"),
    ("Here is the answer:\n", ""),
];

pub fn read_answer(content: &str, dir: &Path) -> bool {
    keep_input(dir, "answer.txt", content.as_bytes());
    let known = |id: &str| matches!(id, "ev-1" | "ev-2" | "ev-3" | "ev-4" | "ev-5" | "ev-6");
    let containers = ["web".to_string(), "worker".to_string()];
    match schema::parse(content) {
        Ok(answer) => {
            let _ = schema::check(answer, &known, &containers);
            true
        }
        Err(_) => false,
    }
}

#[test]
fn never_panics() {
    let dir = work_dir("llm_answer");
    fuzz("llm_answer", (any::<Index>(), input()), |(wrap, answer)| {
        let (before, after) = wrap.get(WRAPS);
        let content = format!("{before}{}{after}", answer.text(answer_seeds()));
        read_answer(&content, &dir)
    });
}
