#!/bin/sh
# Makes previous-release-*.sql: the files of a tree (cn, cn.gd, cn.gd.sz) run by an earlier
# tiersync, the city's log holding changes it has not sent. Usage:
#   Tests/Fixtures/make-previous-release.sh /path/to/old/tiersync
# The dumps are text (sqlite3 .dump). UpgradeTests and StoreMigrationTests load them.
set -eu
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
out=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
pids=""
cleanup() { for pid in $pids; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for FILE SQL EXPECTED: polls for up to 60 s
    i=0
    until [ "$(sqlite3 -cmd '.timeout 5000' "$1" "$2")" = "$3" ]; do
        i=$((i + 1)); [ $i -le 600 ] || { echo "timed out waiting for $2 = $3 in $1" >&2; exit 1; }
        sleep 0.1
    done
}

cn=$(port); gd=$(port); sz=$(port)
printf '[node]\nid = "cn"\nlisten = "127.0.0.1:%s"\ndatabase = "cn.sqlite"\n' "$cn" > cn.conf
printf '[node]\nid = "cn.gd"\nlisten = "127.0.0.1:%s"\ndatabase = "cn.gd.sqlite"\nparent = "http://127.0.0.1:%s"\n' "$gd" "$cn" > cn.gd.conf
printf '[node]\nid = "cn.gd.sz"\nlisten = "127.0.0.1:%s"\ndatabase = "cn.gd.sz.sqlite"\nparent = "http://127.0.0.1:%s"\n' "$sz" "$gd" > cn.gd.sz.conf
for id in cn cn.gd cn.gd.sz; do printf '[sync]\ninterval = 0.3\n[auth]\nkey = "%s.key"\n' "$id" >> "$id.conf"; done
key() { "$bin" keygen --config "$1.conf" | sed -n 's/^public key: //p'; }
printf '[children]\ncn.gd = "%s"\n' "$(key cn.gd)" >> cn.conf
printf '[children]\ncn.gd.sz = "%s"\n' "$(key cn.gd.sz)" >> cn.gd.conf
key cn > /dev/null

for id in cn cn.gd cn.gd.sz; do "$bin" serve --config "$id.conf" > "$id.log" 2>&1 & pids="$pids $!"; done
wait_for cn.gd.sz.sqlite "SELECT count(*) FROM sqlite_master WHERE name = '_ts_customer_insert'" 1
wait_for cn.sqlite "SELECT count(*) FROM sqlite_master WHERE name = '_ts_product_insert'" 1

# Sent: rows the province and the group hold before the upgrade.
sqlite3 -cmd '.timeout 5000' cn.gd.sz.sqlite "
  INSERT INTO customer(id, name, classes, manager, status, scope) VALUES
    ('SZ-1', '深圳供电局', 'important', 'li', 'active', 'cn.gd.sz'),
    ('SZ-2', '招商银行', 'normal', 'wu', 'active', 'cn.gd.sz'),
    ('SZ-3', 'O''Brien & Co', NULL, 'li', 'active', 'cn.gd.sz');
  INSERT INTO contact(id, customer_id, name, phone, scope) VALUES ('K-1', 'SZ-1', 'Wang', '138', 'cn.gd.sz');
  INSERT INTO revenue VALUES ('SZ-1', '2026-10', 'data', 120000, 'cn.gd.sz');"
sqlite3 -cmd '.timeout 5000' cn.sqlite "INSERT INTO product(id, name, category, monthly_fee_fen, status, scope) VALUES ('P-1', '专线 100M', 'line', 880000, 'active', 'cn');"
wait_for cn.sqlite "SELECT count(*) FROM customer" 3
wait_for cn.sqlite "SELECT count(*) FROM revenue" 1
wait_for cn.gd.sqlite "SELECT count(*) FROM contact" 1
wait_for cn.gd.sz.sqlite "SELECT count(*) FROM product" 1
# The city's push cursor reaches its log head: everything so far was sent.
wait_for cn.gd.sz.sqlite "SELECT (SELECT pushed FROM _ts_peer WHERE role = 'parent') = (SELECT max(seq) FROM _ts_log)" 1

# Unsent: written at the city while its daemon is stopped.
for pid in $pids; do kill "$pid"; wait "$pid" || true; done
pids=""
sqlite3 -cmd '.timeout 5000' cn.gd.sz.sqlite "
  INSERT INTO customer(id, name, classes, manager, status, scope) VALUES ('SZ-4', '腾讯', 'important', 'chen', 'active', 'cn.gd.sz');
  UPDATE customer SET name = '深圳供电局（南网）', manager = 'chen' WHERE id = 'SZ-1';
  DELETE FROM customer WHERE id = 'SZ-2';
  UPDATE revenue SET amount_fen = 125000 WHERE customer_id = 'SZ-1';
  INSERT INTO revenue VALUES ('SZ-4', '2026-11', 'line', 880000, 'cn.gd.sz');
  INSERT INTO contact(id, customer_id, name, phone, scope) VALUES ('K-2', 'SZ-4', 'Zhao', '139', 'cn.gd.sz');
  INSERT INTO ticket(id, customer_id, kind, summary, status, scope) VALUES ('T-1', 'SZ-4', 'fault', 'line down', 'open', 'cn.gd.sz');"

for id in cn cn.gd cn.gd.sz; do sqlite3 "$id.sqlite" .dump > "$out/previous-release-$id.sql"; done
echo "wrote $out/previous-release-{cn,cn.gd,cn.gd.sz}.sql"
