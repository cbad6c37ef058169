//! `trigate bench ledger --json` prints one JSON object per case per line,
//! with the fields DESIGN.md's "Benchmarks" section names.

use std::process::Command;

use serde_json::Value;

fn trigate(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_trigate"))
        .args(args)
        .output()
        .expect("run trigate")
}

/// Runs a benchmark that must succeed and returns its JSON lines.
fn bench_json(args: &[&str]) -> Vec<Value> {
    let out = trigate(args);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect()
}

fn field(v: &Value, name: &str) -> String {
    v[name].as_str().expect("a string field").to_string()
}

#[test]
fn ledger_bench_json_has_one_line_per_case() {
    let lines = bench_json(&[
        "bench",
        "ledger",
        "--json",
        "--ops",
        "300",
        "--accounts",
        "40",
    ]);
    let cases: Vec<(String, u64)> = lines
        .iter()
        .map(|v| (field(v, "case"), v["batch"].as_u64().unwrap()))
        .collect();
    let expected: Vec<(String, u64)> = [1, 100, 8189]
        .iter()
        .flat_map(|b| [("uniform".to_string(), *b), ("hot".to_string(), *b)])
        .collect();
    assert_eq!(cases, expected);
    for v in &lines {
        assert_eq!(v["bench"], "ledger");
        assert_eq!(v["ops"], 300);
        assert_eq!(v["accounts"], 40);
        for name in [
            "secs",
            "per_sec",
            "p50_us",
            "p99_us",
            "hot_share",
            "peak_rss_mb",
        ] {
            assert!(v[name].is_number(), "{name} missing in {v}");
        }
    }
    assert_eq!(lines[1]["hot_share"], 0.9);
}

#[test]
fn bench_refuses_a_workload_it_cannot_run() {
    let out = trigate(&["bench", "ledger", "--json", "--accounts", "1"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("at least 2 accounts"));
    let out = trigate(&["bench", "ledger", "--json", "--ops", "0"]);
    assert!(!out.status.success());
}

#[test]
fn unknown_command_is_a_usage_error() {
    let out = trigate(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn case_and_batch_filters_select_one_case() {
    let lines = bench_json(&[
        "bench",
        "ledger",
        "--json",
        "--ops",
        "200",
        "--accounts",
        "20",
        "--case",
        "hot",
        "--batch",
        "100",
    ]);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["case"], "hot");
    assert_eq!(lines[0]["batch"], 100);
}

#[test]
fn durable_bench_runs_through_the_engine_and_the_naive_baseline() {
    let lines = bench_json(&[
        "bench",
        "ledger",
        "--durable",
        "--quick",
        "--json",
        "--ops",
        "300",
        "--accounts",
        "30",
        "--batch",
        "1",
    ]);
    let cases: Vec<(String, String)> = lines
        .iter()
        .map(|v| (field(v, "case"), field(v, "mode")))
        .collect();
    let expected: Vec<(String, String)> = ["uniform", "hot", "naive"]
        .iter()
        .map(|c| (c.to_string(), "durable".to_string()))
        .collect();
    assert_eq!(cases, expected);
}

#[test]
fn shop_bench_checks_out_and_settles_every_planned_order() {
    let lines = bench_json(&[
        "bench",
        "shop",
        "--json",
        "--ops",
        "500",
        "--accounts",
        "20",
    ]);
    let cases: Vec<&str> = lines.iter().map(|v| v["case"].as_str().unwrap()).collect();
    assert_eq!(cases, ["checkout", "settle"]);
    for v in &lines {
        assert_eq!(v["bench"], "shop");
        assert_eq!(v["mode"], "durable");
        assert_eq!(v["ops"], 500);
        assert_eq!(v["accounts"], 20);
        assert!(v["per_sec"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn http_bench_checks_out_over_real_requests() {
    // Risk checks off, then on, twice: each pair measured in the same run.
    let lines = bench_json(&["bench", "http", "--json", "--ops", "300"]);
    let cases: Vec<&str> = lines.iter().map(|v| v["case"].as_str().unwrap()).collect();
    assert_eq!(
        cases,
        [
            "checkout_risk_off",
            "checkout",
            "checkout_risk_off",
            "checkout"
        ]
    );
    for line in &lines {
        assert_eq!(line["bench"], "http");
        assert_eq!(line["ops"], 300);
        assert!(line["p99_us"].as_f64().unwrap() > 0.0);
    }
}

#[test]
fn risk_bench_decides_with_and_without_rules() {
    let lines = bench_json(&[
        "bench",
        "risk",
        "--json",
        "--ops",
        "300",
        "--accounts",
        "200",
    ]);
    let cases: Vec<&str> = lines.iter().map(|v| v["case"].as_str().unwrap()).collect();
    assert_eq!(cases, ["rules", "no_rules"]);
    for line in &lines {
        assert_eq!(line["bench"], "risk");
        assert_eq!(line["ops"], 300);
        assert_eq!(line["accounts"], 200);
        assert!(line["per_sec"].as_f64().unwrap() > 0.0);
    }
}
