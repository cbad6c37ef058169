//! The identity graph: accounts linked by the identifiers they were seen
//! with — a device, a payer's instrument, a withdrawal destination, an
//! email. Accounts joined through shared identifiers form a *ring*, kept
//! as connected components by union-find.
//!
//! Two things keep the graph honest. An identifier shared by more than
//! [`GraphSettings::degree_cap`] accounts (a campus NAT, an internet café's
//! PC) links nothing: it says nothing about who acts together. And a link
//! not seen for [`GraphSettings::link_ttl_ns`] expires. Either change can
//! split a ring, which union-find cannot undo, so the components are then
//! rebuilt from the live links: at once when an identifier goes over the
//! cap, and for expiry at most once an hour of shop time (an expired link
//! may count for up to an hour longer). Rebuilding is a pass over every
//! link, the same live and in replay.

use rustc_hash::FxHashMap;

use crate::signals::IdKind;

const HOUR_NS: u64 = 3_600 * 1_000_000_000;
/// Accounts listed per identifier as evidence.
const EVIDENCE_CAP: usize = 10;

/// How the graph links accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GraphSettings {
    /// An identifier seen with more accounts than this links none of them.
    pub degree_cap: usize,
    /// A link not seen for this long expires (nanoseconds).
    pub link_ttl_ns: u64,
}

impl Default for GraphSettings {
    fn default() -> Self {
        Self {
            degree_cap: 20,
            link_ttl_ns: 90 * 24 * HOUR_NS,
        }
    }
}

/// Whether identifiers of `kind` link accounts. IPs do not (many people
/// share one); users and merchants are the accounts themselves.
pub fn links_accounts(kind: IdKind) -> bool {
    matches!(
        kind,
        IdKind::Device | IdKind::Instrument | IdKind::Destination | IdKind::Email
    )
}

#[derive(Debug, Clone)]
struct Node {
    kind: IdKind,
    value: Box<str>,
    /// Accounts seen with it and when last (nanoseconds).
    members: Vec<(u64, u64)>,
}

impl Node {
    fn live(&self, now: u64, ttl: u64) -> impl Iterator<Item = u64> + '_ {
        self.members
            .iter()
            .filter(move |(_, seen)| seen.saturating_add(ttl) > now)
            .map(|(a, _)| *a)
    }
}

/// An identifier an account shares with others: the evidence that links
/// them.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Link {
    pub kind: IdKind,
    pub value: String,
    /// The other accounts seen with it (at most ten).
    pub with: Vec<u64>,
}

#[derive(Debug, Clone, Default)]
struct UnionFind {
    parent: FxHashMap<u64, u64>,
    /// Each root's ring size.
    size: FxHashMap<u64, u64>,
}

impl UnionFind {
    fn find(&mut self, a: u64) -> u64 {
        let mut root = a;
        while let Some(&p) = self.parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        // Path compression.
        let mut at = a;
        while at != root {
            let next = self.parent.get(&at).copied().unwrap_or(root);
            self.parent.insert(at, root);
            at = next;
        }
        root
    }

    fn find_ref(&self, a: u64) -> u64 {
        let mut root = a;
        while let Some(&p) = self.parent.get(&root) {
            if p == root {
                break;
            }
            root = p;
        }
        root
    }

    fn add(&mut self, a: u64) {
        if let std::collections::hash_map::Entry::Vacant(e) = self.parent.entry(a) {
            e.insert(a);
            self.size.insert(a, 1);
        }
    }

    fn union(&mut self, a: u64, b: u64) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return;
        }
        let size_a = self.size.remove(&ra).unwrap_or(1);
        let size_b = self.size.remove(&rb).unwrap_or(1);
        // The larger ring's root stays the root.
        let (root, child) = if size_a >= size_b { (ra, rb) } else { (rb, ra) };
        self.parent.insert(child, root);
        self.size.insert(root, size_a + size_b);
    }
}

/// The identity graph. See the module's words.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    settings: GraphSettings,
    /// Identifier → node, by a hash of kind and value (probing on to the
    /// next hash where two collide), so a lookup allocates nothing.
    index: FxHashMap<u64, u32>,
    nodes: Vec<Node>,
    /// The identifiers each account was seen with.
    accounts: FxHashMap<u64, Vec<u32>>,
    rings: UnionFind,
    /// When to rebuild for expired links next (nanoseconds).
    rebuild_at: u64,
}

impl Graph {
    pub fn new(settings: GraphSettings) -> Self {
        Self {
            settings,
            ..Self::default()
        }
    }

    pub fn settings(&self) -> GraphSettings {
        self.settings
    }

    /// Changes the settings; the rings are rebuilt under them.
    pub fn set_settings(&mut self, now: u64, settings: GraphSettings) {
        if settings != self.settings {
            self.settings = settings;
            self.rebuild(now);
        }
    }

    /// `account` was seen at `now` with `ids` (those of other kinds are
    /// ignored).
    pub fn link(&mut self, now: u64, account: u64, ids: &[(IdKind, String)]) {
        if self.rebuild_at != 0 && now >= self.rebuild_at {
            self.rebuild(now);
        }
        self.rings.add(account);
        let (cap, ttl) = (self.settings.degree_cap, self.settings.link_ttl_ns);
        let mut over_cap = false;
        for (kind, value) in ids {
            if !links_accounts(*kind) || value.is_empty() {
                continue;
            }
            let n = self.node(*kind, value);
            let node = &mut self.nodes[n as usize];
            match node.members.iter_mut().find(|(a, _)| *a == account) {
                Some(m) => m.1 = now,
                None => {
                    node.members.push((account, now));
                    self.accounts.entry(account).or_default().push(n);
                    // Far over the cap, the least recently seen are let go:
                    // the identifier stays over the cap while busy, and a
                    // lookup stays short.
                    if node.members.len() > 2 * cap + 2
                        && let Some(oldest) = (0..node.members.len())
                            .min_by_key(|i| (node.members[*i].1, node.members[*i].0))
                    {
                        let (gone, _) = node.members.swap_remove(oldest);
                        if let Some(ids) = self.accounts.get_mut(&gone) {
                            ids.retain(|m| *m != n);
                        }
                    }
                }
            }
            let node = &self.nodes[n as usize];
            let live = node.live(now, ttl).count();
            if live > cap {
                // Over the cap now: the links it made before must go.
                over_cap |= live == cap + 1;
            } else {
                for i in 0..node.members.len() {
                    let (other, seen) = self.nodes[n as usize].members[i];
                    if seen.saturating_add(ttl) > now {
                        self.rings.union(account, other);
                    }
                }
            }
        }
        if self.rebuild_at == 0 {
            self.rebuild_at = now.saturating_add(ttl);
        }
        if over_cap {
            self.rebuild(now);
        }
    }

    /// The node of an identifier, made on first sight.
    fn node(&mut self, kind: IdKind, value: &str) -> u32 {
        use std::hash::{Hash, Hasher};
        let mut h = rustc_hash::FxHasher::default();
        kind.hash(&mut h);
        value.hash(&mut h);
        let mut key = h.finish();
        loop {
            match self.index.get(&key) {
                Some(&n) => {
                    let node = &self.nodes[n as usize];
                    if node.kind == kind && &*node.value == value {
                        return n;
                    }
                    key = key.wrapping_add(1);
                }
                None => {
                    let n = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
                    self.nodes.push(Node {
                        kind,
                        value: value.into(),
                        members: Vec::new(),
                    });
                    self.index.insert(key, n);
                    return n;
                }
            }
        }
    }

    /// How many accounts are in `account`'s ring, itself included (1: it
    /// is linked to no one, or was never seen).
    pub fn ring_size(&self, account: u64) -> u64 {
        if !self.rings.parent.contains_key(&account) {
            return 1;
        }
        let root = self.rings.find_ref(account);
        self.rings.size.get(&root).copied().unwrap_or(1)
    }

    /// Whether `a` and `b` are in one ring.
    pub fn linked(&self, a: u64, b: u64) -> bool {
        a == b
            || (self.rings.parent.contains_key(&a)
                && self.rings.parent.contains_key(&b)
                && self.rings.find_ref(a) == self.rings.find_ref(b))
    }

    /// The identifiers through which `account` is linked to others at
    /// `now`: the evidence.
    pub fn links(&self, now: u64, account: u64) -> Vec<Link> {
        let (cap, ttl) = (self.settings.degree_cap, self.settings.link_ttl_ns);
        let mut out = Vec::new();
        for &n in self.accounts.get(&account).map_or(&[][..], Vec::as_slice) {
            let node = &self.nodes[n as usize];
            let live: Vec<u64> = node.live(now, ttl).collect();
            if live.len() > cap || !live.contains(&account) {
                continue;
            }
            let with: Vec<u64> = live
                .into_iter()
                .filter(|a| *a != account)
                .take(EVIDENCE_CAP)
                .collect();
            if !with.is_empty() {
                out.push(Link {
                    kind: node.kind,
                    value: node.value.to_string(),
                    with,
                });
            }
        }
        out
    }

    /// The accounts of `account`'s ring (itself included), at most `limit`,
    /// nearest first.
    pub fn members(&self, now: u64, account: u64, limit: usize) -> Vec<u64> {
        let (cap, ttl) = (self.settings.degree_cap, self.settings.link_ttl_ns);
        let mut seen = vec![account];
        let mut at = 0;
        while at < seen.len() && seen.len() < limit {
            let a = seen[at];
            at += 1;
            for &n in self.accounts.get(&a).map_or(&[][..], Vec::as_slice) {
                let node = &self.nodes[n as usize];
                let live: Vec<u64> = node.live(now, ttl).collect();
                if live.len() > cap || !live.contains(&a) {
                    continue;
                }
                for b in live {
                    if seen.len() >= limit {
                        break;
                    }
                    if !seen.contains(&b) {
                        seen.push(b);
                    }
                }
            }
        }
        seen
    }

    /// The rings again from the links live at `now`.
    fn rebuild(&mut self, now: u64) {
        let (cap, ttl) = (self.settings.degree_cap, self.settings.link_ttl_ns);
        let mut next = u64::MAX;
        for node in &mut self.nodes {
            node.members
                .retain(|(_, seen)| seen.saturating_add(ttl) > now);
            for (_, seen) in &node.members {
                next = next.min(seen.saturating_add(ttl));
            }
        }
        // An account keeps only the identifiers it is still seen with.
        let nodes = &self.nodes;
        self.accounts.retain(|account, ids| {
            ids.retain(|n| nodes[*n as usize].members.iter().any(|(a, _)| a == account));
            !ids.is_empty()
        });
        let mut rings = UnionFind::default();
        for account in self.accounts.keys() {
            rings.add(*account);
        }
        for node in &self.nodes {
            if node.members.len() <= cap {
                for pair in node.members.windows(2) {
                    rings.union(pair[0].0, pair[1].0);
                }
            }
        }
        self.rings = rings;
        self.rebuild_at = if next == u64::MAX {
            0
        } else {
            next.max(now.saturating_add(HOUR_NS))
        };
    }
}
