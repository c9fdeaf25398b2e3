//! Byte spans and the line/column index used to report them.
//!
//! Spans are half-open byte ranges into the source text. They live in the AST but never take
//! part in equality: two statements that differ only in whitespace compare equal.

use serde::{Deserialize, Serialize};

/// A half-open byte range `[start, end)` into a source text.
///
/// `PartialEq` is deliberately *not* derived on AST nodes through their spans; nodes that
/// carry a span implement equality by ignoring it (see `syntax::ast`).
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }

    pub fn is_empty(self) -> bool {
        self.len() == 0
    }
}

/// Maps byte offsets to 1-based lines and columns.
///
/// Two column conventions exist: starsnap reports 1-based columns counted in characters
/// (what editors show), StarRocks reports 0-based columns counted in characters (ANTLR's
/// `charPositionInLine`). Both are offered.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
}

/// A position in a text: 1-based line, 1-based character column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineCol {
    pub line: usize,
    pub col: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut line_starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i + 1);
            }
        }
        LineIndex { line_starts }
    }

    /// 1-based line and 1-based character column of `offset` (clamped to the text).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let col = text
            .get(start..offset)
            .map(|s| s.chars().count())
            .unwrap_or_else(|| offset - start);
        LineCol {
            line: line + 1,
            col: col + 1,
        }
    }

    /// The text of the 1-based line `line`, without its line terminator.
    pub fn line_text<'a>(&self, text: &'a str, line: usize) -> &'a str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(text.len());
        let s = text.get(start..end).unwrap_or("");
        s.strip_suffix('\r').unwrap_or(s)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_characters_not_bytes() {
        let text = "ab\ncé d\n";
        let idx = LineIndex::new(text);
        assert_eq!(idx.line_col(text, 0), LineCol { line: 1, col: 1 });
        assert_eq!(idx.line_col(text, 3), LineCol { line: 2, col: 1 });
        // 'd' is after 'c', 'é' (2 bytes) and ' '.
        assert_eq!(idx.line_col(text, 7), LineCol { line: 2, col: 4 });
        assert_eq!(idx.line_text(text, 2), "cé d");
        assert_eq!(idx.line_col(text, 1000), LineCol { line: 3, col: 1 });
    }
}
