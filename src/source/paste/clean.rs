//! What chat clients, terminals and tickets do to kubectl's output, undone before parsing:
//! CRLF line ends, ANSI colours, tabs, Markdown fences and `>` quotes, the indentation a
//! client adds to every line, and shell prompts in front of the `kubectl` command.

/// One line of the paste, cleaned, with its 1-based number in the original text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub no: usize,
    pub text: String,
}

impl Line {
    pub fn indent(&self) -> usize {
        self.text.len() - self.text.trim_start_matches(' ').len()
    }

    pub fn is_blank(&self) -> bool {
        self.text.trim().is_empty()
    }
}

/// The cleaned lines of `text`. Bytes that are not UTF-8 become U+FFFD, as a terminal
/// shows them.
pub fn lines(text: &str) -> Vec<Line> {
    let mut out: Vec<Line> = text
        .split('\n')
        .enumerate()
        .filter_map(|(i, raw)| {
            let line = printable(&strip_ansi(raw.trim_end_matches('\r')));
            // Markdown code fences around a paste carry nothing.
            (!line.trim_start().starts_with("```")).then_some(Line {
                no: i + 1,
                text: line.trim_end().to_string(),
            })
        })
        .collect();
    while out.last().is_some_and(Line::is_blank) {
        out.pop();
    }
    unquote(&mut out);
    dedent(&mut out);
    out
}

/// Removes CSI (`ESC [ … final`), OSC (`ESC ] … BEL` or `ESC \`) and two-byte escapes.
fn strip_ansi(s: &str) -> String {
    if !s.contains('\u{1b}') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('[') => {
                for c in chars.by_ref() {
                    if ('\u{40}'..='\u{7e}').contains(&c) {
                        break;
                    }
                }
            }
            Some(']') => {
                while let Some(c) = chars.next() {
                    if c == '\u{7}' {
                        break;
                    }
                    if c == '\u{1b}' && chars.peek() == Some(&'\\') {
                        chars.next();
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// Tabs to the next multiple of 8 (as a terminal shows them), other control characters
/// dropped.
fn printable(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut column = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let pad = 8 - column % 8;
                out.extend(std::iter::repeat_n(' ', pad));
                column += pad;
            }
            c if c.is_control() => {}
            // Non-breaking spaces come from web chat clients' rendering of indentation.
            '\u{a0}' => {
                out.push(' ');
                column += 1;
            }
            c => {
                out.push(c);
                column += 1;
            }
        }
    }
    out
}

/// A paste quoted as a whole (`> ` on every non-blank line) is unquoted.
fn unquote(lines: &mut [Line]) {
    let quoted = lines
        .iter()
        .filter(|l| !l.is_blank())
        .all(|l| l.text.trim_start().starts_with('>'))
        && lines.iter().any(|l| !l.is_blank());
    if !quoted {
        return;
    }
    for line in lines.iter_mut() {
        let rest = line.text.trim_start();
        if let Some(rest) = rest.strip_prefix('>') {
            line.text = rest.strip_prefix(' ').unwrap_or(rest).to_string();
        }
    }
}

/// kubectl starts every object and table at column 0; indentation shared by every line
/// came from the client, and goes.
fn dedent(lines: &mut [Line]) {
    let Some(common) = lines
        .iter()
        .filter(|l| !l.is_blank())
        .map(Line::indent)
        .min()
    else {
        return;
    };
    if common == 0 {
        return;
    }
    for line in lines.iter_mut() {
        if line.is_blank() {
            line.text.clear();
        } else {
            line.text.drain(..common);
        }
    }
}

/// The words of a `kubectl` command when the line is one, behind any shell prompt
/// (`$ `, `user@host:~/src$ `, `% `, `# `, `❯ `, `PS C:\> `).
pub fn command(line: &str) -> Option<Vec<String>> {
    let trimmed = line.trim();
    let at = if trimmed.starts_with("kubectl ") {
        0
    } else {
        let i = trimmed.find(" kubectl ")?;
        let prompt = trimmed[..i].trim_end();
        let ends_like_a_prompt = ['$', '#', '%', '>', '❯', '➜', '»']
            .iter()
            .any(|p| prompt.ends_with(*p));
        if !ends_like_a_prompt || prompt.chars().count() > 80 {
            return None;
        }
        i + 1
    };
    let words: Vec<String> = trimmed[at..]
        .split_whitespace()
        .map(|w| w.trim_matches(['\'', '"']).to_string())
        .collect();
    // `kubectl ... | grep x`: the pipe and what follows do not change what kubectl printed
    // in a way the reader can undo.
    let end = words.iter().position(|w| w == "|").unwrap_or(words.len());
    Some(words[..end].to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_crlf_quotes_and_client_indentation_go() {
        let text = "> \u{1b}[1mName:\u{1b}[0m   web\r\n>   Namespace:  shop\r\n";
        let got: Vec<String> = lines(text).into_iter().map(|l| l.text).collect();
        assert_eq!(got, ["Name:   web", "  Namespace:  shop"]);
        let text = "    Name:  web\n    Labels:  app=web\n";
        let got: Vec<String> = lines(text).into_iter().map(|l| l.text).collect();
        assert_eq!(got, ["Name:  web", "Labels:  app=web"]);
    }

    #[test]
    fn prompts_in_front_of_kubectl_are_commands() {
        assert_eq!(
            command("dev@box:~/src$ kubectl logs web-1 -c app --previous | tail"),
            Some(vec![
                "kubectl".into(),
                "logs".into(),
                "web-1".into(),
                "-c".into(),
                "app".into(),
                "--previous".into()
            ])
        );
        assert_eq!(
            command("PS C:\\> kubectl get pods").map(|w| w.len()),
            Some(3)
        );
        assert_eq!(command("the kubectl docs say so"), None);
    }
}
