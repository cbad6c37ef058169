//! `trigate bench web`: the shop's pages per second over loopback — the
//! storefront's product list for visitors and a signed-in buyer's order
//! page with its key — each from many keep-alive connections at once,
//! compressed as a browser asks for them; what each page weighs compressed
//! with its stylesheet and scripts; and `bench http`'s checkout measured in
//! the same run as the reference.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, bail};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use trigate_app::{Caller, ops};
use trigate_web::{AppState, Sessions};

use super::loopback::{self, CONCURRENT, Loopback, share};
use super::seed::{self, PRICE};
use super::{BenchOptions, Latencies, Record};

/// Products on the list.
const PRODUCTS: usize = 10;
/// The most a page may weigh compressed, with its stylesheet and scripts.
pub const PAGE_BUDGET_KB: f64 = 60.0;

pub fn run(options: &BenchOptions) -> anyhow::Result<()> {
    super::block_on(async {
        let mut records = pages(options).await?;
        records.push(super::http::checkout_case(options, true).await?);
        super::print(&records, options.json)?;
        if !options.json {
            for r in records.iter().filter_map(|r| r.page_kb.map(|kb| (r, kb))) {
                println!(
                    "{}: {:.1} KB compressed with its stylesheet and scripts (budget {PAGE_BUDGET_KB} KB)",
                    r.0.case, r.1
                );
            }
        }
        Ok(())
    })
}

async fn pages(options: &BenchOptions) -> anyhow::Result<Vec<Record>> {
    let (ops, _) = options.sizes(100_000, 2_000)?;
    let mut shop = Loopback::open("web").await?;
    let app = shop.app.clone();
    let products = seed::merchants(&app, &[CONCURRENT as u64; PRODUCTS]).await?;
    // Each connection is a buyer with one order of their own to read.
    let sessions = Arc::new(Sessions::default());
    let mut buyers = Vec::with_capacity(CONCURRENT);
    for b in 0..CONCURRENT {
        let user = seed::funded_buyer(&app, &format!("reader{b}"), PRICE).await?;
        let buy = ops::BuyWithBalance {
            product: products[b % PRODUCTS],
            quantity: 1,
            coupon: None,
        };
        let (order, _) = app.change(Caller(user), buy).await?;
        let cookie = format!("{}={}", trigate_web::COOKIE, sessions.open(user));
        buyers.push((cookie, format!("/orders/{}", order.0)));
    }
    app.sync().await?;
    let state = AppState::new(app.clone(), sessions, false);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = shop.serve(listener, state).await;

    // A returning visitor: its CSRF cookie is set already.
    let visitor = format!(
        "{}={}",
        trigate_web::pages::csrf::CSRF_COOKIE,
        "ab".repeat(32)
    );
    let visitors = vec![(visitor, "/".to_string()); CONCURRENT];
    let list = case(addr, "product_list", ops, visitors, options).await?;
    let order = case(addr, "order_page", ops, buyers, options).await?;
    drop(app);
    shop.stop().await;
    Ok(vec![list, order])
}

/// `ops` pages over [`CONCURRENT`] connections, each asking for its path
/// with its cookie.
async fn case(
    addr: std::net::SocketAddr,
    name: &str,
    ops: u64,
    connections: Vec<(String, String)>,
    options: &BenchOptions,
) -> anyhow::Result<Record> {
    let progress = super::progress_bar(ops, options.json)?;
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    let mut weight = 0usize;
    for (i, (cookie, path)) in connections.into_iter().enumerate() {
        let share = share(ops, i);
        let progress = progress.clone();
        let mut conn = PageConn::open(addr, cookie).await?;
        if i == 0 {
            weight = conn.get(&path).await?;
        }
        tasks.spawn(async move {
            let mut latencies = Latencies::default();
            for _ in 0..share {
                let t0 = Instant::now();
                conn.get(&path).await?;
                latencies.record(t0.elapsed());
                progress.inc(1);
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = loopback::latencies(tasks).await?;
    let secs = started.elapsed().as_secs_f64();
    progress.finish_and_clear();
    let assets = trigate_web::pages::assets::compressed_total();
    Ok(Record {
        bench: "web",
        case: name.to_string(),
        mode: "durable",
        backend: "sqlite",
        batch: 1,
        accounts: CONCURRENT as u64,
        hot_share: 0.0,
        ops,
        secs,
        per_sec: ops as f64 / secs,
        p50_us: latencies.percentile_us(50.0),
        p99_us: latencies.percentile_us(99.0),
        peak_rss_mb: super::peak_rss_mb(),
        page_kb: Some((weight + assets) as f64 / 1024.0),
    })
}

/// A keep-alive connection asking for pages as a browser does (gzip).
struct PageConn {
    stream: BufReader<TcpStream>,
    cookie: String,
}

impl PageConn {
    async fn open(addr: std::net::SocketAddr, cookie: String) -> anyhow::Result<Self> {
        let stream = TcpStream::connect(addr).await?;
        stream.set_nodelay(true)?;
        Ok(Self {
            stream: BufReader::new(stream),
            cookie,
        })
    }

    /// Asks for `path`; the compressed body's size. Anything but a
    /// compressed 200 is an error.
    async fn get(&mut self, path: &str) -> anyhow::Result<usize> {
        let request = format!(
            "GET {path} HTTP/1.1\r\nhost: bench\r\ncookie: {}\r\naccept: text/html\r\naccept-encoding: gzip\r\naccept-language: zh-CN,zh;q=0.9\r\n\r\n",
            self.cookie
        );
        self.stream.get_mut().write_all(request.as_bytes()).await?;
        let loopback::Head {
            status,
            length,
            chunked,
            gzip,
        } = loopback::read_head(&mut self.stream).await?;
        let size = match (length, chunked) {
            (Some(n), _) => {
                let mut body = vec![0u8; n];
                self.stream.read_exact(&mut body).await?;
                n
            }
            (None, true) => self.read_chunks().await?,
            (None, false) => bail!("{path}: a body of unknown length"),
        };
        if status != 200 || !gzip {
            bail!("{path} answered {status} (compressed: {gzip})");
        }
        Ok(size)
    }

    async fn read_chunks(&mut self) -> anyhow::Result<usize> {
        let mut total = 0;
        let mut line = String::new();
        loop {
            line.clear();
            self.stream.read_line(&mut line).await?;
            let size = usize::from_str_radix(line.trim(), 16)
                .with_context(|| format!("bad chunk size {line:?}"))?;
            let mut chunk = vec![0u8; size + 2];
            self.stream.read_exact(&mut chunk).await?;
            if size == 0 {
                return Ok(total);
            }
            total += size;
        }
    }
}
