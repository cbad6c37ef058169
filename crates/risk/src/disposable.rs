//! The disposable-domain list shipped in the repo (`data/disposable_domains.txt`).

use std::sync::OnceLock;

const LIST: &str = include_str!("../data/disposable_domains.txt");

fn domains() -> &'static rustc_hash::FxHashSet<&'static str> {
    static SET: OnceLock<rustc_hash::FxHashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| {
        LIST.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect()
    })
}

/// Whether a (lower-case) domain or one it is under is on the list.
pub fn is_disposable(domain: &str) -> bool {
    let set = domains();
    let mut d = domain.trim_end_matches('.');
    loop {
        if set.contains(d) {
            return true;
        }
        match d.split_once('.') {
            Some((_, rest)) if rest.contains('.') => d = rest,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn listed_domains_and_their_subdomains_are_disposable() {
        assert!(super::is_disposable("mailinator.com"));
        assert!(super::is_disposable("x.mailinator.com"));
        assert!(!super::is_disposable("gmail.com"));
        assert!(!super::is_disposable("com"));
        assert!(!super::is_disposable(""));
    }
}
