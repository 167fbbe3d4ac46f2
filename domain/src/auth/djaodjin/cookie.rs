//! The proxy's encrypted cookie: `base64("Salted__" + salt + AES-256-CBC(json))`, the format of
//! `openssl enc -aes-256-cbc -a` with the key and IV from OpenSSL's `EVP_BytesToKey` (MD5, one
//! round) over the shared secret and the 8-byte salt. There is no MAC: anyone can alter the
//! ciphertext, so every failure must look the same to the sender (see `ProxySessions::session`).

use aes::cipher::{block_padding::Pkcs7, BlockDecryptMut, BlockEncryptMut, KeyIvInit};
use base64::{engine::general_purpose::STANDARD, Engine};
use md5::{Digest, Md5};

type Decryptor = cbc::Decryptor<aes::Aes256>;

const MAGIC: &[u8; 8] = b"Salted__";
const SALT_LEN: usize = 8;
const BLOCK: usize = 16;

/// The plain text of a sealed cookie value; `None` for anything that is not one sealed with
/// this secret (bad base64, no salt, a ciphertext of the wrong length, bad padding).
pub(super) fn open(sealed: &str, secret: &[u8]) -> Option<Vec<u8>> {
    let raw = STANDARD.decode(sealed).ok()?;
    let rest = raw.strip_prefix(MAGIC)?;
    if rest.len() < SALT_LEN + BLOCK {
        return None;
    }
    let (salt, ciphertext) = rest.split_at(SALT_LEN);
    let (key, iv) = key_and_iv(secret, salt);
    Decryptor::new(&key.into(), &iv.into()).decrypt_padded_vec_mut::<Pkcs7>(ciphertext).ok()
}

/// `plain` sealed as the proxy seals a session, with a fresh random salt.
pub(super) fn seal(plain: &[u8], secret: &[u8]) -> String {
    let salt: [u8; SALT_LEN] = rand::random();
    let (key, iv) = key_and_iv(secret, &salt);
    let ciphertext =
        cbc::Encryptor::<aes::Aes256>::new(&key.into(), &iv.into()).encrypt_padded_vec_mut::<Pkcs7>(plain);
    STANDARD.encode([MAGIC.as_slice(), &salt, &ciphertext].concat())
}

/// `EVP_BytesToKey(MD5, count = 1)`: digests of `previous + secret + salt`, chained until
/// there are 32 bytes of key and 16 of IV.
fn key_and_iv(secret: &[u8], salt: &[u8]) -> ([u8; 32], [u8; BLOCK]) {
    let mut material = Vec::with_capacity(48);
    let mut previous: &[u8] = &[];
    let mut digest;
    while material.len() < 48 {
        digest = Md5::new().chain_update(previous).chain_update(secret).chain_update(salt).finalize();
        material.extend_from_slice(&digest);
        previous = &material[material.len() - digest.len()..];
    }
    let mut key = [0; 32];
    let mut iv = [0; BLOCK];
    key.copy_from_slice(&material[..32]);
    iv.copy_from_slice(&material[32..48]);
    (key, iv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn openssl_key_derivation() {
        // What `openssl enc -aes-256-cbc -k secret -S 0102030405060708 -P -md md5` prints.
        let (key, iv) = key_and_iv(b"secret", &[1, 2, 3, 4, 5, 6, 7, 8]);
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
        assert_eq!(hex(&key), "C9E5A1BD216DBE1317E230CEF48F38EE7F0E17AD64022144BCCEC4A1AA2879AB");
        assert_eq!(hex(&iv), "E24B32BBBC4EF02ECBCB6576523AD893");
    }

    #[test]
    fn sealed_text_opens_and_tampering_is_refused() {
        let secret = b"0123456789abcdef0123456789abcdef";
        let sealed = seal(br#"{"username":"ada"}"#, secret);
        assert_eq!(open(&sealed, secret).unwrap(), br#"{"username":"ada"}"#);
        assert_eq!(open(&sealed, b"another secret, another secret!!"), None);
        assert_eq!(open("not base64!", secret), None);
        assert_eq!(open(&STANDARD.encode(b"Salted__12345678"), secret), None, "no ciphertext");
    }
}
