#!/usr/bin/env python3
"""Writes the planner scenarios under testdata/plan/<scenario>/ (starsnap.toml, catalog.json,
sql/*.sql). Run from anywhere: `python3 testdata/plan/gen.py`. Output is deterministic."""
import copy
import datetime
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
VERSION = "3.4.5-8a1b2c3"

POLICY = """# Scenario policy: one group over the `sales` database.
[repository.s3_main]
location = "s3://backups/starsnap"

[repository.s3_main.properties]
"aws.s3.region" = "us-east-1"
"aws.s3.access_key" = "${AWS_ACCESS_KEY_ID}"
"aws.s3.secret_key" = "${AWS_SECRET_ACCESS_KEY}"

[group.nightly]
include = ["sales.*"]
repository = "s3_main"
full_every = "7d"
max_chain_length = 14
job_timeout = "2h"
"""


def days(n, start=datetime.date(2025, 1, 1)):
    return [start + datetime.timedelta(days=i) for i in range(n)]


def partitions(n, base_id, version=lambda i: 2 + i % 5):
    return [
        {"name": "p" + d.strftime("%Y%m%d"), "id": base_id + i, "visible_version": version(i),
         "visible_version_time": d.strftime("%Y-%m-%d") + " 03:00:00", "rows": 1000 + i,
         "data_size": 4096 * (i + 1)}
        for i, d in enumerate(days(n))
    ]


def table(name, kind="OLAP", parts=None, fp=None):
    return {"name": name, "kind": kind, "schema_fingerprint": fp or ("sha256:" + name + "-v1"),
            "partitions": parts or []}


def sales_db(n_events=5):
    return {"name": "sales", "functions": [], "tables": [
        table("events", parts=partitions(n_events, 10000)),
        table("customers", parts=[{"name": "customers", "id": 9000, "visible_version": 7}]),
        table("v_daily", kind="VIEW"),
    ]}


def manifest(db):
    out = []
    for t in db["tables"]:
        for p in t["partitions"]:
            out.append({"table": t["name"], "partition": p["name"], "partition_id": p["id"],
                        "visible_version": p["visible_version"]})
    return out


def record(label, db, kind="full", parent=None, created="2026-11-20T04:00:00Z", group="nightly",
           entries=None, repo="s3_main"):
    r = {"label": label, "group": group, "database": db["name"], "kind": kind,
         "repository": repo, "created_at": created, "state": "finished",
         "snapshot_timestamp": created[:10] + "-04-00-01-123",
         "schemas": {t["name"]: t["schema_fingerprint"] for t in db["tables"]},
         "manifest": entries if entries is not None else manifest(db)}
    if parent:
        r["parent"] = parent
    return r


def repo(snapshots=()):
    return {"name": "s3_main", "location": "s3://backups/starsnap", "read_only": False,
            "snapshots": [{"label": s, "timestamps": ["2026-11-20-04-00-01-123"], "status": "OK"}
                          for s in snapshots]}


def catalog(dbs, history=(), repos=None):
    return {"format_version": 1, "cluster": {"version": VERSION}, "databases": dbs,
            "repositories": [repo([h["label"] for h in history])] if repos is None else repos,
            "history": {"backups": list(history)}}


def write(name, cat, policy=POLICY, sql=None, as_of=None):
    d = os.path.join(HERE, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    with open(os.path.join(d, "starsnap.toml"), "w") as f:
        f.write(policy)
    with open(os.path.join(d, "catalog.json"), "w") as f:
        json.dump(cat, f, indent=1, sort_keys=False)
        f.write("\n")
    for path, text in (sql or {}).items():
        os.makedirs(os.path.join(d, os.path.dirname(path)), exist_ok=True)
        with open(os.path.join(d, path), "w") as f:
            f.write(text)
    if as_of:
        with open(os.path.join(d, "as_of.txt"), "w") as f:
            f.write(as_of + "\n")


def bump(db, table_name, indices, by=1):
    for t in db["tables"]:
        if t["name"] == table_name:
            for i in indices:
                t["partitions"][i]["visible_version"] += by


FULL = "nightly-sales-20261120-040000-full"

# 1. No history, no repository: create it, then a first full.
write("first_full", catalog([sales_db()], repos=[]))

# 2. Loads into 3 of 365 partitions since the full: exactly those 3.
big = sales_db(365)
now = copy.deepcopy(big)
bump(now, "events", [0, 180, 364])
write("incremental_3_of_365", catalog([now], [record(FULL, big)]))

# The other scenarios use 30 partitions of events.
base = sales_db(30)
hist = [record(FULL, base)]

# 3. Nothing changed.
write("nothing_changed", catalog([copy.deepcopy(base)], hist))

# 4. A new partition (2026-01-01 added after the full) and one load.
now = copy.deepcopy(base)
now["tables"][0]["partitions"].append({"name": "p20260101", "id": 20000, "visible_version": 2})
write("new_partition", catalog([now], hist))

# 5. A dropped partition.
now = copy.deepcopy(base)
del now["tables"][0]["partitions"][3]
write("dropped_partition", catalog([now], hist))

# 6. A replaced partition (same name, new id: dropped and re-created).
now = copy.deepcopy(base)
now["tables"][0]["partitions"][10]["id"] = 30010
now["tables"][0]["partitions"][10]["visible_version"] = 2
write("replaced_partition", catalog([now], hist))

# 7. A schema change.
now = copy.deepcopy(base)
now["tables"][1]["schema_fingerprint"] = "sha256:customers-v2"
write("schema_change", catalog([now], hist))

# 8. A new table matched by the `sales.*` pattern, plus a chain of one incremental.
inc1 = "nightly-sales-20261121-040000-incremental"
hist2 = hist + [record(inc1, base, kind="incremental", parent=FULL, created="2026-11-21T04:00:00Z",
                       entries=[])]
now = copy.deepcopy(base)
now["tables"].append(table("returns", parts=partitions(2, 40000)))
write("new_table_pattern", catalog([now], hist2))

# 9. Full due by schedule (last full 8 days before as_of), nothing changed.
old = [record("nightly-sales-20261114-040000-full", base, created="2026-11-14T04:00:00Z")]
write("full_due", catalog([copy.deepcopy(base)], old))

# 10. Chain full: full + 13 incrementals reach max_chain_length 14; one load.
chain = [record(FULL, base, created="2026-11-20T00:00:00Z")]
parent = FULL
for i in range(1, 14):
    label = "nightly-sales-20261120-%02d0000-incremental" % i
    chain.append(record(label, base, kind="incremental", parent=parent,
                        created="2026-11-20T%02d:00:00Z" % i, entries=[]))
    parent = label
now = copy.deepcopy(base)
bump(now, "events", [17])
write("chain_full", catalog([now], chain))

# 11. Several databases: crm (first full), sales (incremental), ops (nothing changed).
crm = {"name": "crm", "functions": ["normalize_email"], "tables": [
    table("contacts", parts=partitions(4, 50000)),
    table("mv_contacts_by_day", kind="MATERIALIZED_VIEW", parts=partitions(2, 51000)),
]}
ops = {"name": "ops", "functions": [], "tables": [table("audit_log", parts=partitions(3, 60000)),
                                                  table("scratch", parts=partitions(1, 61000))]}
sales_now = copy.deepcopy(base)
bump(sales_now, "events", [7])
multi_hist = hist + [record("nightly-ops-20261120-040000-full",
                            {"name": "ops", "tables": [ops["tables"][0]]})]
policy = POLICY.replace('include = ["sales.*"]',
                        'include = ["sales.*", "crm.*", "ops.audit_*"]\nexclude = ["crm.tmp_*"]')
write("several_databases", catalog([sales_now, crm, ops], multi_hist), policy=policy)

# 12. Chunking: a first full of 365 + 1 partitions with at most 100 per job.
policy = POLICY + "max_partitions_per_job = 100\n"
write("chunking", catalog([sales_db(365)], repos=[repo()]), policy=policy)

# 13. Chunking of an incremental: 250 changed partitions, at most 100 per job.
now = copy.deepcopy(big)
bump(now, "events", range(0, 250))
write("chunking_incremental", catalog([now], [record(FULL, big)]), policy=policy)

# 14. Hand-written statements in order after the generated backups.
policy = POLICY + """
[[statement]]
file = "sql/restore_events.sql"

[[statement]]
file = "sql/swap.sql"
"""
sql = {
    "sql/restore_events.sql": "-- Restore two days of events next to the live table.\n"
    "RESTORE SNAPSHOT sales.`nightly-sales-20261120-040000-full` FROM s3_main\n"
    "ON (TABLE events PARTITION (p20250101, p20250102) AS events_restored)\n"
    "PROPERTIES (\"backup_timestamp\" = \"2026-11-20-04-00-01-123\", \"replication_num\" = \"1\");\n",
    "sql/swap.sql": "ALTER TABLE sales.events SWAP WITH events_restored;\n",
}
now = copy.deepcopy(base)
bump(now, "events", [1])
write("handwritten", catalog([now], hist), policy=policy, sql=sql)

# 15. Hand-written statements the catalog refutes: unknown table, unknown partition, an empty
#     database, and a pattern matching nothing plus a table claimed by two groups.
policy = POLICY + """
[group.events_only]
include = ["sales.events", "salse.*"]
repository = "s3_main"

[[statement]]
file = "sql/bad.sql"
"""
sql = {"sql/bad.sql": "BACKUP DATABASE sales SNAPSHOT manual_1 TO s3_main\n"
       "ON (TABLE events PARTITION (p20991231), TABLE no_such_table);\n"
       "BACKUP DATABASE empty_db SNAPSHOT manual_2 TO s3_main;\n"
       "BACKUP DATABASE missing_db SNAPSHOT manual_3 TO s3_main;\n"
       "RESTORE SNAPSHOT sales.no_such_snapshot FROM s3_main\n"
       "PROPERTIES (\"backup_timestamp\" = \"2026-11-20-04-00-01-123\");\n"
       "RESTORE SNAPSHOT sales.`nightly-sales-20261120-040000-full` FROM s3_main\n"
       "PROPERTIES (\"backup_timestamp\" = \"2026-11-20-04-00-09-999\");\n"}
write("err_catalog_checks", catalog([sales_db(), {"name": "empty_db"}], repos=[repo([FULL])]),
      policy=policy, sql=sql)

# 16. A StarRocks 3.3 cluster: the legacy syntax (bare names; views by name; no functions).
legacy = catalog([sales_db()], repos=[repo()])
legacy["cluster"]["version"] = "3.3.9-0c1d2e3"
legacy["databases"][0]["functions"] = ["fn_a"]
write("legacy_3_3", legacy)

# 17. External catalogs with the group: a first catalog backup (metadata), plus the tables.
policy = POLICY.replace('include = ["sales.*"]',
                        'include = ["sales.*"]\nexternal_catalogs = ["hive_prod"]')
ext = catalog([copy.deepcopy(base)], hist)
ext["external_catalogs"] = ["hive_prod", "iceberg_dev"]
write("external_catalogs", ext, policy=policy)

# 18. Labels that cannot be used and a read-only repository: the label the plan would make
#     already exists in the repository (an earlier run at the same as_of that history lost),
#     and a second group backs up into a read-only repository.
policy = POLICY + """
[repository.archive]
location = "hdfs://nn:8020/archive"
broker = "hdfs_broker"
read_only = true

[group.archive]
include = ["crm.*"]
repository = "archive"

[[statement]]
file = "sql/manual.sql"
"""
crm_only = {"name": "crm", "tables": [table("contacts", parts=partitions(2, 50000))]}
labels = catalog([sales_db(), crm_only], repos=[
    repo(["nightly-sales-20261122-040000-full"]),
    {"name": "archive", "location": "hdfs://nn:8020/archive", "broker": "hdfs_broker",
     "read_only": True, "snapshots": []},
])
sql = {"sql/manual.sql": "-- A manual backup under a label the repository already holds.\n"
       "BACKUP DATABASE sales SNAPSHOT `nightly-sales-20261122-040000-full` TO s3_main\n"
       "ON (TABLE customers);\n"}
write("err_labels", labels, policy=policy, sql=sql)

# 19. A LIST-partitioned table that gained a partition since the full: a full
#     (`list_partitions_added`), because RESTORE cannot add a LIST partition onto the table
#     from another snapshot (spec §9.2). A load into the range table rides along.
def list_table(name, values, base_id):
    t = table(name, parts=[{"name": "p_" + v, "id": base_id + i, "visible_version": 2}
                           for i, v in enumerate(values)])
    t["partitioning"] = "list"
    return t


list_base = sales_db(30)
list_base["tables"].append(list_table("regions", ["east", "west"], 70000))
now = copy.deepcopy(list_base)
now["tables"][-1]["partitions"].append({"name": "p_north", "id": 70002, "visible_version": 2})
bump(now, "events", [4])
write("list_partitions_added", catalog([now], [record(FULL, list_base)]))

# 20. Chunking with a LIST table: at most 4 partitions per job; the LIST table's 6 partitions
#     go whole into a chunk of their own, the range table is split.
policy = POLICY + "max_partitions_per_job = 4\n"
chunk_db = sales_db(5)
chunk_db["tables"].append(list_table("regions", ["a", "b", "c", "d", "e", "f"], 71000))
write("list_chunking", catalog([chunk_db], repos=[repo()]), policy=policy)

# 21. A snapshot of the chain is gone from the repository (inc1 deleted by hand): the chain is
#     not extended; a load makes a full (`parent_missing`).
now = copy.deepcopy(base)
bump(now, "events", [2])
write("parent_missing", catalog([now], hist2, repos=[repo([FULL])]))

# 22. Retention on 4.2: fifteen daily sets (fulls on days 0, 7 and 14), keep three dailies and
#     two weeklies; a load makes an incremental on day 15. The first chain goes (DROP SNAPSHOT per
#     label), except what a weekly keeps and its ancestors; the plan lists what is kept and why.
#     BACKUP carries StarRocks's own ttl.
def daily_history(n, every=7, start=datetime.datetime(2026, 11, 2, 4, 0, 0)):
    out = []
    prev = None
    for i in range(n):
        t = start + datetime.timedelta(days=i)
        kind = "full" if i % every == 0 else "incremental"
        label = "nightly-sales-" + t.strftime("%Y%m%d-%H%M%S") + "-" + kind
        r = record(label, base, kind=kind, parent=prev if kind == "incremental" else None,
                   created=t.strftime("%Y-%m-%dT%H:%M:%SZ"))
        r["backup_time_ms"] = int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000) + 1500
        out.append(r)
        prev = label
    return out


RETENTION = POLICY + 'keep = { daily = 3, weekly = 2 }\nmin_chains = 1\n'
hist15 = daily_history(15)
now = copy.deepcopy(base)
bump(now, "events", [1])
cat42 = catalog([now], hist15)
cat42["cluster"]["version"] = "4.2.0-retention"
write("retention_4_2", cat42, policy=RETENTION + 'ttl = "90d"\n', as_of="2026-11-17T04:00:00Z")

# 23. The same on 3.4: expire steps delete the snapshots' objects (no statement to send);
# `ttl` is 4.2's, so it is warning P114 and no BACKUP carries it.
write("retention_3_4", catalog([now], hist15), policy=RETENTION + 'ttl = "90d"\n', as_of="2026-11-17T04:00:00Z")
