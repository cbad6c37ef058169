//! The epay adapter against the published protocol: the checkout URL and
//! `mapi.php` call it builds, and every refusal of a notification.

use secrecy::SecretString;
use trigate_channels::epay::{Epay, Variant, sign};
use trigate_channels::{
    Capabilities, Channel, Checkout, HttpMethod, Params, PaymentRequest, Status, amount,
};
use trigate_core::Currency;

const KEY: &str = "89unJUB8HZ54Hj7x4nUj56HN4nUzUJ8i";

fn cny() -> Currency {
    Currency::new("CNY").unwrap()
}

fn epay(variant: Variant) -> Epay {
    Epay::new(
        "epay",
        "https://pay.example",
        "1001",
        SecretString::from(KEY),
        variant,
        Capabilities {
            methods: vec!["alipay".into(), "wxpay".into()],
            currencies: vec![cny()],
            min_amount: 1,
            max_amount: 5_000_000,
            refunds: true,
            payouts: false,
        },
    )
    .unwrap()
}

fn request() -> PaymentRequest {
    PaymentRequest {
        out_trade_no: "T20261125000123".into(),
        method: "alipay".into(),
        amount: 5_000,
        currency: cny(),
        subject: "Steam 钱包卡 50".into(),
        notify_url: "https://shop.example/pay/epay/notify/T20261125000123".into(),
        return_url: "https://shop.example/pay/epay/return/T20261125000123".into(),
        client_ip: None,
    }
}

/// A notification as the gateway would send it, signed with `key`.
fn notify(key: &str, edit: impl FnOnce(&mut Vec<(String, String)>)) -> Params {
    let mut pairs: Vec<(String, String)> = [
        ("pid", "1001"),
        ("trade_no", "2026112512345678"),
        ("out_trade_no", "T20261125000123"),
        ("type", "alipay"),
        ("name", "Steam 钱包卡 50"),
        ("money", "50.00"),
        ("trade_status", "TRADE_SUCCESS"),
        ("param", ""),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    let s = sign(
        pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
        key,
        Variant::Plain,
    );
    pairs.push(("sign".into(), s));
    pairs.push(("sign_type".into(), "MD5".into()));
    edit(&mut pairs);
    Params::from_pairs(pairs).unwrap()
}

type Pairs = Vec<(String, String)>;

fn set(pairs: &mut [(String, String)], key: &str, value: &str) {
    pairs.iter_mut().find(|(k, _)| k == key).unwrap().1 = value.into();
}

#[test]
fn the_checkout_url_is_the_signed_submit_request() {
    let Checkout::Redirect(url) = epay(Variant::Plain).checkout(&request()).unwrap() else {
        panic!()
    };
    assert!(url.starts_with("https://pay.example/submit.php?"), "{url}");
    let query = url.split_once('?').unwrap().1;
    let params = Params::from_form(query.as_bytes()).unwrap();
    assert_eq!(params.get("money"), Some("50.00"));
    assert_eq!(params.get("name"), Some("Steam 钱包卡 50"));
    // The vectors' first case: the same request, the same signature.
    assert_eq!(params.get("sign"), Some("4918b1bda2803720db48f93cc7c89c3d"));
    assert_eq!(params.get("sign_type"), Some("MD5"));
    let call = epay(Variant::AmpKey).create_call(&request()).unwrap();
    assert_eq!(call.method, HttpMethod::Post);
    assert_eq!(call.url, "https://pay.example/mapi.php");
    let sign = call.form.iter().find(|(k, _)| k == "sign").unwrap();
    assert_eq!(sign.1, "4aae53afaa80af92d9d23751bf162968");
}

#[test]
fn a_genuine_notification_is_read_exactly() {
    let n = epay(Variant::Plain)
        .verify(&notify(KEY, |_| {}), cny())
        .unwrap();
    assert_eq!(n.out_trade_no, "T20261125000123");
    assert_eq!(n.channel_txn, "2026112512345678");
    assert_eq!(n.amount, 5_000);
    // "50" signs differently from "50.00" but is the same amount.
    let fifty = notify(KEY, |p| set(p, "money", "50"));
    let fifty = {
        let pairs: Vec<(String, String)> = fifty
            .iter()
            .filter(|(k, _)| *k != "sign")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .chain([(
                "sign".to_string(),
                "e11ebbd7eb944d54486f6cb001a1fe8d".to_string(),
            )])
            .collect();
        Params::from_pairs(pairs).unwrap()
    };
    assert_eq!(
        epay(Variant::Plain).verify(&fifty, cny()).unwrap().amount,
        5_000
    );
    // An upper-case signature is the same signature.
    let upper = notify(KEY, |p| {
        let s = p
            .iter()
            .find(|(k, _)| k == "sign")
            .unwrap()
            .1
            .to_uppercase();
        set(p, "sign", &s);
    });
    assert!(epay(Variant::Plain).verify(&upper, cny()).is_ok());
}

#[test]
fn every_bad_notification_is_refused_with_its_own_code() {
    let channel = epay(Variant::Plain);
    let code = |p: &Params| channel.verify(p, cny()).unwrap_err().code();
    assert_eq!(code(&notify("wrong key", |_| {})), "bad_signature");
    assert_eq!(code(&notify("", |_| {})), "bad_signature");
    // Tampered after signing.
    assert_eq!(
        code(&notify(KEY, |p| set(p, "money", "0.01"))),
        "bad_signature"
    );
    assert_eq!(
        code(&notify(KEY, |p| set(p, "out_trade_no", "T2"))),
        "bad_signature"
    );
    assert_eq!(
        code(&notify(KEY, |p| p.retain(|(k, _)| k != "sign"))),
        "missing_parameter"
    );
    assert_eq!(code(&notify(KEY, |p| set(p, "sign", ""))), "bad_signature");
    // Signed, but not ours, not paid, or not an amount.
    let resign = |edit: &dyn Fn(&mut Pairs)| {
        let mut pairs: Vec<(String, String)> = notify(KEY, |_| {})
            .iter()
            .filter(|(k, _)| *k != "sign")
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        edit(&mut pairs);
        let s = sign(
            pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())),
            KEY,
            Variant::Plain,
        );
        pairs.push(("sign".into(), s));
        Params::from_pairs(pairs).unwrap()
    };
    assert_eq!(code(&resign(&|p| set(p, "pid", "1002"))), "wrong_merchant");
    assert_eq!(
        code(&resign(&|p| set(p, "trade_status", "WAIT_BUYER_PAY"))),
        "not_paid"
    );
    assert_eq!(code(&resign(&|p| set(p, "money", "50.001"))), "bad_amount");
    assert_eq!(code(&resign(&|p| set(p, "money", "-50"))), "bad_amount");
    assert_eq!(
        code(&resign(&|p| set(p, "trade_no", ""))),
        "missing_parameter"
    );
    // An array amount never gets as far as a signature check.
    assert!(Params::from_form(b"money[]=50.00&money[]=0.01").is_err());
    // A key can never be empty: the adapter refuses to exist without one.
    assert!(
        Epay::new(
            "epay",
            "https://pay.example",
            "1001",
            SecretString::from(""),
            Variant::Plain,
            channel.capabilities().clone(),
        )
        .is_err()
    );
}

#[test]
fn queries_and_refunds_are_read_from_the_gateways_answers() {
    let channel = epay(Variant::Plain);
    let call = channel.query_call("T1");
    assert_eq!(call.method, HttpMethod::Get);
    assert!(
        call.url
            .starts_with("https://pay.example/api.php?act=order&pid=1001&key=")
    );
    assert!(
        !format!("{call:?}").contains(KEY),
        "the key never shows in Debug"
    );
    let paid = r#"{"code":1,"msg":"ok","trade_no":"2026","out_trade_no":"T1","pid":"1001","money":"12.30","status":1}"#;
    match channel.read_query(paid, cny()).unwrap() {
        Status::Paid(n) => assert_eq!((n.amount, n.channel_txn.as_str()), (1_230, "2026")),
        other => panic!("{other:?}"),
    }
    let unpaid = r#"{"code":1,"msg":"ok","trade_no":"2026","out_trade_no":"T1","pid":"1001","money":"12.30","status":0}"#;
    assert_eq!(channel.read_query(unpaid, cny()).unwrap(), Status::Unpaid);
    let unknown = r#"{"code":-1,"msg":"no such order"}"#;
    assert_eq!(channel.read_query(unknown, cny()).unwrap(), Status::Unknown);
    assert!(channel.read_query("<html>", cny()).is_err());
    let other =
        r#"{"code":1,"trade_no":"2026","out_trade_no":"T1","pid":"9","money":"1","status":1}"#;
    assert!(channel.read_query(other, cny()).is_err());
    let refund = channel.refund_call("T1", "R1", 500, cny()).unwrap();
    assert!(refund.form.contains(&("money".into(), "5.00".into())));
    assert!(channel.read_refund(r#"{"code":1,"msg":"ok"}"#).is_ok());
    assert!(channel.read_refund(r#"{"code":0,"msg":"no"}"#).is_err());
    assert_eq!(
        channel
            .read_create(r#"{"code":1,"trade_no":"1","payurl":"https://pay.example/p/1"}"#)
            .unwrap(),
        Checkout::Redirect("https://pay.example/p/1".into())
    );
    assert_eq!(
        channel
            .read_create(r#"{"code":"1","qrcode":"weixin://wxpay/1"}"#)
            .unwrap(),
        Checkout::Qr("weixin://wxpay/1".into())
    );
    assert_eq!(amount::format(1, cny()), "0.01");
}
