"""A third-party tool's state in StarRocks tables, through pymysql against the simulator.

Usage: status_table.py PORT. Exits non-zero (with the failing assertion) on any difference.
"""
import sys

import pymysql

conn = pymysql.connect(host="127.0.0.1", port=int(sys.argv[1]), user="root", password="",
                       autocommit=True)
cur = conn.cursor()
for sql in [
    "CREATE DATABASE tool",
    "USE tool",
    "CREATE TABLE status (job VARCHAR(64) NOT NULL, state VARCHAR(16), updated DATETIME) "
    "PRIMARY KEY (job) DISTRIBUTED BY HASH(job) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
    "CREATE TABLE history (label VARCHAR(64) NOT NULL, job VARCHAR(64) NOT NULL) "
    "DUPLICATE KEY (label) DISTRIBUTED BY HASH(label) BUCKETS 1 PROPERTIES ('replication_num' = '1')",
]:
    cur.execute(sql)

cur.execute("INSERT INTO status VALUES (%s, %s, NOW()), (%s, %s, NOW())",
            ("nightly", "RUNNING", "hourly", "RUNNING"))
cur.execute("INSERT INTO history VALUES (%s, %s)", ("n-1", "nightly"))
assert cur.execute("UPDATE status SET state = %s, updated = NOW() WHERE job = %s",
                   ("FINISHED", "nightly")) == 1
cur.execute("DELETE FROM status WHERE job = %s", ("hourly",))
cur.execute("SELECT s.job, s.state, h.label FROM status s JOIN history h ON h.job = s.job "
            "WHERE h.label = %s", ("n-1",))
rows = cur.fetchall()
assert rows == (("nightly", "FINISHED", "n-1"),), rows
cur.execute("SELECT job FROM status WHERE job IN (SELECT job FROM history)")
assert cur.fetchall() == (("nightly",),)

try:
    cur.execute("UPDATE history SET job = 'x' WHERE label = 'n-1'")
    raise AssertionError("UPDATE on a DUPLICATE KEY table was accepted")
except pymysql.err.MySQLError as e:
    assert e.args == (1064, "table history does not support update"), e.args
print("ok")
