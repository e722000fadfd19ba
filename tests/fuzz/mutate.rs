//! How inputs are made from real ones: byte-level mutations (flips, truncations, deletions,
//! duplications, splices, inserted and repeated tokens of `tests/data/fuzz/dictionary.json`,
//! whole lines dropped, doubled or re-indented), edits of a JSON input's nodes that keep it
//! valid JSON, fully random bytes and runs of tokens. Every choice is a proptest value, so a
//! failing input shrinks.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::root;

/// Tokens the parsers give meaning to, inserted whole, and strings that mean something to
/// Kubernetes objects, analyzers and the LLM schema, put in place of a JSON string.
pub struct Dictionary {
    pub tokens: Vec<String>,
    pub strings: Vec<String>,
}

pub fn dictionary() -> &'static Dictionary {
    #[derive(serde::Deserialize)]
    struct File {
        tokens: BTreeMap<String, Vec<String>>,
        strings: Vec<String>,
    }
    static DICTIONARY: OnceLock<Dictionary> = OnceLock::new();
    DICTIONARY.get_or_init(|| {
        let path = root().join("tests/data/fuzz/dictionary.json");
        let text = std::fs::read_to_string(&path).expect("tests/data/fuzz/dictionary.json");
        let file: File = serde_json::from_str(&text).expect("the fuzz dictionary is JSON");
        Dictionary {
            tokens: file.tokens.into_values().flatten().collect(),
            strings: file.strings,
        }
    })
}

/// Bytes that change how a parser reads its neighbours.
const BYTES: &[u8] = &[
    0, 0x7f, 0x80, 0xff, b'"', b'{', b'}', b'[', b']', b':', b',', b'\n', b'\r', b'\\', b'-', b' ',
    b'\t', b'#', b'&', b'*', b'!', b'|', b'>', b'0', b'9', b'e', 0xc3, 0xe2, 0xf0,
];

/// Numbers at the edges of what JSON readers and Kubernetes fields hold.
#[rustfmt::skip]
const NUMBERS: &[f64] = &[
    0.0, -1.0, 1.0, 0.5, 1.0000001, -0.0, 2147483647.0, -2147483648.0, 4294967296.0,
    9007199254740993.0, 9.223372036854776e18, -9.223372036854776e18, 1.8446744073709552e19,
    1e308, -1e308, 5e-324,
];

/// A change to one node of a JSON input: the input stays valid JSON, so the readers get past
/// the syntax to the types, the analyzers and the validation.
#[derive(Debug, Clone)]
pub enum NodeEdit {
    Str(Index),
    Num(Index),
    Null,
    Bool(bool),
    Remove,
    /// An array item or an object member twice.
    Duplicate,
    Empty,
    /// A long string: clipping, wrapping and sanitizing of long values.
    Long(u16),
    /// The node inside an array or an object of itself: a type the reader did not expect.
    Wrap,
}

pub fn node_edit() -> impl Strategy<Value = NodeEdit> {
    prop_oneof![
        4 => any::<Index>().prop_map(NodeEdit::Str),
        3 => any::<Index>().prop_map(NodeEdit::Num),
        1 => Just(NodeEdit::Null),
        1 => any::<bool>().prop_map(NodeEdit::Bool),
        3 => Just(NodeEdit::Remove),
        2 => Just(NodeEdit::Duplicate),
        1 => Just(NodeEdit::Empty),
        1 => (1u16..20_000).prop_map(NodeEdit::Long),
        1 => Just(NodeEdit::Wrap),
    ]
}

/// JSON pointers to every node, depth first.
fn pointers(value: &serde_json::Value, here: String, out: &mut Vec<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(v, format!("{here}/{key}"), out);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(here);
}

fn edit_node(doc: &mut serde_json::Value, at: &Index, edit: &NodeEdit) {
    use serde_json::Value;
    let mut all = Vec::new();
    pointers(doc, String::new(), &mut all);
    let pointer = at.get(&all).clone();
    let (parent, key) = match pointer.rsplit_once('/') {
        Some((parent, key)) => (
            parent.to_string(),
            key.replace("~1", "/").replace("~0", "~"),
        ),
        None => (String::new(), String::new()),
    };
    let Some(node) = doc.pointer_mut(&pointer) else {
        return;
    };
    match edit {
        NodeEdit::Str(i) => *node = Value::from(i.get(&dictionary().strings).as_str()),
        NodeEdit::Num(i) => {
            let n = *i.get(NUMBERS);
            *node = match n.fract() == 0.0 && n.abs() < 9.2e18 {
                true => Value::from(n as i64),
                false => Value::from(n),
            };
        }
        NodeEdit::Null => *node = Value::Null,
        NodeEdit::Bool(b) => *node = Value::Bool(*b),
        NodeEdit::Empty => {
            *node = match node {
                Value::Array(_) => Value::Array(Vec::new()),
                Value::Object(_) => Value::Object(Default::default()),
                _ => Value::from(""),
            }
        }
        NodeEdit::Long(n) => *node = Value::from("x ".repeat(usize::from(*n))),
        NodeEdit::Wrap => *node = Value::Array(vec![node.take()]),
        NodeEdit::Remove | NodeEdit::Duplicate => {
            let copy = node.clone();
            match doc.pointer_mut(&parent) {
                Some(Value::Object(map)) if matches!(edit, NodeEdit::Remove) => {
                    map.remove(&key);
                }
                Some(Value::Array(items)) => {
                    if let Ok(i) = key.parse::<usize>()
                        && i < items.len()
                    {
                        match edit {
                            NodeEdit::Remove => {
                                items.remove(i);
                            }
                            _ => items.insert(i, copy),
                        }
                    }
                }
                Some(Value::Object(map)) => {
                    map.insert(format!("{key}2"), copy);
                }
                _ => {}
            }
        }
    }
}

#[derive(Debug, Clone)]
pub enum Mutation {
    Flip {
        at: Index,
        bit: u8,
    },
    Byte {
        at: Index,
        value: Index,
    },
    Truncate {
        at: Index,
    },
    Delete {
        at: Index,
        len: u16,
    },
    Duplicate {
        at: Index,
        len: u16,
    },
    Insert {
        at: Index,
        token: Index,
    },
    /// The same token many times: deep nesting, long runs.
    Repeat {
        at: Index,
        token: Index,
        times: u16,
    },
    /// A piece of another input of the same target.
    Splice {
        at: Index,
        from: Index,
        start: Index,
        len: u16,
    },
    /// A whole line dropped, doubled, or moved in or out by two spaces: YAML and logs stay
    /// mostly well-formed.
    Line {
        at: Index,
        op: LineOp,
    },
}

#[derive(Debug, Clone, Copy)]
pub enum LineOp {
    Delete,
    Duplicate,
    Indent,
    Dedent,
}

pub fn mutation() -> impl Strategy<Value = Mutation> {
    let line_op = prop_oneof![
        Just(LineOp::Delete),
        Just(LineOp::Duplicate),
        Just(LineOp::Indent),
        Just(LineOp::Dedent),
    ];
    prop_oneof![
        4 => (any::<Index>(), 0u8..8).prop_map(|(at, bit)| Mutation::Flip { at, bit }),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(at, value)| Mutation::Byte { at, value }),
        1 => any::<Index>().prop_map(|at| Mutation::Truncate { at }),
        2 => (any::<Index>(), 1u16..512).prop_map(|(at, len)| Mutation::Delete { at, len }),
        1 => (any::<Index>(), 1u16..512).prop_map(|(at, len)| Mutation::Duplicate { at, len }),
        4 => (any::<Index>(), any::<Index>()).prop_map(|(at, token)| Mutation::Insert { at, token }),
        1 => (any::<Index>(), any::<Index>(), 2u16..4096)
            .prop_map(|(at, token, times)| Mutation::Repeat { at, token, times }),
        2 => (any::<Index>(), any::<Index>(), any::<Index>(), 1u16..2048)
            .prop_map(|(at, from, start, len)| Mutation::Splice { at, from, start, len }),
        4 => (any::<Index>(), line_op).prop_map(|(at, op)| Mutation::Line { at, op }),
    ]
}

/// Few mutations at a time, so most inputs stay close to real ones and reach deep code.
pub fn mutations() -> impl Strategy<Value = Vec<Mutation>> {
    prop_oneof![
        1 => Just(Vec::new()),
        5 => vec(mutation(), 1..3),
        2 => vec(mutation(), 3..10),
    ]
}

fn apply_line(bytes: &mut Vec<u8>, at: &Index, op: LineOp) {
    let starts: Vec<usize> = std::iter::once(0)
        .chain(
            bytes
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .map(|(i, _)| i + 1),
        )
        .filter(|&i| i < bytes.len())
        .collect();
    if starts.is_empty() {
        return;
    }
    let n = at.index(starts.len());
    let start = starts[n];
    let end = starts.get(n + 1).copied().unwrap_or(bytes.len());
    match op {
        LineOp::Delete => {
            bytes.drain(start..end);
        }
        LineOp::Duplicate => {
            let line = bytes[start..end].to_vec();
            bytes.splice(end..end, line);
        }
        LineOp::Indent => {
            bytes.splice(start..start, *b"  ");
        }
        LineOp::Dedent => {
            let spaces = bytes[start..end]
                .iter()
                .take(2)
                .take_while(|b| **b == b' ')
                .count();
            bytes.drain(start..start + spaces);
        }
    }
}

pub fn apply_mutations(bytes: &mut Vec<u8>, mutations: &[Mutation], pool: &[Vec<u8>]) {
    for m in mutations {
        let len = bytes.len();
        match m {
            Mutation::Flip { at, bit } if len > 0 => bytes[at.index(len)] ^= 1 << bit,
            Mutation::Byte { at, value } if len > 0 => bytes[at.index(len)] = *value.get(BYTES),
            Mutation::Truncate { at } => bytes.truncate(at.index(len + 1)),
            Mutation::Delete { at, len: n } if len > 0 => {
                let start = at.index(len);
                let end = (start + usize::from(*n)).min(len);
                bytes.drain(start..end);
            }
            Mutation::Duplicate { at, len: n } if len > 0 => {
                let start = at.index(len);
                let end = (start + usize::from(*n)).min(len);
                let piece = bytes[start..end].to_vec();
                bytes.splice(end..end, piece);
            }
            Mutation::Insert { at, token } => {
                let at = at.index(len + 1);
                bytes.splice(at..at, token.get(&dictionary().tokens).bytes());
            }
            Mutation::Repeat { at, token, times } => {
                let at = at.index(len + 1);
                let piece = token.get(&dictionary().tokens).repeat(usize::from(*times));
                bytes.splice(at..at, piece.into_bytes());
            }
            Mutation::Splice {
                at,
                from,
                start,
                len: n,
            } if !pool.is_empty() => {
                let other = from.get(pool);
                if other.is_empty() {
                    continue;
                }
                let s = start.index(other.len());
                let e = (s + usize::from(*n)).min(other.len());
                let at = at.index(len + 1);
                bytes.splice(at..at, other[s..e].iter().copied());
            }
            Mutation::Line { at, op } => apply_line(bytes, at, *op),
            _ => {}
        }
    }
}

/// What is done to a real input.
#[derive(Debug, Clone)]
pub enum Change {
    /// As it is: beside changed files, a file kept whole lets the rest of a bundle read.
    Keep,
    Bytes(Vec<Mutation>),
    /// Edits of a JSON input's nodes (an input that is not JSON is kept as it is).
    Json(Vec<(Index, NodeEdit)>),
}

pub fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        2 => mutations().prop_map(Change::Bytes),
        3 => vec((any::<Index>(), node_edit()), 1..4).prop_map(Change::Json),
    ]
}

/// For the files of a bundle: some are kept as they are.
pub fn change_or_keep() -> impl Strategy<Value = Change> {
    prop_oneof![2 => Just(Change::Keep), 5 => change()]
}

impl Change {
    pub fn apply(&self, bytes: &[u8], pool: &[Vec<u8>]) -> Vec<u8> {
        match self {
            Change::Keep => bytes.to_vec(),
            Change::Bytes(mutations) => {
                let mut bytes = bytes.to_vec();
                apply_mutations(&mut bytes, mutations, pool);
                bytes
            }
            Change::Json(edits) => {
                let Ok(mut doc) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                    return bytes.to_vec();
                };
                for (at, edit) in edits {
                    edit_node(&mut doc, at, edit);
                }
                serde_json::to_vec_pretty(&doc).unwrap_or_default()
            }
        }
    }
}

/// An input: a real one changed, random bytes, or a run of tokens.
#[derive(Debug, Clone)]
pub enum Input {
    Seed { seed: Index, change: Change },
    Random(Vec<u8>),
    Tokens(Vec<Index>),
}

pub fn input() -> impl Strategy<Value = Input> {
    prop_oneof![
        12 => (any::<Index>(), change()).prop_map(|(seed, change)| Input::Seed { seed, change }),
        1 => vec(any::<u8>(), 0..2048).prop_map(Input::Random),
        1 => vec(any::<Index>(), 0..64).prop_map(Input::Tokens),
    ]
}

impl Input {
    pub fn build(&self, pool: &[Vec<u8>]) -> Vec<u8> {
        match self {
            Input::Seed { seed, change } => match pool.is_empty() {
                true => Vec::new(),
                false => change.apply(seed.get::<Vec<u8>>(pool), pool),
            },
            Input::Random(bytes) => bytes.clone(),
            Input::Tokens(tokens) => tokens
                .iter()
                .flat_map(|t| t.get(&dictionary().tokens).bytes())
                .collect(),
        }
    }

    pub fn text(&self, pool: &[Vec<u8>]) -> String {
        String::from_utf8_lossy(&self.build(pool)).into_owned()
    }
}
