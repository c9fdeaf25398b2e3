//! `mysql_native_password`: the 20-byte scramble the server sends and the check of the
//! client's answer, `SHA1(password) XOR SHA1(scramble + SHA1(SHA1(password)))`.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

use sha1::{Digest, Sha1};

/// Length of the scramble (auth-plugin-data) in the handshake.
pub const SCRAMBLE_LEN: usize = 20;

/// A fresh scramble from an OS-seeded source (std's `RandomState` keys come from the OS).
/// Bytes are printable ASCII (0x21..=0x7E) so that none is NUL: clients treat the
/// scramble in the handshake as NUL-terminated.
pub fn new_scramble(connection_id: u32) -> [u8; SCRAMBLE_LEN] {
    let state = RandomState::new();
    let mut out = [0u8; SCRAMBLE_LEN];
    for (i, chunk) in out.chunks_mut(8).enumerate() {
        let mut h = state.build_hasher();
        h.write_u32(connection_id);
        h.write_usize(i);
        let word = h.finish().to_le_bytes();
        for (b, w) in chunk.iter_mut().zip(word) {
            *b = 0x21 + w % 94;
        }
    }
    out
}

/// What a client sends for `password` under `scramble` (empty for an empty password).
pub fn native_password_response(password: &[u8], scramble: &[u8]) -> Vec<u8> {
    if password.is_empty() {
        return Vec::new();
    }
    let stage1 = Sha1::digest(password);
    let stage2 = Sha1::digest(stage1);
    let mut h = Sha1::new();
    h.update(scramble);
    h.update(stage2);
    let mix = h.finalize();
    stage1.iter().zip(mix.iter()).map(|(a, b)| a ^ b).collect()
}

/// Whether `response` proves knowledge of `password`. An empty password accepts only an
/// empty response.
pub fn verify_native_password(password: &[u8], scramble: &[u8], response: &[u8]) -> bool {
    if password.is_empty() {
        return response.is_empty();
    }
    let expected = native_password_response(password, scramble);
    // Constant-time comparison is unnecessary for a simulator, but cheap.
    expected.len() == response.len()
        && expected
            .iter()
            .zip(response)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scrambles_are_printable_and_differ() {
        let a = new_scramble(1);
        let b = new_scramble(1);
        assert!(a.iter().all(|&c| (0x21..=0x7E).contains(&c)));
        assert_ne!(a, b);
    }

    #[test]
    fn verifies_only_the_right_password() {
        let s = new_scramble(7);
        let r = native_password_response(b"secret", &s);
        assert_eq!(r.len(), 20);
        assert!(verify_native_password(b"secret", &s, &r));
        assert!(!verify_native_password(b"Secret", &s, &r));
        assert!(!verify_native_password(b"secret", &s, &r[..19]));
        assert!(verify_native_password(b"", &s, b""));
        assert!(!verify_native_password(b"", &s, &r));
        assert!(!verify_native_password(b"secret", &s, b""));
    }
}
