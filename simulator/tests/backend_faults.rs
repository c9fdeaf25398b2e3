//! A backend marked dead by fault injection is dead everywhere: SHOW BACKENDS, CREATE TABLE's
//! replication check, and back alive when the fault is lifted.
#![allow(clippy::unwrap_used)]

use starsnap_simulator::engine::Engine;
use starsnap_simulator::response::{Handler, Outcome, Response, Session};
use starsnap_simulator::SimConfig;

fn one(engine: &Engine, s: &mut Session, sql: &str) -> Outcome {
    engine.query(s, sql).pop().unwrap()
}

fn alive_column(engine: &Engine, s: &mut Session) -> Vec<String> {
    match one(engine, s, "SHOW BACKENDS").unwrap() {
        Response::ResultSet { columns, rows } => {
            let i = columns.iter().position(|c| c.name == "Alive").unwrap();
            rows.into_iter().map(|r| r[i].clone().unwrap()).collect()
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_dead_backend_is_dead_everywhere() {
    let engine = Engine::new(&SimConfig::default());
    let mut s = Session {
        user: "root".into(),
        ..Session::default()
    };
    one(&engine, &mut s, "CREATE DATABASE d").unwrap();
    assert_eq!(alive_column(&engine, &mut s), ["true", "true", "true"]);

    one(
        &engine,
        &mut s,
        "ADMIN SET SIMULATOR FAULT 'backend_dead' ON BACKEND 1",
    )
    .unwrap();
    assert_eq!(alive_column(&engine, &mut s), ["true", "false", "true"]);
    let create = "CREATE TABLE d.t (k INT) DUPLICATE KEY(k) DISTRIBUTED BY HASH(k) BUCKETS 1 \
                  PROPERTIES ('replication_num' = '3')";
    let err = one(&engine, &mut s, create).unwrap_err();
    assert!(err.message.contains("replication num"), "{}", err.message);

    one(
        &engine,
        &mut s,
        "ADMIN SET SIMULATOR FAULT 'backend_alive' ON BACKEND 1",
    )
    .unwrap();
    assert_eq!(alive_column(&engine, &mut s), ["true", "true", "true"]);
    one(&engine, &mut s, create).unwrap();
}
