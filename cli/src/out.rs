//! Writing to stdout without panicking: `print!` panics when the reader goes away
//! (`starsnap rules | head`). A closed pipe ends the process quietly, as Unix tools do.

use std::io::{self, Write};

/// Writes `s` to stdout. On a closed pipe, exits at once with status 0 (nothing more can be
/// said to anyone); other write errors are reported on stderr and exit 1.
pub fn print(s: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(s.as_bytes()).and_then(|()| out.flush()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
        eprintln!("starsnap: cannot write to stdout: {e}");
        std::process::exit(crate::exit::FAILURE);
    }
}
