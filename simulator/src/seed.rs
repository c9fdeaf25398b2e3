//! Seed data for `starsnap sandbox` and demos: a realistic `sales` database (a year of
//! daily-partitioned `orders`, expression-partitioned `payments`, a `customers` dimension
//! table, a view, an asynchronous materialized view and a Java UDF) and a second database,
//! `marketing`. Loaded through SQL, so versions and times are what loads produce.

use crate::engine::Engine;
use crate::response::{Handler, Session, SqlError};

/// A small deterministic pseudo-random sequence (so a seed gives the same demo every time).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n.max(1)
    }
}

fn run(engine: &Engine, session: &mut Session, sql: &str) -> Result<(), SqlError> {
    for out in engine.query(session, sql) {
        out?;
    }
    Ok(())
}

/// Which seed to load.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Seed {
    Empty,
    Demo,
}

impl std::str::FromStr for Seed {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "empty" => Ok(Seed::Empty),
            "demo" => Ok(Seed::Demo),
            other => Err(format!("unknown seed '{other}' (known: demo, empty)")),
        }
    }
}

/// Loads the demo data set. Fails if `sales` already exists.
pub fn demo(engine: &Engine) -> Result<(), SqlError> {
    let mut s = Session {
        connection_id: 0,
        user: "root".into(),
        ..Session::default()
    };
    let alive = engine
        .config()
        .backends
        .iter()
        .filter(|b| b.alive)
        .count()
        .clamp(1, 3);
    let props = format!(r#"PROPERTIES ("replication_num" = "{alive}")"#);
    let mut rng = Lcg(engine.config().seed ^ 0x5eed);
    run(engine, &mut s, "CREATE DATABASE sales; USE sales")?;
    run(
        engine,
        &mut s,
        &format!(
            "CREATE TABLE customers (
                customer_id INT NOT NULL COMMENT 'customer key',
                name VARCHAR(64) NOT NULL,
                email VARCHAR(128),
                country VARCHAR(2),
                created_at DATETIME
            ) PRIMARY KEY(customer_id) COMMENT 'customer dimension'
            DISTRIBUTED BY HASH(customer_id) BUCKETS 2 {props}"
        ),
    )?;
    let countries = ["US", "DE", "CN", "JP", "BR", "IN", "FR", "GB"];
    let values: Vec<String> = (1..=40)
        .map(|i| {
            format!(
                "({i}, 'customer {i:02}', 'c{i}@example.com', '{}', '2023-{:02}-{:02} 09:00:00')",
                countries[rng.next(countries.len() as u64) as usize],
                1 + rng.next(12),
                1 + rng.next(28)
            )
        })
        .collect();
    run(
        engine,
        &mut s,
        &format!("INSERT INTO customers VALUES {}", values.join(", ")),
    )?;
    run(
        engine,
        &mut s,
        &format!(
            r#"CREATE TABLE orders (
                dt DATE NOT NULL,
                order_id BIGINT NOT NULL,
                customer_id INT NOT NULL,
                amount DECIMAL(12, 2),
                status VARCHAR(16) DEFAULT "paid"
            ) DUPLICATE KEY(dt, order_id) COMMENT 'one row per order'
            PARTITION BY RANGE(dt) (START ("2024-01-01") END ("2025-01-01") EVERY (INTERVAL 1 DAY))
            DISTRIBUTED BY HASH(order_id) BUCKETS 4 {props}"#
        ),
    )?;
    let mut order_id = 100_000u64;
    let mut rows = Vec::new();
    let mut payments = Vec::new();
    for day in 0..366 {
        let date = crate::engine::time::format_date(19_723 + day);
        for _ in 0..(2 + rng.next(3)) {
            order_id += 1;
            let cents = 500 + rng.next(50_000);
            rows.push(format!(
                "('{date}', {order_id}, {}, {}.{:02}, '{}')",
                1 + rng.next(40),
                cents / 100,
                cents % 100,
                ["paid", "shipped", "refunded"][rng.next(3) as usize]
            ));
            payments.push(format!(
                "({order_id}, {order_id}, '{date} {:02}:{:02}:00', '{}', {}.{:02})",
                rng.next(24),
                rng.next(60),
                ["card", "wire", "wallet"][rng.next(3) as usize],
                cents / 100,
                cents % 100
            ));
        }
    }
    run(
        engine,
        &mut s,
        &format!("INSERT INTO orders VALUES {}", rows.join(", ")),
    )?;
    // A second load for December: those partitions are one version ahead.
    run(
        engine,
        &mut s,
        "INSERT INTO orders VALUES ('2024-12-30', 900001, 7, 42.00, 'paid'), ('2024-12-31', 900002, 8, 17.50, 'paid')",
    )?;
    run(
        engine,
        &mut s,
        &format!(
            "CREATE TABLE payments (
                payment_id BIGINT NOT NULL,
                order_id BIGINT NOT NULL,
                paid_at DATETIME NOT NULL,
                method VARCHAR(16),
                amount DECIMAL(12, 2)
            ) DUPLICATE KEY(payment_id)
            PARTITION BY date_trunc('month', paid_at)
            DISTRIBUTED BY HASH(payment_id) BUCKETS 2 {props}"
        ),
    )?;
    run(
        engine,
        &mut s,
        &format!("INSERT INTO payments VALUES {}", payments.join(", ")),
    )?;
    run(
        engine,
        &mut s,
        "CREATE VIEW daily_revenue COMMENT 'revenue per day' AS SELECT dt, COUNT(*) AS orders, SUM(amount) AS revenue FROM orders GROUP BY dt",
    )?;
    run(
        engine,
        &mut s,
        "CREATE MATERIALIZED VIEW customer_revenue DISTRIBUTED BY HASH(customer_id) REFRESH ASYNC EVERY (INTERVAL 1 DAY) AS SELECT customer_id, COUNT(*) AS orders, SUM(amount) AS revenue FROM orders GROUP BY customer_id",
    )?;
    run(
        engine,
        &mut s,
        r#"CREATE FUNCTION mask_email(VARCHAR) RETURNS VARCHAR PROPERTIES ("symbol" = "com.example.udf.MaskEmail", "type" = "StarrocksJar", "file" = "http://repo.example.com/udf/mask-email-1.0.jar")"#,
    )?;
    run(engine, &mut s, "CREATE DATABASE marketing; USE marketing")?;
    run(
        engine,
        &mut s,
        &format!(
            "CREATE TABLE campaigns (
                channel VARCHAR(16) NOT NULL,
                campaign_id INT NOT NULL,
                name VARCHAR(64),
                budget DECIMAL(12, 2)
            ) DUPLICATE KEY(channel, campaign_id)
            PARTITION BY LIST(channel) (
                PARTITION p_search VALUES IN ('search'),
                PARTITION p_social VALUES IN ('social', 'video'),
                PARTITION p_email VALUES IN ('email')
            )
            DISTRIBUTED BY HASH(campaign_id) BUCKETS 1 {props}"
        ),
    )?;
    run(
        engine,
        &mut s,
        "INSERT INTO campaigns VALUES ('search', 1, 'brand terms', 1200.00), ('social', 2, 'spring launch', 800.00), ('email', 3, 'newsletter', 50.00)",
    )?;
    run(
        engine,
        &mut s,
        &format!(
            "CREATE TABLE clicks (
                day DATE NOT NULL,
                campaign_id INT NOT NULL,
                clicks BIGINT SUM DEFAULT '0'
            ) AGGREGATE KEY(day, campaign_id)
            PARTITION BY RANGE(day) (START ('2024-01-01') END ('2025-01-01') EVERY (INTERVAL 1 MONTH))
            DISTRIBUTED BY HASH(campaign_id) BUCKETS 1 {props}"
        ),
    )?;
    let clicks: Vec<String> = (0..366)
        .step_by(7)
        .map(|d| {
            format!(
                "('{}', {}, {})",
                crate::engine::time::format_date(19_723 + d),
                1 + rng.next(3),
                rng.next(500)
            )
        })
        .collect();
    run(
        engine,
        &mut s,
        &format!("INSERT INTO clicks VALUES {}", clicks.join(", ")),
    )?;
    engine.disconnect(&s);
    Ok(())
}
