//! Renderers: diagnostics are data (from the compiler); these turn them into text for a
//! person, JSON for machines, SARIF for code scanning, and GitHub workflow annotations.
//! The same renderers serve `lint` and `plan`'s policy diagnostics.

mod github;
mod json;
mod sarif;
mod text;

use std::collections::BTreeMap;
use std::str::FromStr;
use std::sync::{mpsc, Mutex};

use starsnap_compiler::{Diagnostic, LineIndex, Severity};

pub use text::render_text;

/// One input file and what was found in it.
#[derive(Debug)]
pub struct FileReport {
    /// The path as the user gave it (`-` reads as `<stdin>`), with `/` separators.
    pub path: String,
    pub source: String,
    pub diagnostics: Vec<Diagnostic>,
}

impl FileReport {
    pub fn new(
        path: impl Into<String>,
        source: impl Into<String>,
        mut diagnostics: Vec<Diagnostic>,
    ) -> Self {
        fn key(d: &Diagnostic) -> (usize, usize, &str) {
            (d.span.start, d.span.end, d.code.as_str())
        }
        // The lint driver mostly reports in order already: check before sorting.
        if !diagnostics.is_sorted_by(|a, b| key(a) <= key(b)) {
            diagnostics.sort_by(|a, b| key(a).cmp(&key(b)));
        }
        FileReport {
            path: path.into(),
            source: source.into(),
            diagnostics,
        }
    }
}

/// A diagnostic's location, resolved to 1-based lines and character columns.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    pub start_line: usize,
    pub start_col: usize,
    pub end_line: usize,
    pub end_col: usize,
}

pub(crate) fn region(index: &LineIndex, source: &str, d: &Diagnostic) -> Region {
    let s = index.line_col(source, d.span.start);
    let e = index.line_col(source, d.span.end.max(d.span.start));
    Region {
        start_line: s.line,
        start_col: s.col,
        end_line: e.line,
        end_col: e.col,
    }
}

/// Counts by severity over all reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub files: usize,
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
}

pub fn totals(reports: &[FileReport]) -> Totals {
    let mut t = Totals {
        files: reports.len(),
        ..Totals::default()
    };
    for d in reports.iter().flat_map(|r| &r.diagnostics) {
        match d.severity {
            Severity::Error => t.errors += 1,
            Severity::Warning => t.warnings += 1,
            Severity::Info => t.infos += 1,
        }
    }
    t
}

/// Findings rendered per piece of work: big enough that handing it to a thread costs nothing,
/// small enough that the output streams.
pub(crate) const CHUNK: usize = 4096;

/// A file as the renderers see it: its name and the text its findings' spans point into.
#[derive(Clone, Copy, Debug)]
pub struct FileView<'a> {
    pub path: &'a str,
    pub source: &'a str,
}

/// A chunk of one file's findings, rendered.
#[derive(Default)]
pub(crate) struct Rendered {
    pub bytes: Vec<u8>,
}

/// Renders a chunk of one file's findings into `out` (it may take the findings' strings).
pub(crate) type ChunkRenderer<'a> =
    dyn Fn(FileView<'_>, &LineIndex, &mut [Diagnostic], &mut Rendered) + Sync + 'a;

/// Hands a run's findings on: `emit(file, findings)`, the files in order (indexes into the
/// files being rendered), each file's findings sorted; a file may come in several calls.
pub type Producer<'a> = Box<dyn FnOnce(&mut dyn FnMut(usize, Vec<Diagnostic>)) + Send + 'a>;

/// What the findings add up to, counted as they pass.
#[derive(Debug, Default)]
pub(crate) struct Tally {
    pub totals: Totals,
    /// Every code that fired, with the severity of its first finding (SARIF lists those its
    /// rules table lacks).
    pub fired: BTreeMap<String, Severity>,
}

impl Tally {
    fn count(&mut self, ds: &[Diagnostic]) {
        for d in ds {
            match d.severity {
                Severity::Error => self.totals.errors += 1,
                Severity::Warning => self.totals.warnings += 1,
                Severity::Info => self.totals.infos += 1,
            }
            if !self.fired.contains_key(d.code.as_str()) {
                self.fired.insert(d.code.clone(), d.severity);
            }
        }
    }
}

/// Splits `v` into pieces of at most `n` (each piece moved once, not the rest shifted).
fn split_chunks<T>(mut v: Vec<T>, n: usize) -> Vec<Vec<T>> {
    let mut out = Vec::with_capacity(v.len() / n + 1);
    while v.len() > n {
        let at = (v.len() - 1) / n * n;
        out.push(v.split_off(at));
    }
    out.push(v);
    out.reverse();
    out
}

/// The rendering pipeline. `produce` runs on its own thread (for `lint`, the linting itself)
/// and hands findings on as it finds them; they are rendered a chunk at a time on every core
/// while it goes on, and `deliver` gets the rendered chunks in order on the calling thread.
/// The queues are bounded, so a run with hundreds of thousands of findings neither waits for
/// the last one before printing the first nor holds them all in memory.
pub(crate) fn pipeline(
    files: &[FileView<'_>],
    render: &ChunkRenderer<'_>,
    produce: Producer<'_>,
    deliver: &mut dyn FnMut(Rendered),
) -> Tally {
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().min(8));
    let indexes: Vec<std::sync::OnceLock<LineIndex>> =
        files.iter().map(|_| std::sync::OnceLock::new()).collect();
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, usize, Vec<Diagnostic>)>(2 * workers);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::sync_channel::<(usize, Rendered)>(2 * workers);
    std::thread::scope(|scope| {
        let producer = scope.spawn(move || {
            let mut tally = Tally::default();
            tally.totals.files = files.len();
            let mut seq = 0;
            let mut open = true;
            produce(&mut |file, diags| {
                tally.count(&diags);
                if !open || diags.is_empty() || file >= files.len() {
                    return;
                }
                for chunk in split_chunks(diags, CHUNK) {
                    // The receivers are gone only when a renderer failed: stop feeding.
                    open = job_tx.send((seq, file, chunk)).is_ok();
                    seq += 1;
                    if !open {
                        return;
                    }
                }
            });
            tally
        });
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let (job_rx, indexes) = (&job_rx, &indexes);
            scope.spawn(move || loop {
                let job = job_rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
                let Ok((seq, file, mut diags)) = job else {
                    break;
                };
                let view = files[file];
                let index = indexes[file].get_or_init(|| LineIndex::new(view.source));
                let mut out = Rendered::default();
                render(view, index, &mut diags, &mut out);
                if done_tx.send((seq, out)).is_err() {
                    break;
                }
            });
        }
        drop(done_tx);
        let mut next = 0;
        let mut waiting: BTreeMap<usize, Rendered> = BTreeMap::new();
        for (seq, r) in done_rx {
            waiting.insert(seq, r);
            while let Some(r) = waiting.remove(&next) {
                deliver(r);
                next += 1;
            }
        }
        producer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p))
    })
}

/// Pretty-printed JSON (`serde_json`'s format) as if nested `level` levels deep: what
/// `PrettyFormatter` prints for a value at that place in a larger document.
pub(crate) struct Nested {
    level: usize,
    has_value: bool,
}

impl Nested {
    pub fn at(level: usize) -> Self {
        Nested {
            level,
            has_value: false,
        }
    }

    fn indent<W: ?Sized + std::io::Write>(&self, w: &mut W) -> std::io::Result<()> {
        for _ in 0..self.level {
            w.write_all(b"  ")?;
        }
        Ok(())
    }
}

impl Nested {
    fn open<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        self.level += 1;
        self.has_value = false;
        w.write_all(c)
    }

    fn close<W: ?Sized + std::io::Write>(&mut self, w: &mut W, c: &[u8]) -> std::io::Result<()> {
        self.level -= 1;
        if self.has_value {
            w.write_all(b"\n")?;
            self.indent(w)?;
        }
        w.write_all(c)
    }

    fn item<W: ?Sized + std::io::Write>(&mut self, w: &mut W, first: bool) -> std::io::Result<()> {
        w.write_all(if first { b"\n" } else { b",\n" })?;
        self.indent(w)
    }
}

impl serde_json::ser::Formatter for Nested {
    fn begin_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"[")
    }

    fn end_array<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"]")
    }

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn end_array_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }

    fn begin_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.open(w, b"{")
    }

    fn end_object<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        self.close(w, b"}")
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.item(w, first)
    }

    fn begin_object_value<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
        w.write_all(b": ")
    }

    fn end_object_value<W: ?Sized + std::io::Write>(&mut self, _w: &mut W) -> std::io::Result<()> {
        self.has_value = true;
        Ok(())
    }
}

/// Appends `,\n`, the indentation of `level` and `value` pretty-printed at that depth: one
/// item of a large array in a pretty-printed document.
pub(crate) fn json_item_into(buf: &mut Vec<u8>, level: usize, value: &impl serde::Serialize) {
    buf.extend_from_slice(b",\n");
    for _ in 0..level {
        buf.extend_from_slice(b"  ");
    }
    let mut ser = serde_json::Serializer::with_formatter(&mut *buf, Nested::at(level));
    if let Err(e) = value.serialize(&mut ser) {
        buf.extend_from_slice(format!("{{\"error\": \"{e}\"}}").as_bytes());
    }
}

/// A pretty-printed JSON document with one large array, split around that array: `doc` is the
/// whole document with the array empty, `marker` the array's `"key": []` in its printed form.
/// Returns the text up to and including the array's `[`, the text after its `]` (with the
/// trailing newline), and the nesting level of the array's items.
pub(crate) fn split_document(doc: &impl serde::Serialize, marker: &str) -> (String, String, usize) {
    let doc = match serde_json::to_string_pretty(doc) {
        Ok(doc) => doc,
        Err(e) => return (format!("{{\"error\": \"{e}\"}}\n"), String::new(), 0),
    };
    let Some(at) = doc.find(marker) else {
        return (doc + "\n", String::new(), 0);
    };
    let indent = at - doc[..at].rfind('\n').map_or(0, |n| n + 1);
    let head = doc[..at + marker.len() - 1].to_string();
    let tail = doc[at + marker.len() - 1..].to_string() + "\n";
    (head, tail, indent / 2 + 1)
}

/// Writes a document whose large array is rendered a chunk at a time (each item `,\n` +
/// indented value, see [`json_item_into`]): [`ArrayWriter::start`] writes `head` (which ends
/// with the array's `[`), [`ArrayWriter::chunk`] each rendered chunk as it comes,
/// [`ArrayWriter::finish`] the `tail` (which starts with the array's `]`). The bytes are those
/// `serde_json` prints for the whole document at once.
pub(crate) struct ArrayWriter {
    level: usize,
    first: bool,
}

impl ArrayWriter {
    pub fn start(head: &str, level: usize, sink: &mut dyn FnMut(&[u8])) -> Self {
        sink(head.as_bytes());
        ArrayWriter { level, first: true }
    }

    pub fn chunk(&mut self, r: &Rendered, sink: &mut dyn FnMut(&[u8])) {
        if r.bytes.is_empty() {
            return;
        }
        // The first item follows `[` directly, the others a comma.
        sink(&r.bytes[usize::from(self.first)..]);
        self.first = false;
    }

    pub fn finish(self, tail: &str, sink: &mut dyn FnMut(&[u8])) {
        if !self.first {
            sink(b"\n");
            for _ in 0..self.level.saturating_sub(1) {
                sink(b"  ");
            }
        }
        sink(tail.as_bytes());
    }
}

/// What a rule code means, for renderers that describe rules (SARIF lists every code of the
/// table it is given, in order, whether it fired or not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleDoc {
    pub code: String,
    /// kebab-case; policy codes have none.
    pub name: Option<String>,
    pub summary: String,
    /// Policy codes have none: their findings' severities are their own.
    pub default_severity: Option<Severity>,
}

/// Output formats shared by `lint` and `plan` diagnostics.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Sarif,
    Github,
}

impl FromStr for Format {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "github" => Ok(Format::Github),
            other => Err(format!(
                "unknown format '{other}' (expected text, json, sarif or github)"
            )),
        }
    }
}

/// Renders the findings `produce` hands on, for `files`, in `format`, and gives the output to
/// `sink` in pieces: text, GitHub annotations and SARIF results as they are rendered, JSON
/// (whose head holds the totals) once the last finding is in.
/// Linting, rendering and writing overlap; `color` applies to text only. Returns the totals.
pub fn write_stream(
    format: Format,
    files: &[FileView<'_>],
    rules: &[RuleDoc],
    color: bool,
    produce: Producer<'_>,
    sink: &mut dyn FnMut(&[u8]),
) -> Totals {
    match format {
        Format::Text => {
            let render = move |f: FileView<'_>,
                               index: &LineIndex,
                               ds: &mut [Diagnostic],
                               out: &mut Rendered| {
                text::render_chunk(color, f, index, ds, out)
            };
            let tally = pipeline(files, &render, produce, &mut |r| sink(&r.bytes));
            sink(text::summary(&tally.totals).as_bytes());
            tally.totals
        }
        Format::Github => {
            pipeline(files, &github::render_chunk, produce, &mut |r| {
                sink(&r.bytes)
            })
            .totals
        }
        Format::Json => json::write_json_stream(files, produce, sink),
        Format::Sarif => sarif::write_sarif_stream(files, rules, produce, sink),
    }
}

/// The findings of `reports`, handed on as a [`Producer`] would.
fn replay(reports: &[FileReport]) -> (Vec<FileView<'_>>, Producer<'_>) {
    let files = reports
        .iter()
        .map(|r| FileView {
            path: &r.path,
            source: &r.source,
        })
        .collect();
    let produce: Producer<'_> = Box::new(move |emit| {
        for (i, r) in reports.iter().enumerate() {
            if !r.diagnostics.is_empty() {
                emit(i, r.diagnostics.clone());
            }
        }
    });
    (files, produce)
}

/// Renders `reports` in `format` and hands the output to `sink` in pieces (see
/// [`write_stream`]). `color` applies to text only.
pub fn write(
    format: Format,
    reports: &[FileReport],
    rules: &[RuleDoc],
    color: bool,
    sink: &mut dyn FnMut(&[u8]),
) {
    let (files, produce) = replay(reports);
    write_stream(format, &files, rules, color, produce, sink);
}

/// Renders `reports` in `format`. `color` applies to text only.
pub fn render(format: Format, reports: &[FileReport], rules: &[RuleDoc], color: bool) -> String {
    let mut out = Vec::new();
    write(format, reports, rules, color, &mut |piece| {
        out.extend_from_slice(piece)
    });
    String::from_utf8(out).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(test)]
pub(crate) mod fixtures {
    use starsnap_compiler::Label;

    /// Report sets of every shape: many findings, a few, none at all, only clean files.
    pub fn shapes() -> Vec<Vec<FileReport>> {
        vec![many(), reports(), Vec::new(), reports().split_off(1)]
    }

    /// Several files, one with findings over several chunks (some with labels, help and
    /// StarRocks errors), a clean one between: for checking the streamed renderers.
    pub fn many() -> Vec<FileReport> {
        let mut out = reports();
        let line = "BACKUP SNAPSHOT d.s TO r ON (t);\n";
        let n = 2 * super::CHUNK + 7;
        let src = line.repeat(n);
        let mut ds: Vec<Diagnostic> = Vec::new();
        for i in 0..n {
            let at = i * line.len();
            let mut d = Diagnostic::warning(
                "L001",
                Span::new(at, at + 31),
                format!("finding {i} \"q\" \\"),
            );
            if i % 3 == 0 {
                d = d.with_help("rewrite as: BACKUP DATABASE d SNAPSHOT s TO r ON (TABLE t)");
            }
            if i % 5 == 0 {
                d.labels.push(Label {
                    span: Span::new(at + 7, at + 15),
                    message: "here".into(),
                });
            }
            ds.push(d);
        }
        out.insert(1, FileReport::new("big.sql", src, ds));
        out
    }

    use super::FileReport;
    use starsnap_compiler::{Diagnostic, Span, Stage, StarRocksError};

    /// Two files: one with an error and a warning (the error spans two lines), one clean.
    pub fn reports() -> Vec<FileReport> {
        let src = "BACKUP SNAPSHOT s TO r\nPROPERTIES (\"type\" = \"incremental\");\nRESTORE SNAPSHOT d.s FROM r;\n";
        let ty = src.find("\"incremental\"").unwrap_or(0);
        let restore = src.find("RESTORE").unwrap_or(0);
        vec![
            FileReport::new(
                "sql/runbook.sql",
                src,
                vec![
                    Diagnostic::warning(
                        "L003",
                        Span::new(ty, ty + 13),
                        "`type = \"incremental\"` is refused by StarRocks at execution",
                    )
                    .with_help("remove the property: StarRocks takes only full snapshots"),
                    Diagnostic::error(
                        "V201",
                        Span::new(restore, src.len() - 1),
                        "RESTORE needs the `backup_timestamp` property",
                    )
                    .with_help("add PROPERTIES (\"backup_timestamp\" = \"yyyy-MM-dd-HH-mm-ss-SSS\")")
                    .with_starrocks(StarRocksError {
                        code: 5064,
                        sqlstate: "42000".into(),
                        message: "Getting analyzing error. Detail message: Missing backup_timestamp property.".into(),
                        stage: Stage::AnalyzeStatic,
                    }),
                ],
            ),
            FileReport::new("sql/clean.sql", "SHOW BACKUP FROM d;\n", vec![]),
        ]
    }
}
