//! A small MaxMind DB writer for tests: an IPv6 search tree with 24-bit
//! records (IPv4 networks under `::/96`, as MaxMind's own files hold
//! them), each network's data a `{country: {iso_code}}` map, and the
//! format's metadata. Enough to make the test file the reader is tested
//! against; not a general writer.

use std::net::IpAddr;

#[derive(Clone, Copy)]
enum Record {
    Empty,
    Node(usize),
    Data(usize),
}

fn bits_of(network: &str) -> Vec<bool> {
    let (addr, len) = network.split_once('/').unwrap();
    let len: usize = len.parse().unwrap();
    let (bytes, len) = match addr.parse::<IpAddr>().unwrap() {
        IpAddr::V4(a) => {
            let mut b = [0u8; 16];
            b[12..].copy_from_slice(&a.octets());
            (b, 96 + len)
        }
        IpAddr::V6(a) => (a.octets(), len),
    };
    (0..len)
        .map(|i| bytes[i / 8] & (0x80 >> (i % 8)) != 0)
        .collect()
}

fn control(out: &mut Vec<u8>, kind: u8, size: usize) {
    assert!(size < 29);
    if kind <= 7 {
        out.push((kind << 5) | size as u8);
    } else {
        out.push(size as u8);
        out.push(kind - 7);
    }
}

fn string(out: &mut Vec<u8>, s: &str) {
    control(out, 2, s.len());
    out.extend_from_slice(s.as_bytes());
}

fn uint(out: &mut Vec<u8>, kind: u8, bytes: &[u8]) {
    control(out, kind, bytes.len());
    out.extend_from_slice(bytes);
}

/// The database's bytes.
pub(super) fn country_database(networks: &[(&str, &str)], build_epoch: u64) -> Vec<u8> {
    let mut data = Vec::new();
    let mut nodes: Vec<[Record; 2]> = vec![[Record::Empty; 2]];
    for (network, country) in networks {
        let at = data.len();
        control(&mut data, 7, 1);
        string(&mut data, "country");
        control(&mut data, 7, 1);
        string(&mut data, "iso_code");
        string(&mut data, country);
        let bits = bits_of(network);
        let mut node = 0;
        for (i, &bit) in bits.iter().enumerate() {
            let side = usize::from(bit);
            if i + 1 == bits.len() {
                nodes[node][side] = Record::Data(at);
                break;
            }
            node = match nodes[node][side] {
                Record::Node(next) => next,
                Record::Empty => {
                    nodes.push([Record::Empty; 2]);
                    let next = nodes.len() - 1;
                    nodes[node][side] = Record::Node(next);
                    next
                }
                Record::Data(_) => panic!("{network} overlaps a wider network"),
            };
        }
    }
    let count = nodes.len();
    let mut out = Vec::new();
    for node in &nodes {
        for record in node {
            let value = match *record {
                Record::Empty => count,
                Record::Node(i) => i,
                Record::Data(at) => count + 16 + at,
            };
            out.extend_from_slice(&(value as u32).to_be_bytes()[1..]);
        }
    }
    out.extend_from_slice(&[0u8; 16]);
    out.extend_from_slice(&data);
    out.extend_from_slice(b"\xAB\xCD\xEFMaxMind.com");
    control(&mut out, 7, 9);
    string(&mut out, "binary_format_major_version");
    uint(&mut out, 5, &2u16.to_be_bytes());
    string(&mut out, "binary_format_minor_version");
    uint(&mut out, 5, &0u16.to_be_bytes());
    string(&mut out, "build_epoch");
    uint(&mut out, 9, &build_epoch.to_be_bytes());
    string(&mut out, "database_type");
    string(&mut out, "trigate-test-Country");
    string(&mut out, "description");
    control(&mut out, 7, 1);
    string(&mut out, "en");
    string(&mut out, "trigate's test countries");
    string(&mut out, "ip_version");
    uint(&mut out, 5, &6u16.to_be_bytes());
    string(&mut out, "languages");
    control(&mut out, 11, 1);
    string(&mut out, "en");
    string(&mut out, "node_count");
    uint(&mut out, 6, &(count as u32).to_be_bytes());
    string(&mut out, "record_size");
    uint(&mut out, 5, &24u16.to_be_bytes());
    out
}
