//! The architecture test: every module of `src/` imports only from its own layer or below, and
//! the top-level modules form no cycle. `LAYERS` is the layer table of DESIGN.md §2; change both
//! together.
//!
//! The checker reads source text, not the compiler's view, so it needs no build and no
//! dependency. It strips comments and literals, then takes every path that can name one of our
//! modules: each leaf of a `use` tree, every inline `crate::…`, `$crate::…`, `self::…` and
//! `super::…` path (in code, types and attributes, `#[cfg(test)]` code included), and
//! `k8sops::…` in the binary. Relative paths are resolved against the file's module path and
//! the inline `mod` blocks around them; names `src/lib.rs` re-exports are followed to their
//! module.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

/// DESIGN.md §2: a module may import from its own layer and the layers below, never above.
/// A top-level module is the first path component under `src/` (`foo.rs` or `foo/`).
#[rustfmt::skip]
const LAYERS: &[(u8, &[&str])] = &[
    (7, &["main", "cmd"]),
    (6, &["tui"]),
    (5, &["watch", "mcp", "serve", "drift"]),
    (4, &["llm", "remediate", "report", "notify", "audit", "render", "eval"]),
    (3, &["rca", "context"]),
    (2, &["analyze", "source"]),
    (1, &["model", "sanitize", "github", "ci"]),
    (0, &["env", "error"]),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS
        .iter()
        .find(|(_, modules)| modules.contains(&module))
        .map(|&(layer, _)| layer)
}

#[test]
fn src_imports_only_downward_and_its_modules_form_no_cycle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    read_rs_files(root, &root.join("src"), &mut files);
    assert!(
        files.len() > 100,
        "src/ holds only {} .rs files",
        files.len()
    );
    let verdict = check(&files);
    assert!(verdict.is_clean(), "{verdict}");
}

/// Every `.rs` file under `dir`, as (path relative to `root` with `/` separators, text).
fn read_rs_files(root: &Path, dir: &Path, out: &mut Vec<(String, String)>) {
    let entries = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry.expect("directory entry").path();
        if path.is_dir() {
            read_rs_files(root, &path, out);
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let rel = path.strip_prefix(root).expect("under the crate root");
            let rel = rel.components().map(|c| c.as_os_str().to_string_lossy());
            out.push((rel.collect::<Vec<_>>().join("/"), text));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------

/// One place where a file of top-level module `from` names top-level module `to`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Import {
    file: String,
    line: usize,
    from: String,
    to: String,
    /// The path as written (a `use` tree leaf is written out in full).
    path: String,
}

impl fmt::Display for Import {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layer_text = |module: &str| match layer(module) {
            Some(layer) => format!("layer {layer}"),
            None => "not in the layer table".to_owned(),
        };
        write!(
            f,
            "{}:{}: {} ({}) uses {} ({}): {}",
            self.file,
            self.line,
            self.from,
            layer_text(&self.from),
            self.to,
            layer_text(&self.to),
            self.path
        )
    }
}

/// Top-level modules that import each other in a ring: every edge listed lies on a cycle.
#[derive(Debug)]
struct Cycle {
    modules: Vec<String>,
    /// Each edge between two of `modules`: its first witness and how many places make it.
    edges: Vec<(Import, usize)>,
}

/// What the checker found; the architecture holds when all three lists are empty.
#[derive(Debug, Default)]
struct Verdict {
    /// Top-level modules found under `src/` but missing from `LAYERS`, with where they live.
    unknown: Vec<(String, String)>,
    /// Imports of a higher layer, or of a module missing from `LAYERS`.
    upward: Vec<Import>,
    cycles: Vec<Cycle>,
}

impl Verdict {
    fn is_clean(&self) -> bool {
        self.unknown.is_empty() && self.upward.is_empty() && self.cycles.is_empty()
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "the architecture of DESIGN.md §2 does not hold: {} modules missing from the layer \
             table, {} imports of a higher layer or of a module missing from it, {} cycles",
            self.unknown.len(),
            self.upward.len(),
            self.cycles.len()
        )?;
        for (module, place) in &self.unknown {
            writeln!(
                f,
                "{place}: top-level module `{module}` is not in the layer table: add it to the \
                 table in tests/architecture.rs and to DESIGN.md §2"
            )?;
        }
        for import in &self.upward {
            writeln!(f, "{import}")?;
        }
        for cycle in &self.cycles {
            writeln!(
                f,
                "cycle among {} (every import below lies on a cycle):",
                cycle.modules.join(", ")
            )?;
            for (witness, count) in &cycle.edges {
                write!(f, "  {witness}")?;
                match count - 1 {
                    0 => writeln!(f)?,
                    more => writeln!(f, " (and {more} more)")?,
                }
            }
        }
        Ok(())
    }
}

/// Checks a source tree given as (path such as `src/model/mod.rs`, text) pairs.
fn check(files: &[(String, String)]) -> Verdict {
    let modules: BTreeSet<&str> = files
        .iter()
        .filter_map(|(file, _)| top_level_module(file))
        .collect();
    let reexports = files
        .iter()
        .find(|(file, _)| file == "src/lib.rs")
        .map(|(_, text)| reexports(text, &modules))
        .unwrap_or_default();

    let mut imports = BTreeSet::new();
    for (file, text) in files {
        let Some(from) = top_level_module(file) else {
            continue;
        };
        let file_module = module_path(file);
        for written in written_paths(text) {
            let Some((to, line)) = resolve(&file_module, &written, &modules, &reexports) else {
                continue;
            };
            if to != from {
                imports.insert(Import {
                    file: file.clone(),
                    line,
                    from: from.to_owned(),
                    to: to.to_owned(),
                    path: written.text(),
                });
            }
        }
    }

    let imports = merge_lines(imports);
    Verdict {
        unknown: modules
            .iter()
            .filter(|module| layer(module).is_none())
            .map(|module| (module.to_string(), place(module, files)))
            .collect(),
        upward: imports
            .iter()
            .filter(|i| layer(&i.from).is_some_and(|from| layer(&i.to).is_none_or(|to| to > from)))
            .cloned()
            .collect(),
        cycles: cycles(&imports),
    }
}

/// One import per file, line and module: the leaves of `use crate::cli::{Global, SourceArgs}`
/// read back as written rather than as two lines.
fn merge_lines(imports: BTreeSet<Import>) -> Vec<Import> {
    let imports: Vec<Import> = imports.into_iter().collect();
    imports
        .chunk_by(|a, b| (&a.file, a.line, &a.to) == (&b.file, b.line, &b.to))
        .map(|same_line| {
            let mut merged = same_line[0].clone();
            if same_line.len() > 1 {
                let paths: Vec<Vec<&str>> = same_line
                    .iter()
                    .map(|import| import.path.split("::").collect())
                    .collect();
                let shortest = paths.iter().map(Vec::len).min().unwrap_or(0);
                let common = (0..shortest)
                    .take_while(|&n| paths.iter().all(|path| path[n] == paths[0][n]))
                    .count();
                let rests: Vec<String> = paths
                    .iter()
                    .map(|path| match path[common..].join("::") {
                        rest if rest.is_empty() => "self".to_owned(),
                        rest => rest,
                    })
                    .collect();
                let prefix: String = paths[0][..common]
                    .iter()
                    .map(|s| format!("{s}::"))
                    .collect();
                merged.path = format!("{prefix}{{{}}}", rests.join(", "));
            }
            merged
        })
        .collect()
}

/// Where a top-level module lives: `src/foo.rs`, else `src/foo/mod.rs`, else `src/foo/`.
fn place(module: &str, files: &[(String, String)]) -> String {
    [format!("src/{module}.rs"), format!("src/{module}/mod.rs")]
        .into_iter()
        .find(|place| files.iter().any(|(file, _)| file == place))
        .unwrap_or_else(|| format!("src/{module}/"))
}

/// `src/report/recommend/cleanup.rs` is `report::recommend::cleanup`; `mod.rs` is its folder;
/// `src/main.rs` is the binary's root, named `main`.
fn module_path(file: &str) -> Vec<&str> {
    let rel = file.strip_prefix("src/").unwrap_or(file);
    let rel = rel.strip_suffix(".rs").unwrap_or(rel);
    let mut parts: Vec<&str> = rel.split('/').collect();
    if parts.len() > 1 && parts.last() == Some(&"mod") {
        parts.pop();
    }
    parts
}

/// The top-level module a file belongs to; `src/lib.rs` only declares modules and belongs to
/// none.
fn top_level_module(file: &str) -> Option<&str> {
    let rel = file.strip_prefix("src/")?;
    if !rel.ends_with(".rs") || rel == "lib.rs" {
        return None;
    }
    Some(module_path(file)[0])
}

/// Names `src/lib.rs` re-exports at the crate root (`pub use error::{Error, Result}`), mapped
/// to the top-level module they come from, so `crate::Error` counts as naming `error`.
fn reexports<'a>(lib: &'a str, modules: &BTreeSet<&str>) -> BTreeMap<&'a str, &'a str> {
    let mut names = BTreeMap::new();
    for written in written_paths(lib).into_iter().filter(|w| w.in_use) {
        let mut segments = written.segments.iter().map(|&(s, _)| s);
        let first = match segments.next() {
            Some("crate" | "self") => segments.next(),
            first => first,
        };
        let (Some(module), Some(name)) = (first, written.name()) else {
            continue;
        };
        if modules.contains(module) && name != "*" {
            names.insert(name, module);
        }
    }
    names
}

/// The top-level module a written path names and the line of the segment that names it, or
/// `None` when the path stays inside the file's own top-level module or leaves the crate.
fn resolve<'a>(
    file_module: &[&'a str],
    written: &Written<'a>,
    modules: &BTreeSet<&'a str>,
    reexports: &BTreeMap<&'a str, &'a str>,
) -> Option<(&'a str, usize)> {
    let segments = &written.segments;
    let (first, _) = *segments.first()?;
    // Inside the binary, `crate`, `self` and `super` are the binary's own items; the library
    // is reached by its name.
    let rest = if file_module == ["main"] {
        if first != "k8sops" {
            return None;
        }
        &segments[1..]
    } else {
        let mut base: Vec<&str> = file_module.iter().chain(&written.scope).copied().collect();
        let rest = match first {
            "crate" | "$crate" => {
                base.clear();
                &segments[1..]
            }
            "self" => &segments[1..],
            "super" => {
                let supers = segments.iter().take_while(|&&(s, _)| s == "super").count();
                for _ in 0..supers {
                    base.pop()?;
                }
                &segments[supers..]
            }
            _ => return None,
        };
        if !base.is_empty() {
            return None;
        }
        rest
    };
    let &(name, line) = rest.first()?;
    let module = match modules.get(name) {
        Some(&module) => module,
        None => reexports.get(name)?,
    };
    Some((module, line))
}

/// Strongly connected components of two or more top-level modules, sorted: modules that
/// each reach every other one through imports. The graph has a few dozen nodes, so each
/// module's reach is simply walked in full.
fn cycles(imports: &[Import]) -> Vec<Cycle> {
    let mut edges: BTreeMap<(&str, &str), Vec<&Import>> = BTreeMap::new();
    for import in imports {
        edges
            .entry((import.from.as_str(), import.to.as_str()))
            .or_default()
            .push(import);
    }
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for &(from, to) in edges.keys() {
        graph.entry(from).or_default().push(to);
        graph.entry(to).or_default();
    }
    let reach: BTreeMap<&str, BTreeSet<&str>> = graph
        .keys()
        .map(|&module| (module, reachable(&graph, module)))
        .collect();

    let mut placed = BTreeSet::new();
    let mut cycles = Vec::new();
    for (&module, reached) in &reach {
        if !reached.contains(module) || placed.contains(module) {
            continue;
        }
        let members: Vec<&str> = reached
            .iter()
            .copied()
            .filter(|other| reach[other].contains(module))
            .collect();
        placed.extend(members.iter().copied());
        cycles.push(Cycle {
            modules: members.iter().map(|m| m.to_string()).collect(),
            edges: edges
                .iter()
                .filter(|((from, to), _)| members.contains(from) && members.contains(to))
                .map(|(_, witnesses)| (witnesses[0].clone(), witnesses.len()))
                .collect(),
        });
    }
    cycles
}

/// The modules `start` imports, directly or through others (itself only on a cycle).
fn reachable<'a>(graph: &BTreeMap<&'a str, Vec<&'a str>>, start: &str) -> BTreeSet<&'a str> {
    let mut reached = BTreeSet::new();
    let mut todo: Vec<&str> = graph[start].clone();
    while let Some(module) = todo.pop() {
        if reached.insert(module) {
            todo.extend(&graph[module]);
        }
    }
    reached
}

// ---------------------------------------------------------------------------------------------
// Reading paths out of Rust source
// ---------------------------------------------------------------------------------------------

/// Path segments, each with the line it is written on.
type Segments<'a> = Vec<(&'a str, usize)>;

/// A path that may name one of our modules, with the line of each segment and the inline
/// `mod` blocks it is written in (which `self` and `super` count from).
#[derive(Debug)]
struct Written<'a> {
    segments: Segments<'a>,
    scope: Vec<&'a str>,
    /// A leaf of a `use` tree rather than a path in code.
    in_use: bool,
    /// The `as` name of a `use` leaf.
    alias: Option<&'a str>,
}

impl<'a> Written<'a> {
    fn text(&self) -> String {
        let segments: Vec<&str> = self.segments.iter().map(|&(s, _)| s).collect();
        segments.join("::")
    }

    /// The name a `use` leaf brings into scope.
    fn name(&self) -> Option<&'a str> {
        self.alias
            .or_else(|| self.segments.last().map(|&(segment, _)| segment))
    }
}

/// Every `use` leaf and every inline path that starts at `crate`, `$crate`, `self`, `super` or
/// `k8sops`, in the order written.
fn written_paths(src: &str) -> Vec<Written<'_>> {
    let tokens = tokens(src);
    let mut out = Vec::new();
    let mut depth = 0usize;
    // Inline `mod name { … }` blocks we are in, with the brace depth inside each.
    let mut scope: Vec<(&str, usize)> = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let after_separator = i > 0 && tokens[i - 1].tok == Tok::PathSep;
        match tokens[i].tok {
            Tok::Punct(b'{') => depth += 1,
            Tok::Punct(b'}') => {
                depth = depth.saturating_sub(1);
                while scope.last().is_some_and(|&(_, inside)| inside > depth) {
                    scope.pop();
                }
            }
            Tok::Ident("mod") => {
                if let (Some(Tok::Ident(name)), Some(Tok::Punct(b'{'))) =
                    (tok(&tokens, i + 1), tok(&tokens, i + 2))
                {
                    depth += 1;
                    scope.push((name, depth));
                    i += 3;
                    continue;
                }
            }
            Tok::Ident("use") if !after_separator => {
                i += 1;
                let names: Vec<&str> = scope.iter().map(|&(name, _)| name).collect();
                let mut leaves = Vec::new();
                use_tree(&tokens, &mut i, &mut Vec::new(), &mut leaves);
                out.extend(leaves.into_iter().map(|(segments, alias)| Written {
                    segments,
                    scope: names.clone(),
                    in_use: true,
                    alias,
                }));
                continue;
            }
            Tok::Ident(word @ ("crate" | "$crate" | "self" | "super" | "k8sops"))
                if !after_separator =>
            {
                let mut segments = vec![(word, tokens[i].line)];
                i += 1;
                while let (Some(Tok::PathSep), Some(Tok::Ident(next))) =
                    (tok(&tokens, i), tok(&tokens, i + 1))
                {
                    segments.push((next, tokens[i + 1].line));
                    i += 2;
                }
                out.push(Written {
                    segments,
                    scope: scope.iter().map(|&(name, _)| name).collect(),
                    in_use: false,
                    alias: None,
                });
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    out
}

/// Reads one `use` tree from `*i` (after the `use` keyword), pushing each leaf as a full path
/// with its `as` name: `a::{b, c::{self, d as e}, f::*}` gives `a::b`, `a::c`, `a::c::d` (as
/// `e`) and `a::f::*`. Stops at the first token that cannot continue the tree.
fn use_tree<'a>(
    tokens: &[Token<'a>],
    i: &mut usize,
    prefix: &mut Segments<'a>,
    leaves: &mut Vec<(Segments<'a>, Option<&'a str>)>,
) {
    let outer = prefix.len();
    // A leading `::` only says "an external crate": the crate's name follows.
    if tok(tokens, *i) == Some(Tok::PathSep) {
        *i += 1;
    }
    loop {
        match tok(tokens, *i) {
            Some(Tok::Ident(segment)) => {
                *i += 1;
                // `{self, …}` imports the module the group hangs off.
                if segment != "self" || prefix.is_empty() {
                    prefix.push((segment, tokens[*i - 1].line));
                }
                if tok(tokens, *i) == Some(Tok::PathSep) {
                    *i += 1;
                    continue;
                }
                let mut alias = None;
                if tok(tokens, *i) == Some(Tok::Ident("as"))
                    && let Some(Tok::Ident(name)) = tok(tokens, *i + 1)
                {
                    alias = Some(name);
                    *i += 2;
                }
                leaves.push((prefix.clone(), alias));
            }
            Some(Tok::Punct(b'*')) => {
                prefix.push(("*", tokens[*i].line));
                *i += 1;
                leaves.push((prefix.clone(), None));
            }
            Some(Tok::Punct(b'{')) => {
                *i += 1;
                loop {
                    match tok(tokens, *i) {
                        Some(Tok::Punct(b'}')) => {
                            *i += 1;
                            break;
                        }
                        Some(Tok::Punct(b',')) => *i += 1,
                        None => break,
                        Some(_) => {
                            let before = *i;
                            use_tree(tokens, i, prefix, leaves);
                            if *i == before {
                                *i += 1;
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        break;
    }
    prefix.truncate(outer);
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok<'a> {
    /// An identifier or keyword; `$crate` and other macro variables keep their `$`, raw
    /// identifiers their `r#`.
    Ident(&'a str),
    /// `::`
    PathSep,
    Punct(u8),
    /// A literal, a lifetime or a label: never part of a path.
    Other,
}

#[derive(Debug)]
struct Token<'a> {
    tok: Tok<'a>,
    line: usize,
}

fn tok<'a>(tokens: &[Token<'a>], i: usize) -> Option<Tok<'a>> {
    tokens.get(i).map(|t| t.tok)
}

/// Splits Rust source into the tokens paths are made of, dropping comments (doc comments
/// included) and the contents of string, char and number literals. One pass over the bytes:
/// every delimiter is ASCII, so UTF-8 inside literals and comments never looks like one.
fn tokens(src: &str) -> Vec<Token<'_>> {
    let b = src.as_bytes();
    let mut out = Vec::new();
    let mut line = 1;
    let mut i = 0;
    while i < b.len() {
        let start_line = line;
        let (tok, end) = match b[i] {
            b'\n' => {
                line += 1;
                i += 1;
                continue;
            }
            c if c.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                i = find(b, i, b'\n');
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = skip_block_comment(b, i, &mut line);
                continue;
            }
            b'"' => (Tok::Other, skip_string(b, i + 1, &mut line)),
            b'\'' => (Tok::Other, skip_char_or_lifetime(b, i)),
            b':' if b.get(i + 1) == Some(&b':') => (Tok::PathSep, i + 2),
            b'$' if b.get(i + 1).is_some_and(|&c| is_ident_start(c)) => {
                let end = ident_end(b, i + 1);
                (Tok::Ident(&src[i..end]), end)
            }
            c if is_ident_start(c) => {
                let end = ident_end(b, i);
                match (&src[i..end], b.get(end)) {
                    ("r" | "br" | "cr", Some(b'"' | b'#')) => raw(src, i, end, &mut line),
                    ("b" | "c", Some(b'"')) => (Tok::Other, skip_string(b, end + 1, &mut line)),
                    ("b", Some(b'\'')) => (Tok::Other, skip_char_or_lifetime(b, end)),
                    (word, _) => (Tok::Ident(word), end),
                }
            }
            c if c.is_ascii_digit() => (Tok::Other, ident_end(b, i)),
            c => (Tok::Punct(c), i + 1),
        };
        out.push(Token {
            tok,
            line: start_line,
        });
        i = end;
    }
    out
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while b
        .get(i)
        .is_some_and(|&c| is_ident_start(c) || c.is_ascii_digit())
    {
        i += 1;
    }
    i
}

/// The index of the next `byte` at or after `from`, or the end.
fn find(b: &[u8], from: usize, byte: u8) -> usize {
    b[from..]
        .iter()
        .position(|&c| c == byte)
        .map_or(b.len(), |p| from + p)
}

/// Past the end of a (nesting) block comment opened at `i`.
fn skip_block_comment(b: &[u8], mut i: usize, line: &mut usize) -> usize {
    let mut depth = 0;
    while i < b.len() {
        match (b[i], b.get(i + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                i += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    return i;
                }
            }
            (c, _) => {
                *line += usize::from(c == b'\n');
                i += 1;
            }
        }
    }
    i
}

/// Past the closing quote of a string whose contents start at `i`; escapes (a `\` before a
/// newline included) are skipped.
fn skip_string(b: &[u8], mut i: usize, line: &mut usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'"' => return i + 1,
            b'\\' => {
                *line += usize::from(b.get(i + 1) == Some(&b'\n'));
                i += 2;
            }
            c => {
                *line += usize::from(c == b'\n');
                i += 1;
            }
        }
    }
    i
}

/// At a `'`: past a char literal (`'x'`, `'\''`, `'\u{1F600}'`, `'é'`), or past a lifetime or
/// label name (`'a`, `'outer`), which has no closing quote.
fn skip_char_or_lifetime(b: &[u8], quote: usize) -> usize {
    let Some(&first) = b.get(quote + 1) else {
        return quote + 1;
    };
    if first == b'\\' {
        return (find(b, quote + 3, b'\'') + 1).min(b.len());
    }
    let width = match first {
        0xF0.. => 4,
        0xE0.. => 3,
        0xC0.. => 2,
        _ => 1,
    };
    if b.get(quote + 1 + width) == Some(&b'\'') {
        quote + 2 + width
    } else {
        ident_end(b, quote + 1)
    }
}

/// After a `r`, `br` or `cr` prefix ending at `end`: a raw string `r#"…"#` (any number of `#`,
/// no escapes), or the raw identifier `r#name`.
fn raw<'a>(src: &'a str, start: usize, end: usize, line: &mut usize) -> (Tok<'a>, usize) {
    let b = src.as_bytes();
    let hashes = b[end..].iter().take_while(|&&c| c == b'#').count();
    let open = end + hashes;
    if b.get(open) != Some(&b'"') {
        if &src[start..end] == "r" && hashes == 1 && b.get(open).is_some_and(|&c| is_ident_start(c))
        {
            let name_end = ident_end(b, open);
            return (Tok::Ident(&src[start..name_end]), name_end);
        }
        return (Tok::Ident(&src[start..end]), end);
    }
    let mut i = open + 1;
    while i < b.len() {
        match b[i] {
            b'"' if b[i + 1..]
                .iter()
                .take(hashes)
                .filter(|&&c| c == b'#')
                .count()
                == hashes =>
            {
                return (Tok::Other, i + 1 + hashes);
            }
            c => {
                *line += usize::from(c == b'\n');
                i += 1;
            }
        }
    }
    (Tok::Other, i)
}

// ---------------------------------------------------------------------------------------------
// The checker's own specification
// ---------------------------------------------------------------------------------------------

fn tree(files: &[(&str, &str)]) -> Verdict {
    let files: Vec<(String, String)> = files
        .iter()
        .map(|&(path, text)| (path.to_owned(), text.to_owned()))
        .collect();
    check(&files)
}

fn upward(verdict: &Verdict) -> Vec<String> {
    verdict.upward.iter().map(ToString::to_string).collect()
}

#[test]
fn an_upward_use_is_reported_with_its_file_and_line() {
    let verdict = tree(&[
        ("src/cmd/mod.rs", "pub mod cli;\n"),
        ("src/cmd/cli.rs", "pub struct Global;\n"),
        ("src/source/mod.rs", "pub mod live;\n"),
        (
            "src/source/live.rs",
            "//! Live source.\n\nuse crate::cmd::cli::Global;\n",
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        ["src/source/live.rs:3: source (layer 2) uses cmd (layer 7): crate::cmd::cli::Global"]
    );
    assert!(verdict.unknown.is_empty() && verdict.cycles.is_empty());
    assert!(!verdict.is_clean());
}

#[test]
fn an_inline_path_into_a_module_missing_from_the_table_is_reported_and_so_is_the_module() {
    let verdict = tree(&[
        ("src/config.rs", "pub struct Env;\n"),
        (
            "src/notify/slack.rs",
            "//! Slack.\n\npub fn token(\n    env: &crate::config::Env,\n) {}\n",
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        [
            "src/notify/slack.rs:4: notify (layer 4) uses config (not in the layer table): \
             crate::config::Env"
        ]
    );
    assert_eq!(
        verdict.unknown,
        [("config".to_owned(), "src/config.rs".to_owned())]
    );
    assert!(verdict.to_string().contains(
        "src/config.rs: top-level module `config` is not in the layer table: add it to the \
         table in tests/architecture.rs and to DESIGN.md §2"
    ));
}

#[test]
fn an_unknown_folder_module_is_reported_even_when_nothing_imports_it() {
    let verdict = tree(&[
        ("src/widgets/mod.rs", "pub mod gauge;\n"),
        ("src/widgets/gauge.rs", "use crate::model::Snapshot;\n"),
        ("src/model/mod.rs", "pub struct Snapshot;\n"),
        ("src/lib.rs", "pub mod model;\npub mod widgets;\n"),
    ]);
    assert_eq!(
        verdict.unknown,
        [("widgets".to_owned(), "src/widgets/mod.rs".to_owned())]
    );
    assert!(verdict.upward.is_empty(), "{verdict}");
    let verdict = tree(&[("src/widgets/gauge.rs", "")]);
    assert_eq!(
        verdict.unknown,
        [("widgets".to_owned(), "src/widgets/".to_owned())]
    );
}

#[test]
fn downward_and_same_layer_imports_are_allowed() {
    let verdict = tree(&[
        ("src/model/mod.rs", "pub struct Snapshot;\n"),
        ("src/error.rs", "pub struct Error;\n"),
        ("src/ci/mod.rs", "use crate::model::Snapshot;\n"),
        (
            "src/report/daily.rs",
            "use crate::model::Snapshot;\nfn f(_: crate::error::Error) {}\n",
        ),
        (
            "src/main.rs",
            "use k8sops::report::daily;\nfn main() { k8sops::model::Snapshot; }\n",
        ),
    ]);
    assert!(verdict.is_clean(), "{verdict}");
}

#[test]
fn a_two_module_cycle_on_one_layer_is_reported_with_a_witness_per_edge() {
    let verdict = tree(&[
        (
            "src/model/mod.rs",
            "pub struct Snapshot {\n    runs: crate::ci::CiRuns,\n}\n",
        ),
        (
            "src/ci/mod.rs",
            "use crate::model::Snapshot;\nuse crate::model::Snapshot as S;\n",
        ),
    ]);
    assert!(verdict.upward.is_empty(), "{verdict}");
    assert_eq!(
        verdict.to_string().lines().skip(1).collect::<Vec<_>>(),
        [
            "cycle among ci, model (every import below lies on a cycle):",
            "  src/ci/mod.rs:1: ci (layer 1) uses model (layer 1): \
             crate::model::Snapshot (and 1 more)",
            "  src/model/mod.rs:2: model (layer 1) uses ci (layer 1): \
             crate::ci::CiRuns",
        ]
    );
}

#[test]
fn a_longer_cycle_lists_every_edge_inside_it_and_nothing_outside() {
    let verdict = tree(&[
        (
            "src/analyze/mod.rs",
            "use crate::source::x;\nuse crate::model::y;\n",
        ),
        ("src/source/mod.rs", "use crate::model::x;\n"),
        (
            "src/model/mod.rs",
            "use crate::analyze::x;\nuse crate::error::E;\n",
        ),
        ("src/error.rs", ""),
    ]);
    let cycle = &verdict.cycles[..];
    assert_eq!(cycle.len(), 1, "{verdict}");
    assert_eq!(cycle[0].modules, ["analyze", "model", "source"]);
    let edges: Vec<(&str, &str)> = cycle[0]
        .edges
        .iter()
        .map(|(i, _)| (i.from.as_str(), i.to.as_str()))
        .collect();
    assert_eq!(
        edges,
        [
            ("analyze", "model"),
            ("analyze", "source"),
            ("model", "analyze"),
            ("source", "model")
        ]
    );
}

#[test]
fn super_chains_resolve_against_the_file_and_its_inline_modules() {
    let verdict = tree(&[
        ("src/tui/mod.rs", ""),
        ("src/model/mod.rs", ""),
        ("src/report/mod.rs", "pub mod recommend;\n"),
        // `report::recommend::cleanup`: two `super`s reach `report`, three the crate root.
        (
            "src/report/recommend/cleanup.rs",
            "use super::super::config::ReportConfig;\nuse super::super::super::tui::App;\n",
        ),
        // `mod.rs` is its folder: one `super` reaches the crate root.
        (
            "src/analyze/mod.rs",
            "use super::model::Snapshot;\nuse super::tui::App;\n",
        ),
        // `foo/bar.rs` sits under `foo.rs`: `analyze::crash_loop::signals`.
        (
            "src/analyze/crash_loop/signals.rs",
            "fn f() {\n    super::super::oom::run();\n    super::super::super::tui::draw();\n}\n",
        ),
        // Inside `mod tests`, the first `super` is the file's own module.
        (
            "src/analyze/oom.rs",
            "#[cfg(test)]\nmod tests {\n    use super::super::tui::Fake;\n    \
             use super::super::super::tui::Real;\n}\nuse super::super::tui::AfterTheBlock;\n",
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        [
            "src/analyze/crash_loop/signals.rs:3: analyze (layer 2) uses tui (layer 6): \
             super::super::super::tui::draw",
            "src/analyze/mod.rs:2: analyze (layer 2) uses tui (layer 6): super::tui::App",
            "src/analyze/oom.rs:4: analyze (layer 2) uses tui (layer 6): \
             super::super::super::tui::Real",
            "src/analyze/oom.rs:6: analyze (layer 2) uses tui (layer 6): \
             super::super::tui::AfterTheBlock",
            "src/report/recommend/cleanup.rs:2: report (layer 4) uses tui (layer 6): \
             super::super::super::tui::App",
        ]
    );
}

#[test]
fn every_leaf_of_a_grouped_use_counts_on_its_own_line_and_the_list_is_sorted() {
    let verdict = tree(&[
        ("src/model/mod.rs", ""),
        ("src/render/mod.rs", ""),
        ("src/tui/mod.rs", ""),
        ("src/cmd/mod.rs", ""),
        (
            "src/analyze/mod.rs",
            "pub(crate) use crate::{\n    model::{self, Snapshot},\n    render::{text, \
             markdown::Md as Markdown},\n    tui::*,\n};\n\n\n\n\npub use crate::cmd::{self};\n",
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        [
            "src/analyze/mod.rs:3: analyze (layer 2) uses render (layer 4): \
             crate::render::{markdown::Md, text}",
            "src/analyze/mod.rs:4: analyze (layer 2) uses tui (layer 6): crate::tui::*",
            "src/analyze/mod.rs:10: analyze (layer 2) uses cmd (layer 7): crate::cmd",
        ]
    );
}

#[test]
fn comments_doc_comments_and_literals_are_not_imports() {
    let verdict = tree(&[
        ("src/tui/mod.rs", ""),
        (
            "src/model/mod.rs",
            r####"//! Unlike [`crate::tui::App`], the model draws nothing.
// use crate::tui::App;
/* crate::tui::a /* nested */ crate::tui::b */
/// ```
/// use crate::tui::App;
/// ```
#[doc = "crate::tui::App"]
const A: &str = "use crate::tui::App; \" crate::tui::b";
const B: &str = r#"use crate::tui::App; "crate::tui::c""#;
const C: &[u8] = br##"crate::tui::d"#"##;
const D: &str = "line \
    crate::tui::e";
const E: char = '"';
const F: u8 = b'\'';
fn g<'a>(x: &'a str) -> crate::tui::Real<'a> { 'outer: loop { break 'outer; } }
"####,
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        ["src/model/mod.rs:15: model (layer 1) uses tui (layer 6): crate::tui::Real"]
    );
}

#[test]
fn the_binary_reaches_the_library_by_name_and_crate_root_reexports_by_module() {
    let verdict = tree(&[
        (
            "src/lib.rs",
            "pub mod error;\npub mod model;\npub use error::{Error, Result};\n",
        ),
        (
            "src/model/mod.rs",
            "pub fn f() -> crate::Result<()> { Ok(()) }\n",
        ),
        ("src/error.rs", "use crate::model::Snapshot;\n"),
        (
            "src/main.rs",
            "use k8sops::{cli::Cli, model};\nfn main() -> k8sops::Result<()> { crate::x() }\n",
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        [
            "src/error.rs:1: error (layer 0) uses model (layer 1): crate::model::Snapshot",
            // `cli` is no module of this tree: the path leads nowhere and is not reported.
        ]
    );
    assert_eq!(verdict.cycles.len(), 1, "{verdict}");
    assert_eq!(verdict.cycles[0].modules, ["error", "model"]);
}

#[test]
fn macros_reach_the_crate_through_dollar_crate() {
    let verdict = tree(&[
        ("src/tui/mod.rs", ""),
        (
            "src/model/kinds.rs",
            "macro_rules! kinds {\n    () => { $crate::tui::draw() };\n}\n",
        ),
    ]);
    assert_eq!(
        upward(&verdict),
        ["src/model/kinds.rs:2: model (layer 1) uses tui (layer 6): $crate::tui::draw"]
    );
}

#[test]
fn the_seams_issue_15_names_fail_once_the_command_layer_holds_the_flags() {
    let verdict = tree(&[
        (
            "src/cmd/cli.rs",
            "pub struct Global;\npub struct AuditArgs;\n",
        ),
        ("src/tui/mod.rs", "pub fn run() {}\n"),
        ("src/llm/mod.rs", ""),
        ("src/rca.rs", ""),
        ("src/model/mod.rs", "use crate::ci::CiRuns;\n"),
        ("src/ci/mod.rs", "use crate::model::Snapshot;\n"),
        (
            "src/ci/command.rs",
            "use crate::{llm, rca::DiagnosisList};\n",
        ),
        (
            "src/source/live.rs",
            "impl LiveOptions {\n    fn from_flags(g: &crate::cmd::cli::Global) {}\n}\n",
        ),
        (
            "src/audit.rs",
            "fn query(args: &crate::cmd::cli::AuditArgs) {}\n",
        ),
        ("src/watch/command.rs", "fn run() { crate::tui::run() }\n"),
    ]);
    assert_eq!(
        upward(&verdict),
        [
            "src/audit.rs:1: audit (layer 4) uses cmd (layer 7): crate::cmd::cli::AuditArgs",
            "src/ci/command.rs:1: ci (layer 1) uses llm (layer 4): crate::llm",
            "src/ci/command.rs:1: ci (layer 1) uses rca (layer 3): crate::rca::DiagnosisList",
            "src/source/live.rs:2: source (layer 2) uses cmd (layer 7): crate::cmd::cli::Global",
            "src/watch/command.rs:1: watch (layer 5) uses tui (layer 6): crate::tui::run",
        ]
    );
    assert_eq!(verdict.cycles.len(), 1, "{verdict}");
    assert_eq!(verdict.cycles[0].modules, ["ci", "model"]);
}
