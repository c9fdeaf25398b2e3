//! MD5 (RFC 1321), only to name repository files as StarRocks does: `__info_<ts>.<md5>` and
//! `__meta.<md5>` carry the hex digest of their content (`Repository.assembleFileNameWithSuffix`).
//! Not used for anything security-related.

/// The lower-case hex MD5 digest of `data` (the `md-5` crate, through `starsnap-repo`, which
/// names repository files the same way).
pub fn hex_digest(data: &[u8]) -> String {
    starsnap_repo::layout::md5_hex(data)
}

#[cfg(test)]
mod tests {
    use super::hex_digest;

    #[test]
    fn rfc_1321_vectors() {
        assert_eq!(hex_digest(b""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(hex_digest(b"abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            hex_digest(
                b"12345678901234567890123456789012345678901234567890123456789012345678901234567890"
            ),
            "57edf4a22be3c955ac49da2e2107b67a"
        );
    }
}
