//! PEM private keys: `-----BEGIN … PRIVATE KEY-----` followed by a base64 body that may be
//! multi-line, `\n`-escaped on one line (JSON, env vars), space-joined, or cut off before
//! its `-----END` line (truncated logs). Header and footer stay; the body is the span, so a
//! multi-line body becomes one placeholder plus its original newlines.

/// Longest body followed, so one unterminated header cannot make the scan quadratic.
const MAX_BODY: usize = 1 << 20;

/// Pushes the body span of every private-key header starting in `text[from..to]`.
pub(crate) fn find(text: &str, from: usize, to: usize, out: &mut Vec<(usize, usize)>) {
    const BEGIN: &str = "-----BEGIN ";
    let mut pos = from;
    while pos < to {
        let Some(rel) = text.get(pos..to).and_then(|w| w.find(BEGIN)) else {
            return;
        };
        let start = pos + rel;
        pos = start + BEGIN.len();
        if let Some(body_from) = header_end(text, pos)
            && let Some(span) = body(text, body_from)
        {
            out.push(span);
        }
    }
}

/// End of `[A-Z0-9 ]*PRIVATE KEY( BLOCK)?-----` starting at `i`, if it is one.
fn header_end(text: &str, i: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let label_len = bytes
        .get(i..)?
        .iter()
        .take(40)
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b' ')
        .count();
    let label = text.get(i..i + label_len)?;
    let key_at = label.find("PRIVATE KEY")?;
    let mut j = i + key_at + "PRIVATE KEY".len();
    let rest = text.get(j..)?;
    if rest.starts_with(" BLOCK") {
        j += " BLOCK".len();
    }
    text.get(j..)?.starts_with("-----").then_some(j + 5)
}

fn is_b64(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'+' || b == b'/' || b == b'='
}

/// Does the line starting at `i` continue a body (base64, an RFC 1421 header, blank, or
/// the footer)?
fn line_continues(text: &str, i: usize) -> bool {
    let line = text
        .get(i..)
        .map_or("", |r| r.split('\n').next().unwrap_or(""));
    let t = line.trim();
    t.is_empty()
        || t.starts_with("-----END")
        || t.starts_with("Proc-Type:")
        || t.starts_with("DEK-Info:")
        || t.bytes().all(is_b64)
}

/// The body span after a header ending at `h`.
fn body(text: &str, h: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    let limit = bytes.len().min(h.saturating_add(MAX_BODY));
    let (mut first, mut last) = (None, h);
    let mut i = h;
    while i < limit {
        if bytes[i] == b'-' && text.get(i..).is_some_and(|r| r.starts_with("-----END")) {
            break;
        }
        match bytes[i] {
            b'\n' => {
                if !line_continues(text, i + 1) {
                    break;
                }
                i += 1;
            }
            b'\\' if matches!(bytes.get(i + 1), Some(b'n' | b'r')) => i += 2,
            b' ' | b'\t' | b'\r' => i += 1,
            b if is_b64(b) || matches!(b, b':' | b',' | b'-') => {
                first.get_or_insert(i);
                i += 1;
                last = i;
            }
            _ => break,
        }
    }
    first.map(|f| (f, last))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        find(text, 0, text.len(), &mut out);
        out.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn multi_line_escaped_and_unterminated() {
        let ml = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJB\nAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----\nnext";
        assert_eq!(spans(ml), vec!["MIIBOgIBAAJB\nAKj34GkxFhD9"]);
        let esc = r#"{"k":"-----BEGIN PRIVATE KEY-----\nMIIEvQIBADAN\nBgkqhkiG9w0B\n-----END PRIVATE KEY-----\n"}"#;
        assert_eq!(spans(esc), vec![r"MIIEvQIBADAN\nBgkqhkiG9w0B"]);
        let cut = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\nI0410 12:00:01 started server";
        assert_eq!(spans(cut), vec!["b3BlbnNzaC1rZXktdjEAAAAA"]);
        assert!(spans("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----").is_empty());
    }
}
