//! Card keys at rest: AES-256-GCM under a data key per merchant, each data
//! key wrapped (encrypted) by the master key. The master key comes from
//! `TRIGATE_MASTER_KEY` (64 hex digits) or a key file created on first start
//! with 0600 permissions. Duplicates are found by a keyed hash (BLAKE3 under
//! a key derived from the data key), never by decrypting. Plain keys and
//! key material are wrapped so they cannot reach a log.

use std::io::Write;
use std::path::Path;

use aes_gcm::aead::{Aead, Generate, Key, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use trigate_core::SealedKey;

const NONCE_LEN: usize = 12;
/// What a wrapped data key is bound to, so it cannot pass for anything else.
const WRAP_AAD: &[u8] = b"trigate data key v1";
const SEAL_AAD: &[u8] = b"trigate card key v1";
const SECOND_FACTOR_AAD: &[u8] = b"trigate second factor v1";
const HASH_CONTEXT: &str = "trigate 2026 card-key duplicate hash v1";
pub const KEY_FILE: &str = "master.key";

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("TRIGATE_MASTER_KEY must be 64 hex digits (32 bytes)")]
    BadEnvKey,
    #[error("the master key file {path} is not 64 hex digits")]
    BadKeyFile { path: String },
    #[error("the master key file {path} can be read by others (mode {mode:o}); make it 0600")]
    KeyFileOpen { path: String, mode: u32 },
    #[error("cannot read or create the master key file {path}: {source}")]
    KeyFile {
        path: String,
        source: std::io::Error,
    },
    #[error("a wrapped data key did not open: wrong master key, or tampered")]
    Unwrap,
    #[error("a sealed card key did not open: wrong data key, or tampered")]
    Open,
}

fn random_key() -> SecretBox<[u8; 32]> {
    let key = Key::<Aes256Gcm>::generate();
    SecretBox::new(Box::new(key.into()))
}

fn parse_hex(text: &str) -> Option<[u8; 32]> {
    let text = text.trim();
    if text.len() != 64 || !text.is_ascii() {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn seal_with(cipher: &Aes256Gcm, aad: &[u8], plain: &[u8]) -> Vec<u8> {
    let nonce = Nonce::generate();
    // Encrypting into a Vec cannot fail for inputs of any sane size.
    let body = cipher
        .encrypt(&nonce, Payload { msg: plain, aad })
        .unwrap_or_default();
    let mut out = Vec::with_capacity(NONCE_LEN + body.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&body);
    out
}

fn open_with(cipher: &Aes256Gcm, aad: &[u8], sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.len() < NONCE_LEN {
        return None;
    }
    let (nonce, body) = sealed.split_at(NONCE_LEN);
    let nonce = Nonce::try_from(nonce).ok()?;
    cipher.decrypt(&nonce, Payload { msg: body, aad }).ok()
}

/// The key that wraps every merchant's data key.
pub struct MasterKey {
    cipher: Aes256Gcm,
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(***)")
    }
}

impl MasterKey {
    fn from_bytes(bytes: &SecretBox<[u8; 32]>) -> Self {
        let key = Key::<Aes256Gcm>::from(*bytes.expose_secret());
        Self {
            cipher: Aes256Gcm::new(&key),
        }
    }

    /// From `env` (the value of `TRIGATE_MASTER_KEY`) if set, else from the
    /// key file in `dir`, created with fresh random bytes (mode 0600) if it
    /// does not exist yet.
    pub fn load(env: Option<&str>, dir: &Path) -> Result<Self, SecretError> {
        if let Some(value) = env.filter(|v| !v.is_empty()) {
            let bytes = parse_hex(value).ok_or(SecretError::BadEnvKey)?;
            return Ok(Self::from_bytes(&SecretBox::new(Box::new(bytes))));
        }
        let path = dir.join(KEY_FILE);
        let shown = path.display().to_string();
        let io = |source| SecretError::KeyFile {
            path: shown.clone(),
            source,
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                check_private(&path).map_err(io)?.map_or(Ok(()), |mode| {
                    Err(SecretError::KeyFileOpen {
                        path: shown.clone(),
                        mode,
                    })
                })?;
                let bytes = SecretBox::new(Box::new(parse_hex(&text).ok_or_else(|| {
                    SecretError::BadKeyFile {
                        path: shown.clone(),
                    }
                })?));
                Ok(Self::from_bytes(&bytes))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                std::fs::create_dir_all(dir).map_err(io)?;
                let key = random_key();
                let mut file = private_file(&path).map_err(io)?;
                let text = SecretString::from(hex(key.expose_secret()));
                file.write_all(text.expose_secret().as_bytes())
                    .and_then(|()| file.sync_all())
                    .map_err(io)?;
                Ok(Self::from_bytes(&key))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// Seals a small secret (a TOTP seed) for storing.
    pub fn seal_secret(&self, secret: &SecretBox<Vec<u8>>) -> Vec<u8> {
        seal_with(&self.cipher, SECOND_FACTOR_AAD, secret.expose_secret())
    }

    /// Opens a secret sealed by [`Self::seal_secret`].
    pub fn open_secret(&self, sealed: &[u8]) -> Result<SecretBox<Vec<u8>>, SecretError> {
        open_with(&self.cipher, SECOND_FACTOR_AAD, sealed)
            .map(|v| SecretBox::new(Box::new(v)))
            .ok_or(SecretError::Unwrap)
    }

    /// A fresh data key for a merchant, and its wrapped form to store.
    pub fn new_data_key(&self) -> (DataKey, Vec<u8>) {
        let key = random_key();
        let wrapped = seal_with(&self.cipher, WRAP_AAD, key.expose_secret());
        (DataKey::from_bytes(&key), wrapped)
    }

    /// Opens a stored (wrapped) data key.
    pub fn unwrap_key(&self, wrapped: &[u8]) -> Result<DataKey, SecretError> {
        let plain = open_with(&self.cipher, WRAP_AAD, wrapped).ok_or(SecretError::Unwrap)?;
        let bytes: [u8; 32] = plain
            .as_slice()
            .try_into()
            .map_err(|_| SecretError::Unwrap)?;
        Ok(DataKey::from_bytes(&SecretBox::new(Box::new(bytes))))
    }
}

#[cfg(unix)]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn private_file(path: &Path) -> std::io::Result<std::fs::File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// The file's mode if others than its owner may read it.
#[cfg(unix)]
fn check_private(path: &Path) -> std::io::Result<Option<u32>> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    Ok((mode & 0o077 != 0).then_some(mode))
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> std::io::Result<Option<u32>> {
    Ok(None)
}

/// One merchant's data key: seals and opens its card keys.
pub struct DataKey {
    cipher: Aes256Gcm,
    hash_key: SecretBox<[u8; 32]>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(***)")
    }
}

impl DataKey {
    fn from_bytes(bytes: &SecretBox<[u8; 32]>) -> Self {
        let key = Key::<Aes256Gcm>::from(*bytes.expose_secret());
        Self {
            cipher: Aes256Gcm::new(&key),
            hash_key: SecretBox::new(Box::new(blake3::derive_key(
                HASH_CONTEXT,
                bytes.expose_secret(),
            ))),
        }
    }

    /// Encrypts a card key; the same key always gets the same hash (for
    /// finding duplicates) and a different ciphertext (a fresh nonce).
    pub fn seal(&self, plain: &SecretString) -> SealedKey {
        let text = plain.expose_secret().as_bytes();
        SealedKey {
            hash: *blake3::keyed_hash(self.hash_key.expose_secret(), text).as_bytes(),
            sealed: seal_with(&self.cipher, SEAL_AAD, text),
        }
    }

    /// Decrypts a card key for delivery.
    pub fn open(&self, sealed: &SealedKey) -> Result<SecretString, SecretError> {
        let plain = open_with(&self.cipher, SEAL_AAD, &sealed.sealed).ok_or(SecretError::Open)?;
        let text = String::from_utf8(plain).map_err(|_| SecretError::Open)?;
        Ok(SecretString::from(text))
    }

    /// Parses pasted text or CSV and seals every usable line, for an
    /// `ImportKeys` command; each plain key is wrapped as soon as it is read.
    pub fn seal_import(
        &self,
        text: &str,
        csv: bool,
        max_len: usize,
    ) -> (Vec<SealedKey>, Vec<trigate_core::InvalidLine>) {
        let (keys, invalid) = trigate_core::parse_key_lines(text, csv, max_len);
        let sealed = keys
            .into_iter()
            .map(|k| self.seal(&SecretString::from(k)))
            .collect();
        (sealed, invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn master() -> MasterKey {
        MasterKey::load(Some(&"ab".repeat(32)), Path::new("/nonexistent")).unwrap()
    }

    #[test]
    fn sealed_key_opens_to_its_text_with_a_stable_hash() {
        let (key, _) = master().new_data_key();
        let plain = SecretString::from("AAAA-BBBB-CCCC".to_string());
        let a = key.seal(&plain);
        let b = key.seal(&plain);
        assert_eq!(a.hash, b.hash, "duplicates are found by hash");
        assert_ne!(a.sealed, b.sealed, "each seal has a fresh nonce");
        assert!(
            !a.sealed.windows(4).any(|w| w == b"AAAA"),
            "no plain text at rest"
        );
        assert_eq!(key.open(&a).unwrap().expose_secret(), "AAAA-BBBB-CCCC");
    }

    #[test]
    fn tampered_or_foreign_ciphertext_does_not_open() {
        let m = master();
        let (key, _) = m.new_data_key();
        let (other, _) = m.new_data_key();
        let mut sealed = key.seal(&SecretString::from("K".to_string()));
        assert!(other.open(&sealed).is_err());
        let last = sealed.sealed.len() - 1;
        sealed.sealed[last] ^= 1;
        assert!(key.open(&sealed).is_err());
    }

    #[test]
    fn data_key_survives_wrapping_and_only_its_master_unwraps_it() {
        let m = master();
        let (key, wrapped) = m.new_data_key();
        let sealed = key.seal(&SecretString::from("K-1".to_string()));
        let again = m.unwrap_key(&wrapped).unwrap();
        assert_eq!(again.open(&sealed).unwrap().expose_secret(), "K-1");
        let stranger = MasterKey::load(Some(&"cd".repeat(32)), Path::new("/x")).unwrap();
        assert!(stranger.unwrap_key(&wrapped).is_err());
    }

    #[test]
    fn master_key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = MasterKey::load(None, dir.path()).unwrap();
        let (key, wrapped) = first.new_data_key();
        let sealed = key.seal(&SecretString::from("K".to_string()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let second = MasterKey::load(None, dir.path()).unwrap();
        assert_eq!(
            second
                .unwrap_key(&wrapped)
                .unwrap()
                .open(&sealed)
                .unwrap()
                .expose_secret(),
            "K"
        );
    }

    #[cfg(unix)]
    #[test]
    fn master_key_file_readable_by_others_is_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        MasterKey::load(None, dir.path()).unwrap();
        let path = dir.path().join(KEY_FILE);
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        assert!(matches!(
            MasterKey::load(None, dir.path()),
            Err(SecretError::KeyFileOpen { mode: 0o644, .. })
        ));
    }

    #[test]
    fn malformed_env_key_is_a_clear_error() {
        for bad in ["abc", &"zz".repeat(32), &"ab".repeat(33)] {
            assert!(matches!(
                MasterKey::load(Some(bad), Path::new("/x")),
                Err(SecretError::BadEnvKey)
            ));
        }
    }

    #[test]
    fn secrets_never_show_in_debug_output() {
        let m = master();
        let (key, _) = m.new_data_key();
        let plain = SecretString::from("TOP-SECRET-KEY".to_string());
        let shown = format!("{m:?} {key:?} {plain:?} {:?}", key.seal(&plain));
        assert!(!shown.contains("TOP-SECRET"), "{shown}");
        assert!(!shown.contains("abab"), "{shown}");
    }

    #[test]
    fn import_seals_usable_lines_and_reports_the_rest() {
        let (key, _) = master().new_data_key();
        let (sealed, invalid) = key.seal_import("K1\n\nK2\nK1\n", false, 64);
        assert_eq!(sealed.len(), 3);
        assert_eq!(sealed[0].hash, sealed[2].hash);
        assert_eq!(invalid.len(), 1);
    }
}
