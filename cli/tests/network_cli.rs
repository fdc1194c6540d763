//! Presently in an organisation's network: proxies from the environment are used for
//! servers elsewhere and never for a server on this machine; TLS trusts the system's
//! certificate authorities (and `SSL_CERT_FILE`), and a certificate it refuses is named in
//! words. Real processes, a fake Zulip on 127.0.0.1 (behind a TLS front made for the test),
//! the real keyring. Run with `bash tests/with-keyring.sh cargo test -p presently-cli`.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener};
use std::sync::Arc;

use common::*;

/// A stand-in proxy: records the first line of each request and answers 502.
fn recording_proxy() -> (String, std::sync::mpsc::Receiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (send, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut first = String::new();
            let _ = BufReader::new(&stream).read_line(&mut first);
            let _ = send.send(first.trim_end().to_owned());
            let _ = stream.write_all(b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (url, seen)
}

#[test]
fn a_proxy_in_the_environment_is_never_used_for_a_server_on_this_machine() {
    let zulip = fake();
    let cli = Cli::new("net-proxy-local");
    cli.add_alice(&zulip);
    let (proxy, seen) = recording_proxy();
    let mut set = cli.command(&["set", "lunch"]);
    set.env("HTTP_PROXY", &proxy)
        .env("HTTPS_PROXY", &proxy)
        .env("ALL_PROXY", &proxy)
        .env_remove("NO_PROXY");
    run(set, None).code(0).says("Lunch set on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
    assert!(
        seen.try_recv().is_err(),
        "the proxy received a request meant for 127.0.0.1"
    );
}

#[test]
fn a_proxy_in_the_environment_carries_requests_to_servers_elsewhere() {
    let zulip = fake();
    let cli = Cli::new("net-proxy-remote");
    cli.add_alice(&zulip);
    cli.edit_config(&zulip.url(), "https://chat.example.org");
    let (proxy, seen) = recording_proxy();
    let mut set = cli.command(&["set", "lunch"]);
    set.env("HTTPS_PROXY", &proxy).env_remove("NO_PROXY");
    run(set, None).code(1);
    let first = seen
        .recv_timeout(std::time::Duration::from_secs(10))
        .expect("the proxy was asked");
    // A tunnel to the configured server: the credentials travel inside TLS, not to the proxy.
    assert_eq!(first, "CONNECT chat.example.org:443 HTTP/1.1");
}

/// An authority made for the test, and a TLS front on 127.0.0.1 (as `localhost`) that
/// passes every connection on to `backend` in plain HTTP.
struct TlsFront {
    url: String,
    ca_pem: String,
}

fn tls_front(backend: SocketAddr) -> TlsFront {
    let ca_key = rcgen::KeyPair::generate().expect("CA key");
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "Example Org Internal CA");
    let ca = ca_params.self_signed(&ca_key).expect("CA");
    let key = rcgen::KeyPair::generate().expect("key");
    let params = rcgen::CertificateParams::new(vec!["localhost".to_owned()]).expect("params");
    let cert = params.signed_by(&key, &ca, &ca_key).expect("certificate");
    let config = rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![cert.der().clone()],
            rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
        )
        .expect("TLS config");
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    listener.set_nonblocking(true).expect("nonblocking");
    std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        runtime.block_on(async move {
            let listener = tokio::net::TcpListener::from_std(listener).expect("listener");
            while let Ok((stream, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A refused handshake ends here: the client said why.
                    let Ok(mut tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    if let Ok(mut plain) = tokio::net::TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                    }
                });
            }
        });
    });
    TlsFront {
        url: format!("https://localhost:{port}"),
        ca_pem: ca.pem(),
    }
}

#[test]
fn a_certificate_this_computer_does_not_trust_is_named_and_ssl_cert_file_adds_an_authority() {
    let zulip = fake();
    let backend: SocketAddr = zulip
        .url()
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .parse()
        .expect("the fake's address");
    let front = tls_front(backend);
    let dir = tempfile::tempdir().expect("dir");
    let ca_file = dir.path().join("example-org-ca.pem");
    std::fs::write(&ca_file, &front.ca_pem).expect("write the CA");
    let cli = Cli::new("net-tls");
    cli.add_alice(&zulip);
    cli.edit_config(&zulip.url(), &front.url);

    // The system's authorities do not know the organisation's own.
    let out = cli.run(&["set", "lunch"]);
    out.code(1).says(
        "the certificate of localhost is not trusted by this computer: its issuer is in none of \
         the system's certificate authorities",
    );
    out.never_says("UnknownIssuer");
    assert_ne!(zulip.status_of(ALICE_ID).status_text, "Lunch");

    // Given the organisation's authority, the same server is trusted.
    let mut set = cli.command(&["set", "lunch"]);
    set.env("SSL_CERT_FILE", &ca_file);
    run(set, None).code(0).says("Lunch set on 1 of 1 account");
    assert_eq!(zulip.status_of(ALICE_ID).status_text, "Lunch");
}
