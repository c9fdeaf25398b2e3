//! The `starsnap` binary: a thin argument layer over the compiler and runtime crates.

mod render;

fn main() {
    std::process::exit(64);
}
