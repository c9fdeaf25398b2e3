//! Keeps the catalog (with all rows) in `data_dir/catalog.json` so a simulator restarted on
//! the same directory finds its databases again. Writes are atomic (temporary file, then
//! rename). Small catalogs are saved after every change; large ones — many partitions or
//! many rows, where a save takes a
//! noticeable fraction of a second) by [`Engine::flush`](super::Engine::flush), on drop,
//! and about once a second by the [`Simulator`](crate::sim::Simulator)'s flusher thread,
//! so statements never wait for a large save.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use crate::engine::catalog::Catalog;

const FILE: &str = "catalog.json";
/// Catalogs with fewer partitions than this are saved after every change …
const SMALL: usize = 2_000;
/// … when they also hold fewer rows than this: a save writes every row, so saving a table
/// of 365,000 rows after each INSERT made an INSERT cost as much as the table (issue 14).
const SMALL_ROWS: u64 = 20_000;

pub struct Persister {
    dir: PathBuf,
    dirty: AtomicBool,
    last_save: Mutex<Option<Instant>>,
}

impl Persister {
    pub fn open(dir: &Path) -> io::Result<Persister> {
        fs::create_dir_all(dir)?;
        Ok(Persister {
            dir: dir.to_path_buf(),
            dirty: AtomicBool::new(false),
            last_save: Mutex::new(None),
        })
    }

    pub fn path(&self) -> PathBuf {
        self.dir.join(FILE)
    }

    /// The saved catalog, or `None` when nothing was saved yet.
    pub fn load(&self) -> io::Result<Option<Catalog>> {
        let bytes = match fs::read(self.path()) {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        serde_json::from_slice(&bytes).map(Some).map_err(|e| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{}: {e}", self.path().display()),
            )
        })
    }

    pub fn mark_dirty(&self) {
        self.dirty.store(true, Ordering::SeqCst);
    }

    pub fn is_dirty(&self) -> bool {
        self.dirty.load(Ordering::SeqCst)
    }

    /// Whether a dirty catalog should be written right after the statement that changed it.
    pub fn due(&self, catalog: &Catalog) -> bool {
        if !self.is_dirty() {
            return false;
        }
        catalog.partition_count() < SMALL && catalog.row_count() < SMALL_ROWS
    }

    /// Writes the catalog atomically.
    pub fn save(&self, catalog: &Catalog) -> io::Result<()> {
        let mut guard = self.last_save.lock().unwrap_or_else(|p| p.into_inner());
        self.dirty.store(false, Ordering::SeqCst);
        let bytes = serde_json::to_vec(catalog).map_err(io::Error::other)?;
        let tmp = self.dir.join(format!("{FILE}.tmp"));
        fs::write(&tmp, &bytes)?;
        fs::rename(&tmp, self.path())?;
        *guard = Some(Instant::now());
        Ok(())
    }
}
