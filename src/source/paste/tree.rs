//! `kubectl describe`'s indented key/value text as a tree: `Key:  value` lines, children
//! indented under them, value lines continued at the value's column (`Labels:`,
//! `Annotations:`, `Tolerations:`), key-less rows (command words, table rows), and lines at
//! column 0 that continue a multi-line message (`Message:`, an event's text, a line a chat
//! client wrapped).

use super::clean::Line;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Node {
    pub key: String,
    /// The value with continuation lines joined by `\n`.
    pub value: String,
    pub line: usize,
    pub children: Vec<Node>,
    /// Lines without a key: list items and table rows, in order (header rows included).
    pub rows: Vec<String>,
}

impl Node {
    /// The first child named `key`.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.key == key)
    }

    /// Every child named `key` (describe repeats `Port:` for each port of a Service).
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.key == key)
    }

    /// A child's value, `None` when absent or one of kubectl's placeholders.
    pub fn val(&self, key: &str) -> Option<&str> {
        self.get(key).map(|n| n.value.as_str()).filter(|v| known(v))
    }

    /// A child's value lines (`Labels:` continued on several lines), placeholders dropped.
    pub fn lines(&self, key: &str) -> Vec<&str> {
        self.val(key)
            .map(|v| v.lines().map(str::trim).filter(|l| known(l)).collect())
            .unwrap_or_default()
    }
}

/// kubectl's words for "nothing here".
pub fn known(v: &str) -> bool {
    !matches!(v.trim(), "" | "<none>" | "<unset>" | "<nil>" | "<unknown>")
}

/// `Key:` or `Key:  value` when the line is one. Keys are words that may hold spaces,
/// dots, slashes and dashes (`Restart Count`, `nvidia.com/gpu`, `Node-Selectors`), never
/// a value's `:` (`http://:8080`, `node.kubernetes.io/not-ready:NoExecute`).
pub fn key_value(content: &str) -> Option<(&str, &str, usize)> {
    let bytes = content.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b':' {
            let after = bytes.get(i + 1);
            if after.is_none() || after == Some(&b' ') {
                break;
            }
            return None;
        }
        i += 1;
    }
    if i == 0 || i >= bytes.len() {
        return None;
    }
    let key = &content[..i];
    let plausible = key.chars().all(|c| {
        c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | '/' | '(' | ')' | '#' | '\'')
    }) && !key.starts_with(' ')
        && !key.ends_with(' ')
        && !key.contains("  ")
        && key.split(' ').count() <= 8;
    if !plausible {
        return None;
    }
    let rest = &content[i + 1..];
    let value = rest.trim();
    let value_at = i + 1 + (rest.len() - rest.trim_start().len());
    Some((key, value, value_at))
}

/// One parsed line before the tree is built.
struct Entry {
    indent: usize,
    key: Option<String>,
    value: String,
    value_col: usize,
    line: usize,
}

/// Parses the lines of one described object. The root's children are its top-level keys.
pub fn parse(lines: &[Line]) -> Node {
    let mut entries: Vec<Entry> = Vec::new();
    for line in lines {
        if line.is_blank() {
            continue;
        }
        let indent = line.indent();
        let content = line.text.trim();
        if let Some(prev) = entries.last_mut() {
            // Aligned under the previous value: the next line of a multi-line value.
            let continues = prev.key.is_some()
                && !prev.value.is_empty()
                && prev.value_col > prev.indent
                && indent >= prev.value_col;
            // Column 0 without a describe key: the rest of a multi-line message.
            let wrapped = indent == 0 && !top_level_key(content);
            if continues || wrapped {
                prev.value.push('\n');
                prev.value.push_str(content);
                continue;
            }
        }
        match key_value(content) {
            Some((key, value, at)) if indent > 0 || top_level_key(content) => entries.push(Entry {
                indent,
                key: Some(key.to_string()),
                value: value.to_string(),
                value_col: indent + at,
                line: line.no,
            }),
            _ => entries.push(Entry {
                indent,
                key: None,
                value: content.to_string(),
                value_col: 0,
                line: line.no,
            }),
        }
    }
    build(&entries)
}

/// A top-level describe key starts with a capital letter (`Name:`, `Controlled By:`,
/// `Events:`), which log text continuing a message at column 0 rarely does with a colon.
fn top_level_key(content: &str) -> bool {
    content.chars().next().is_some_and(char::is_uppercase) && key_value(content).is_some()
}

fn build(entries: &[Entry]) -> Node {
    let mut root = Node::default();
    // Path of (indent, child index) from the root to the node that takes the next child.
    let mut path: Vec<(usize, usize)> = Vec::new();
    for entry in entries {
        while path
            .last()
            .is_some_and(|(indent, _)| *indent >= entry.indent)
        {
            path.pop();
        }
        let parent = node_at(&mut root, &path);
        match &entry.key {
            Some(key) => {
                parent.children.push(Node {
                    key: key.clone(),
                    value: entry.value.clone(),
                    line: entry.line,
                    ..Node::default()
                });
                path.push((entry.indent, parent.children.len() - 1));
            }
            None => parent.rows.push(entry.value.clone()),
        }
    }
    root
}

fn node_at<'a>(root: &'a mut Node, path: &[(usize, usize)]) -> &'a mut Node {
    let mut node = root;
    for (_, i) in path {
        node = &mut node.children[*i];
    }
    node
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::paste::clean::lines;

    #[test]
    fn values_continue_children_nest_and_messages_wrap() {
        let text = "Name:         web-1\nLabels:       app=web\n              pod-template-hash=7d9f\nContainers:\n  app:\n    State:          Terminated\n      Reason:       Error\n      Message:      first\nsecond line\n      Exit Code:    1\n    Command:\n      python\n      -m\n";
        let root = parse(&lines(text));
        assert_eq!(root.val("Name"), Some("web-1"));
        assert_eq!(root.lines("Labels"), ["app=web", "pod-template-hash=7d9f"]);
        let app = root.get("Containers").and_then(|c| c.get("app")).unwrap();
        let state = app.get("State").unwrap();
        assert_eq!(state.value, "Terminated");
        assert_eq!(state.val("Message"), Some("first\nsecond line"));
        assert_eq!(state.val("Exit Code"), Some("1"));
        assert_eq!(app.get("Command").unwrap().rows, ["python", "-m"]);
    }

    #[test]
    fn colons_inside_values_are_not_keys() {
        assert_eq!(
            key_value("node.kubernetes.io/not-ready:NoExecute op=Exists"),
            None
        );
        assert_eq!(
            key_value("Liveness:   http-get http://:8080/healthz").map(|k| k.0),
            Some("Liveness")
        );
        assert_eq!(
            key_value("Events:").map(|k| (k.0, k.1)),
            Some(("Events", ""))
        );
    }
}
