//! Paging of the console's lists the shop answers whole (withdrawals,
//! merchants, the audit log's latest entries): page `n` of what the filter
//! kept, and the link to the next one.

/// A console list's filter by status and its page, as the query string
/// gives them.
#[derive(Debug, Default, serde::Deserialize)]
pub(super) struct StatusPage {
    #[serde(default)]
    pub status: String,
    #[serde(default)]
    pub page: String,
}

/// A status to filter by, as a select shows it.
pub(super) struct Choice {
    pub name: &'static str,
    pub text: String,
    pub chosen: bool,
}

/// The choices of `names` (messages `{prefix}{name}`), `chosen` selected.
pub(super) fn choices(
    p: &super::Page,
    prefix: &str,
    names: &[&'static str],
    chosen: &str,
) -> Vec<Choice> {
    names
        .iter()
        .map(|name| Choice {
            name,
            text: p.t(&format!("{prefix}{name}")).into_owned(),
            chosen: *name == chosen,
        })
        .collect()
}

impl StatusPage {
    /// What `status_of` names `self.status` (all if none is asked) of
    /// `items`, page by page, `per` a page: this page and the link to the
    /// next one of `path`.
    pub fn apply<T>(
        &self,
        items: impl Iterator<Item = T>,
        status_of: impl Fn(&T) -> &str,
        (path, per): (&str, usize),
    ) -> (Vec<T>, Option<String>) {
        let n = number(&self.page);
        let kept = items.filter(|x| self.status.is_empty() || status_of(x) == self.status);
        let (page, more) = page_of(kept, n, per);
        let next = more.then(|| link(path, &[("status", self.status.as_str())], n + 1));
        (page, next)
    }
}

/// The page number a query string gives (1 if absent or nonsense).
pub(super) fn number(text: &str) -> usize {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|n| *n >= 1)
        .unwrap_or(1)
}

/// Page `n` (1-based) of `items`, `per` a page, and whether more follow.
pub(super) fn page_of<T>(items: impl Iterator<Item = T>, n: usize, per: usize) -> (Vec<T>, bool) {
    let skip = n.saturating_sub(1).saturating_mul(per);
    let mut rest = items.skip(skip);
    let page: Vec<T> = rest.by_ref().take(per).collect();
    let more = rest.next().is_some();
    (page, more)
}

/// The link to page `n` of `path` under the filter `fields`.
pub(super) fn link(path: &str, fields: &[(&str, &str)], n: usize) -> String {
    let mut all: Vec<(&str, String)> = fields
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (*k, v.to_string()))
        .collect();
    all.push(("page", n.to_string()));
    format!(
        "{path}?{}",
        serde_urlencoded::to_string(&all).unwrap_or_default()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_split_what_the_filter_kept() {
        let (first, more) = page_of(1..=5, 1, 2);
        assert_eq!((first, more), (vec![1, 2], true));
        let (last, more) = page_of(1..=5, 3, 2);
        assert_eq!((last, more), (vec![5], false));
        let (none, more) = page_of(1..=5, 9, 2);
        assert!(none.is_empty() && !more);
        assert_eq!(number("x"), 1);
        assert_eq!(number("0"), 1);
        assert_eq!(number(" 3 "), 3);
        assert_eq!(
            link("/admin/audit", &[("q", "a b"), ("actor", "")], 2),
            "/admin/audit?q=a+b&page=2"
        );
    }
}
