//! Encrypted connections (`[cluster.tls]`): against a real MariaDB server with TLS (the
//! simulator, like many test setups, has none), each mode connects or refuses as it should,
//! and a server without TLS is an error, never a silent clear-text fallback.
#![allow(clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use starsnap_runtime::{Cluster, ConnectOptions, Tls};
use starsnap_simulator::sim::Simulator;
use starsnap_simulator::SimConfig;
use support::mariadb::MariaDb;

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl (Debian package openssl) is needed for the TLS tests");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a server certificate for 127.0.0.1 signed by it, plus an unrelated CA.
fn certificates(dir: &Path) -> (PathBuf, PathBuf) {
    std::fs::create_dir_all(dir).unwrap();
    for ca in ["ca", "other-ca"] {
        openssl(
            dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-keyout",
                &format!("{ca}.key"),
                "-out",
                &format!("{ca}.pem"),
                "-days",
                "2",
                "-subj",
                &format!("/CN=starsnap test {ca}"),
            ],
        );
    }
    openssl(
        dir,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ],
    );
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "ext.cnf",
        ],
    );
    (dir.join("ca.pem"), dir.join("other-ca.pem"))
}

fn cipher(c: &mut Cluster) -> String {
    let rs = c.query("SHOW SESSION STATUS LIKE 'Ssl_cipher'").unwrap();
    let row = rs.iter().next().unwrap();
    row.get("Value").unwrap().unwrap_or("").to_string()
}

#[test]
fn tls_modes_against_a_tls_server_and_no_fallback_without_one() {
    let dir = std::env::temp_dir().join(format!("starsnap-tls-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (ca, other_ca) = certificates(&dir);
    let server = MariaDb::start_with(&[
        format!("--ssl-ca={}", ca.display()),
        format!("--ssl-cert={}", dir.join("server.pem").display()),
        format!("--ssl-key={}", dir.join("server.key").display()),
    ]);
    let with = |tls: Tls| ConnectOptions {
        tls,
        ..server.options()
    };
    let none = |_: &str| None;

    let mut plain = Cluster::connect(&with(Tls::Disabled), &none).unwrap();
    assert_eq!(cipher(&mut plain), "", "disabled means clear text");

    for tls in [
        Tls::Required,
        Tls::VerifyCa {
            ca_file: Some(ca.clone()),
        },
        Tls::VerifyIdentity {
            ca_file: Some(ca.clone()),
        },
    ] {
        let mut c =
            Cluster::connect(&with(tls.clone()), &none).unwrap_or_else(|e| panic!("{tls:?}: {e}"));
        assert!(!cipher(&mut c).is_empty(), "{tls:?} must encrypt");
    }
    for tls in [
        Tls::VerifyCa {
            ca_file: Some(other_ca.clone()),
        },
        Tls::VerifyIdentity {
            ca_file: Some(other_ca.clone()),
        },
    ] {
        assert!(
            Cluster::connect(&with(tls.clone()), &none).is_err(),
            "{tls:?}: a certificate from another CA must be refused"
        );
    }

    // The simulator speaks no TLS: asking for it is an error, not a clear-text connection.
    let sim = Simulator::start(SimConfig::default()).unwrap();
    let opts = ConnectOptions {
        port: sim.port(),
        tls: Tls::Required,
        ..ConnectOptions::default()
    };
    assert!(Cluster::connect(&opts, &none).is_err());
    let _ = std::fs::remove_dir_all(&dir);
}
