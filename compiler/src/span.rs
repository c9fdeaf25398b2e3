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
///
/// Every lookup costs at most [`CHAR_BLOCK`] bytes of counting whatever the line length: the
/// number of characters before every block of the text is kept, so columns on a 4 MB line
/// do not make a file with a finding per statement quadratic.
#[derive(Clone, Debug)]
pub struct LineIndex {
    /// Byte offset of the start of every line.
    line_starts: Vec<usize>,
    /// `chars_before_block[i]`: characters in the first `i * CHAR_BLOCK` bytes.
    chars_before_block: Vec<usize>,
}

/// The block size of [`LineIndex`]'s character counts.
const CHAR_BLOCK: usize = 1024;

/// Characters in `bytes` of UTF-8 (cut anywhere): the bytes that do not continue a character.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
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
        let mut chars_before_block = Vec::with_capacity(text.len() / CHAR_BLOCK + 1);
        let mut total = 0;
        chars_before_block.push(0);
        for block in text.as_bytes().chunks(CHAR_BLOCK) {
            total += count_chars(block);
            chars_before_block.push(total);
        }
        LineIndex {
            line_starts,
            chars_before_block,
        }
    }

    /// Characters in `text[..offset]` (`offset` within the text the index was built from).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let block = offset / CHAR_BLOCK;
        let counted = self.chars_before_block.get(block).copied().unwrap_or(0);
        let rest = text
            .as_bytes()
            .get(block * CHAR_BLOCK..offset)
            .unwrap_or(&[]);
        counted + count_chars(rest)
    }

    /// The byte range of the 1-based line `line`, without its line feed (empty if none).
    pub fn line_range(&self, text: &str, line: usize) -> std::ops::Range<usize> {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return text.len()..text.len();
        };
        let end = self
            .line_starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(text.len());
        start..end.max(start)
    }

    /// 1-based line and 1-based character column of `offset` (clamped to the text).
    pub fn line_col(&self, text: &str, offset: usize) -> LineCol {
        let offset = offset.min(text.len());
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts.get(line).copied().unwrap_or(0).min(offset);
        // A short distance is counted directly (one pass over the line's start, the common
        // case); a long one through the block counts, so one long line stays linear.
        let col = match text.as_bytes().get(start..offset) {
            Some(head) if head.len() <= 2 * CHAR_BLOCK => count_chars(head),
            _ => self.chars_before(text, offset) - self.chars_before(text, start),
        };
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

/// [`LineIndex::line_col`] of increasing offsets into one text from some offset on, counted
/// on the way: no index of the whole text is built, and the cost is the distance covered.
/// Lines count from the line holding the start (its line 1), so that pieces of a text can
/// be counted apart: add the line feeds before the start for the text's own line numbers.
/// Columns are the text's own.
#[derive(Clone, Debug)]
pub struct LineCursor<'a> {
    text: &'a str,
    /// Where counting started.
    origin: usize,
    /// Counted up to here.
    pos: usize,
    /// Line feeds in `text[origin..pos]`.
    line: usize,
    /// Where the line holding `pos` starts.
    line_start: usize,
    /// Characters in `text[line_start..pos]`.
    chars: usize,
}

impl<'a> LineCursor<'a> {
    /// Counting from `origin` (clamped to the text).
    pub fn at(text: &'a str, origin: usize) -> Self {
        let bytes = text.as_bytes();
        let origin = origin.min(bytes.len());
        let line_start = bytes[..origin]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        LineCursor {
            text,
            origin,
            pos: origin,
            line: 0,
            line_start,
            chars: count_chars(&bytes[line_start..origin]),
        }
    }

    /// 1-based line (counted from the start's line) and 1-based character column of
    /// `offset`, clamped to the text and to the start. An offset before the previous one
    /// counts again from the start.
    pub fn line_col(&mut self, offset: usize) -> LineCol {
        let bytes = self.text.as_bytes();
        let offset = offset.clamp(self.origin, bytes.len());
        if offset < self.pos {
            *self = LineCursor::at(self.text, self.origin);
        }
        let seg = &bytes[self.pos..offset];
        match seg.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.line += count_lines(seg);
                self.line_start = self.pos + last + 1;
                self.chars = count_chars(&bytes[self.line_start..offset]);
            }
            None => self.chars += count_chars(seg),
        }
        self.pos = offset;
        LineCol {
            line: self.line + 1,
            col: self.chars + 1,
        }
    }
}

/// Line feeds in `bytes`.
pub fn count_lines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
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
        assert_eq!(idx.line_range(text, 2), 3..8);
        assert_eq!(idx.line_range(text, 9), 9..9);
    }

    /// The cursor answers what the index answers (lines counted from its start), for
    /// increasing and decreasing offsets.
    #[test]
    fn line_cursor_agrees_with_the_index() {
        let text = "ab\ncé d\n\n\u{1F600}x\r\ny".repeat(50);
        let idx = LineIndex::new(&text);
        let offsets: Vec<usize> = text.char_indices().map(|(i, _)| i).step_by(3).collect();
        for origin in [0, 1, 3, 4, 40] {
            let mut cur = LineCursor::at(&text, origin);
            let before = count_lines(&text.as_bytes()[..origin]);
            let far = [text.len(), text.len() + 5, 0, origin + 7];
            for &o in offsets.iter().chain(far.iter()) {
                let mut want = idx.line_col(&text, o.max(origin));
                want.line -= before;
                assert_eq!(cur.line_col(o), want, "offset {o} from {origin}");
            }
        }
    }

    /// The block counts give what counting from the line start gives, across block edges.
    #[test]
    fn block_counts_agree_with_counting_from_the_line_start() {
        let unit = "ab\u{e9}\u{1F600}c\n\u{4e2d}";
        let long_line = "x\u{e9}".repeat(3000);
        for text in [
            unit.repeat(700),
            long_line,
            format!("{}\n{}", "\u{e9}".repeat(1500), "y".repeat(5000)),
        ] {
            let idx = LineIndex::new(&text);
            for (offset, _) in text.char_indices().step_by(7) {
                let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
                let want = text[line_start..offset].chars().count() + 1;
                assert_eq!(idx.line_col(&text, offset).col, want, "offset {offset}");
            }
        }
    }
}
