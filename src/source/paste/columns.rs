//! Reading rows of a column-aligned table (kubectl's tabwriter output: `get` tables, event
//! tables, describe's `Conditions:`) by the header's column positions, with a fallback for
//! rows whose spacing a chat client collapsed.

/// A header's columns: names (which may hold one space, `LAST SEEN`) and start offsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub names: Vec<String>,
    starts: Vec<usize>,
}

impl Columns {
    /// Columns are separated by two or more spaces (tabwriter pads by at least two).
    pub fn parse(header: &str) -> Columns {
        let mut names = Vec::new();
        let mut starts = Vec::new();
        let bytes = header.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b' ' {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len()
                && !(bytes[i] == b' ' && bytes.get(i + 1).is_none_or(|b| *b == b' '))
            {
                i += 1;
            }
            starts.push(start);
            names.push(header[start..i].to_string());
        }
        Columns { names, starts }
    }

    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// The cells of `row`. Aligned rows are cut at the header's offsets (so empty cells and
    /// cells with spaces survive); others are split at runs of two or more spaces.
    pub fn cells(&self, row: &str) -> Vec<String> {
        if self.aligned(row) {
            let mut cells = Vec::with_capacity(self.starts.len());
            for (i, start) in self.starts.iter().enumerate() {
                let end = self.starts.get(i + 1).copied().unwrap_or(row.len());
                let cell = row.get(*start..end.min(row.len())).unwrap_or("");
                cells.push(cell.trim().to_string());
            }
            return cells;
        }
        let mut cells: Vec<String> = row
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect();
        // Extra cells belong to the last column (a message with double spaces).
        if cells.len() > self.names.len() && !self.names.is_empty() {
            let rest = cells.split_off(self.names.len() - 1).join("  ");
            cells.push(rest);
        }
        cells
    }

    /// Every column starts on a character boundary after a space (or the line start), and
    /// the row reaches the last column.
    fn aligned(&self, row: &str) -> bool {
        let bytes = row.as_bytes();
        let Some(last) = self.starts.last() else {
            return false;
        };
        if bytes.len() < *last {
            return false;
        }
        self.starts.iter().all(|&s| {
            let after_space = s == 0 || bytes.get(s - 1) == Some(&b' ');
            let filled = bytes.get(s).is_some_and(|b| *b != b' ');
            row.is_char_boundary(s) && after_space && (filled || self.may_be_empty(s))
        })
    }

    /// A column other than the first may be empty in a row (an event without a SUBOBJECT).
    fn may_be_empty(&self, start: usize) -> bool {
        start != self.starts[0]
    }
}

/// Whether a line looks like a table header: upper-case column names (with `-`, `(`, `)`
/// and single spaces), two or more columns.
pub fn is_header(line: &str) -> bool {
    let columns = Columns::parse(line.trim_end());
    columns.names.len() >= 2
        && columns.names.iter().all(|n| {
            n.chars()
                .all(|c| c.is_ascii_uppercase() || matches!(c, '-' | '(' | ')' | ' ' | '_'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_rows_keep_empty_cells_and_spaces() {
        let header =
            "LAST SEEN   TYPE      REASON    OBJECT      SUBOBJECT   SOURCE              MESSAGE";
        let row = "17d         Warning   BackOff   pod/web-1               kubelet, worker-1   Back-off restarting";
        let c = Columns::parse(header);
        assert_eq!(c.names[0], "LAST SEEN");
        let cells = c.cells(row);
        assert_eq!(cells[4], "");
        assert_eq!(cells[5], "kubelet, worker-1");
        assert_eq!(cells[6], "Back-off restarting");
        assert!(is_header(header));
        assert!(!is_header("Name:  web"));
    }

    #[test]
    fn collapsed_rows_split_at_double_spaces() {
        let c = Columns::parse("NAME    READY   STATUS    RESTARTS   AGE");
        assert_eq!(
            c.cells("web-1  0/1  CrashLoopBackOff  6 (2m ago)  17d"),
            ["web-1", "0/1", "CrashLoopBackOff", "6 (2m ago)", "17d"]
        );
    }
}
