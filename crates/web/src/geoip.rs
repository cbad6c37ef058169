//! The IP's country from a MaxMind-format file the operator provides
//! (`[risk] geoip_file`: GeoLite2-Country, GeoIP2-Country or -City, or
//! any database whose records hold `country.iso_code`). Nothing is
//! downloaded: the operator keeps the file current. It is read when no
//! trusted country header gives the request's country.

use std::net::IpAddr;
use std::path::Path;

use maxminddb::{PathElement, Reader};

/// An opened country file, shared by every request.
pub struct CountryFile {
    reader: Reader<Vec<u8>>,
}

impl std::fmt::Debug for CountryFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let meta = self.reader.metadata();
        f.debug_struct("CountryFile")
            .field("database_type", &meta.database_type)
            .field("build_epoch", &meta.build_epoch)
            .finish()
    }
}

const COUNTRY: [PathElement<'static>; 2] =
    [PathElement::Key("country"), PathElement::Key("iso_code")];
const REGISTERED: [PathElement<'static>; 2] = [
    PathElement::Key("registered_country"),
    PathElement::Key("iso_code"),
];

impl CountryFile {
    /// Opens `path`, refusing a file that is not a MaxMind database.
    pub fn open(path: &Path) -> Result<Self, String> {
        let bytes =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::from_bytes(bytes).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Reads a database held in memory.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, String> {
        let reader = Reader::from_source(bytes)
            .map_err(|e| format!("not a MaxMind-format database ({e})"))?;
        Ok(Self { reader })
    }

    /// The database's type as its metadata names it.
    pub fn database_type(&self) -> &str {
        &self.reader.metadata().database_type
    }

    /// The two-letter country of `ip` (upper case), or `None` when the
    /// file does not know it.
    pub fn country(&self, ip: IpAddr) -> Option<String> {
        let found = self.reader.lookup(ip).ok()?;
        let code = |path: &[PathElement<'_>]| {
            found
                .decode_path::<String>(path)
                .ok()
                .flatten()
                .filter(|c| c.len() == 2 && c.chars().all(|ch| ch.is_ascii_alphabetic()))
        };
        code(&COUNTRY)
            .or_else(|| code(&REGISTERED))
            .map(|c| c.to_ascii_uppercase())
    }
}

#[cfg(test)]
mod write;

#[cfg(test)]
mod tests {
    use super::*;

    /// The networks of the repository's test file
    /// (`crates/web/testdata/countries.mmdb`). Loopback has a country so
    /// that tests over a local socket see one.
    pub(crate) const TEST_NETWORKS: &[(&str, &str)] = &[
        ("127.0.0.0/8", "NZ"),
        ("192.0.2.0/24", "CN"),
        ("198.51.100.0/24", "US"),
        ("::1/128", "NZ"),
        ("2001:db8::/32", "DE"),
    ];

    fn test_file_path() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata/countries.mmdb")
    }

    #[test]
    fn the_test_file_is_what_the_writer_makes() {
        let bytes = write::country_database(TEST_NETWORKS, 1_780_000_000);
        if std::env::var_os("TRIGATE_WRITE_TESTDATA").is_some() {
            std::fs::write(test_file_path(), &bytes).unwrap();
        }
        assert_eq!(std::fs::read(test_file_path()).unwrap(), bytes);
    }

    #[test]
    fn each_network_gives_its_country_and_others_none() {
        let file = CountryFile::open(&test_file_path()).unwrap();
        assert_eq!(file.database_type(), "trigate-test-Country");
        let at = |ip: &str| file.country(ip.parse().unwrap());
        assert_eq!(at("127.0.0.1").as_deref(), Some("NZ"));
        assert_eq!(at("192.0.2.77").as_deref(), Some("CN"));
        assert_eq!(at("198.51.100.1").as_deref(), Some("US"));
        assert_eq!(at("::1").as_deref(), Some("NZ"));
        assert_eq!(at("2001:db8:1::9").as_deref(), Some("DE"));
        assert_eq!(at("203.0.113.5"), None);
        assert_eq!(at("192.0.3.1"), None);
        assert_eq!(at("2001:db9::1"), None);
    }

    #[test]
    fn a_file_that_is_not_a_database_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("trigate-geoip-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let junk = dir.join("junk.mmdb");
        std::fs::write(&junk, b"not a database").unwrap();
        let err = CountryFile::open(&junk).unwrap_err();
        assert!(
            err.contains("junk.mmdb") && err.contains("MaxMind"),
            "{err}"
        );
        let missing = CountryFile::open(&dir.join("missing.mmdb")).unwrap_err();
        assert!(missing.contains("cannot read"), "{missing}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
