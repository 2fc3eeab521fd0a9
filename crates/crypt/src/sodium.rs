//! The chunk cipher through libsodium (`sodium` feature): the same XSalsa20-Poly1305 secretbox,
//! byte for byte, with libsodium's SIMD Salsa20 — about twice the RustCrypto crates' speed on
//! x86-64, which is most of an encrypted backup's extra CPU. `None` when libsodium could not
//! be initialised; the caller then uses the RustCrypto code.
#![allow(unsafe_code)]

use std::sync::OnceLock;

fn ready() -> bool {
    static READY: OnceLock<bool> = OnceLock::new();
    // SAFETY: sodium_init takes no arguments, is safe to call from any thread and more than
    // once; it returns 0 (done) or 1 (already done), -1 on failure.
    *READY.get_or_init(|| unsafe { libsodium_sys::sodium_init() } >= 0)
}

/// `plain` sealed under `key` and `nonce`: the 16-byte tag, then the ciphertext.
pub(crate) fn seal(key: &[u8; 32], nonce: &[u8; 24], plain: &[u8]) -> Option<Vec<u8>> {
    if !ready() {
        return None;
    }
    let mut out = vec![0u8; plain.len() + libsodium_sys::crypto_secretbox_MACBYTES as usize];
    // SAFETY: `out` has room for the tag and the message; the key is 32 bytes and the nonce 24,
    // as crypto_secretbox_easy reads; the message pointer and length describe `plain`.
    let r = unsafe {
        libsodium_sys::crypto_secretbox_easy(
            out.as_mut_ptr(),
            plain.as_ptr(),
            plain.len() as u64,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    (r == 0).then_some(out)
}

/// `sealed` (tag, then ciphertext) opened: `Some(None)` when it does not authenticate.
pub(crate) fn open(key: &[u8; 32], nonce: &[u8; 24], sealed: &[u8]) -> Option<Option<Vec<u8>>> {
    let tag = libsodium_sys::crypto_secretbox_MACBYTES as usize;
    if !ready() || sealed.len() < tag {
        return None;
    }
    let mut out = vec![0u8; sealed.len() - tag];
    // SAFETY: `out` has room for the message (the sealed length less the tag); the key is 32
    // bytes and the nonce 24; the input pointer and length describe `sealed`.
    let r = unsafe {
        libsodium_sys::crypto_secretbox_open_easy(
            out.as_mut_ptr(),
            sealed.as_ptr(),
            sealed.len() as u64,
            nonce.as_ptr(),
            key.as_ptr(),
        )
    };
    Some((r == 0).then_some(out))
}
