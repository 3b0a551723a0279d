PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE _ts_node(
    id INTEGER PRIMARY KEY CHECK (id = 1),
    node TEXT NOT NULL,
    hlc INTEGER NOT NULL DEFAULT 0,
    applying INTEGER NOT NULL DEFAULT 0,
    epoch TEXT NOT NULL,
    captured INTEGER NOT NULL DEFAULT 0,
    observing INTEGER NOT NULL DEFAULT 0,
    gap_since REAL,
    gap_found REAL,
    gap_triggers TEXT
);
INSERT INTO _ts_node VALUES(1,'cn.gd.sz',117723067450720256,0,'946241fa-55c6-4454-9995-31e51841effa',12,0,NULL,NULL,NULL);
CREATE TABLE _ts_log(
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,
    hlc INTEGER NOT NULL,
    origin TEXT NOT NULL,
    source TEXT NOT NULL,
    scope TEXT NOT NULL,
    prev_scope TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    meta TEXT NOT NULL,
    tomb TEXT,
    born INTEGER,
    UNIQUE(tbl, pk)
);
INSERT INTO _ts_log VALUES(3,'customer','["SZ-3"]',117723067365064706,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067365064706},"e":[[117723067365064706,"cn.gd.sz",0,0]],"c":{"unified_code":[[117723067365064706,"cn.gd.sz",0]],"name":[[117723067365064706,"cn.gd.sz",0]],"classes":[[117723067365064706,"cn.gd.sz",0]],"industry":[[117723067365064706,"cn.gd.sz",0]],"manager":[[117723067365064706,"cn.gd.sz",0]],"credit_level":[[117723067365064706,"cn.gd.sz",0]],"status":[[117723067365064706,"cn.gd.sz",0]],"scope":[[117723067365064706,"cn.gd.sz",0]]},"b":{}}',NULL,3);
INSERT INTO _ts_log VALUES(4,'contact','["K-1"]',117723067366572032,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067366572032},"e":[[117723067366572032,"cn.gd.sz",0,0]],"c":{"*":[[117723067366572032,"cn.gd.sz",1]]},"b":{}}',NULL,4);
INSERT INTO _ts_log VALUES(6,'product','["P-1"]',117723067368996864,'cn','cn','cn',NULL,0,'{"v":{"cn":117723067368996864},"e":[[117723067368996864,"cn",0,0]],"c":{"*":[[117723067368996864,"cn",2]]},"b":{}}',NULL,6);
INSERT INTO _ts_log VALUES(7,'customer','["SZ-4"]',117723067449737216,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067449737216},"e":[[117723067449737216,"cn.gd.sz",0,0]],"c":{"unified_code":[[117723067449737216,"cn.gd.sz",0]],"name":[[117723067449737216,"cn.gd.sz",0]],"classes":[[117723067449737216,"cn.gd.sz",0]],"industry":[[117723067449737216,"cn.gd.sz",0]],"manager":[[117723067449737216,"cn.gd.sz",0]],"credit_level":[[117723067449737216,"cn.gd.sz",0]],"status":[[117723067449737216,"cn.gd.sz",0]],"scope":[[117723067449737216,"cn.gd.sz",0]]},"b":{}}',NULL,7);
INSERT INTO _ts_log VALUES(8,'customer','["SZ-1"]',117723067450261504,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067450261504},"e":[[117723067450261504,"cn.gd.sz",0,0]],"c":{"unified_code":[[117723067365064704,"cn.gd.sz",0]],"name":[[117723067450261504,"cn.gd.sz",0]],"classes":[[117723067365064704,"cn.gd.sz",0]],"industry":[[117723067365064704,"cn.gd.sz",0]],"manager":[[117723067450261504,"cn.gd.sz",0]],"credit_level":[[117723067365064704,"cn.gd.sz",0]],"status":[[117723067365064704,"cn.gd.sz",0]],"scope":[[117723067365064704,"cn.gd.sz",0]]},"b":{"unified_code":null,"name":[117723067365064704,"cn.gd.sz",["深圳供电局"]],"classes":null,"industry":null,"manager":[117723067365064704,"cn.gd.sz",["li"]],"credit_level":null,"status":null,"scope":null}}',NULL,1);
INSERT INTO _ts_log VALUES(9,'customer','["SZ-2"]',117723067450327040,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,1,'{"v":{"cn.gd.sz":117723067450327040},"e":[[117723067450327040,"cn.gd.sz",0,1]],"c":{"unified_code":[[117723067365064705,"cn.gd.sz",0]],"name":[[117723067365064705,"cn.gd.sz",0]],"classes":[[117723067365064705,"cn.gd.sz",0]],"industry":[[117723067365064705,"cn.gd.sz",0]],"manager":[[117723067365064705,"cn.gd.sz",0]],"credit_level":[[117723067365064705,"cn.gd.sz",0]],"status":[[117723067365064705,"cn.gd.sz",0]],"scope":[[117723067365064705,"cn.gd.sz",0]]},"b":{}}','["SZ-2",null,"招商银行","normal",null,"wu",null,"active","cn.gd.sz"]',2);
INSERT INTO _ts_log VALUES(10,'revenue','["SZ-1","2026-10","data"]',117723067450392576,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067450392576},"e":[[117723067450392576,"cn.gd.sz",0,0]],"c":{"*":[[117723067450392576,"cn.gd.sz",1]]},"b":{"*":[117723067366768640,"cn.gd.sz",["SZ-1","2026-10","data",120000,"cn.gd.sz"]]}}',NULL,5);
INSERT INTO _ts_log VALUES(11,'revenue','["SZ-4","2026-11","line"]',117723067450458112,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067450458112},"e":[[117723067450458112,"cn.gd.sz",0,0]],"c":{"*":[[117723067450458112,"cn.gd.sz",1]]},"b":{}}',NULL,11);
INSERT INTO _ts_log VALUES(12,'contact','["K-2"]',117723067450458113,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067450458113},"e":[[117723067450458113,"cn.gd.sz",0,0]],"c":{"*":[[117723067450458113,"cn.gd.sz",1]]},"b":{}}',NULL,12);
INSERT INTO _ts_log VALUES(13,'ticket','["T-1"]',117723067450720256,'cn.gd.sz','cn.gd.sz','cn.gd.sz',NULL,0,'{"v":{"cn.gd.sz":117723067450720256},"e":[[117723067450720256,"cn.gd.sz",0,0]],"c":{"*":[[117723067450720256,"cn.gd.sz",0]]},"b":{}}',NULL,13);
CREATE TABLE _ts_evict(
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,
    scope TEXT NOT NULL,
    seq INTEGER NOT NULL,
    source TEXT NOT NULL,
    context TEXT NOT NULL,
    born INTEGER,
    PRIMARY KEY(tbl, pk, scope)
);
CREATE TABLE _ts_peer(
    node TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    pushed INTEGER NOT NULL DEFAULT 0,
    pulled INTEGER NOT NULL DEFAULT 0,
    epoch TEXT,
    last_contact REAL,
    last_error TEXT,
    served INTEGER,
    resync INTEGER NOT NULL DEFAULT 0,
    newest_change INTEGER,
    summary TEXT,
    summary_at REAL
);
INSERT INTO _ts_peer VALUES('cn.gd','parent',6,6,'dc96b087-1821-42cd-89a9-b580a175ee3c',1796311453.7885656357,NULL,NULL,0,NULL,NULL,NULL);
CREATE TABLE _ts_rejected(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at REAL NOT NULL,
    peer TEXT,
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,
    version TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE _ts_conflict(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    detected_at REAL NOT NULL,
    peer TEXT,
    tbl TEXT NOT NULL,
    pk TEXT NOT NULL,
    register TEXT NOT NULL,
    rule TEXT NOT NULL,
    manual INTEGER NOT NULL,
    local_version TEXT NOT NULL,
    local_value TEXT,
    remote_version TEXT NOT NULL,
    remote_value TEXT,
    base_version TEXT,
    base_value TEXT,
    winner TEXT NOT NULL,
    status TEXT NOT NULL,
    resolution TEXT,
    resolved_at REAL
);
CREATE TABLE _ts_resync(
    peer TEXT NOT NULL,
    tbl TEXT NOT NULL,
    path TEXT NOT NULL,
    parent_epoch TEXT NOT NULL,
    parent_head INTEGER NOT NULL,
    cursor_broken INTEGER NOT NULL DEFAULT 0,
    done_through INTEGER NOT NULL DEFAULT -1,
    finished INTEGER NOT NULL DEFAULT 0,
    counts TEXT,
    started_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY(peer, tbl)
);
CREATE TABLE customer(id TEXT PRIMARY KEY, unified_code TEXT, name TEXT NOT NULL, classes TEXT, industry TEXT, manager TEXT, credit_level TEXT, status TEXT, scope TEXT NOT NULL);
INSERT INTO customer VALUES('SZ-1',NULL,'深圳供电局（南网）','important',NULL,'chen',NULL,'active','cn.gd.sz');
INSERT INTO customer VALUES('SZ-3',NULL,'O''Brien & Co',NULL,NULL,'li',NULL,'active','cn.gd.sz');
INSERT INTO customer VALUES('SZ-4',NULL,'腾讯','important',NULL,'chen',NULL,'active','cn.gd.sz');
CREATE TABLE contact(id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, name TEXT, phone TEXT, title TEXT, scope TEXT NOT NULL);
INSERT INTO contact VALUES('K-1','SZ-1','Wang','138',NULL,'cn.gd.sz');
INSERT INTO contact VALUES('K-2','SZ-4','Zhao','139',NULL,'cn.gd.sz');
CREATE TABLE revenue(customer_id TEXT NOT NULL, period TEXT NOT NULL, category TEXT NOT NULL, amount_fen INTEGER NOT NULL, scope TEXT NOT NULL, PRIMARY KEY(customer_id, period, category));
INSERT INTO revenue VALUES('SZ-1','2026-10','data',125000,'cn.gd.sz');
INSERT INTO revenue VALUES('SZ-4','2026-11','line',880000,'cn.gd.sz');
CREATE TABLE product(id TEXT PRIMARY KEY, name TEXT NOT NULL, category TEXT, monthly_fee_fen INTEGER, status TEXT, scope TEXT NOT NULL);
INSERT INTO product VALUES('P-1','专线 100M','line',880000,'active','cn');
CREATE TABLE marketing_plan(id TEXT PRIMARY KEY, title TEXT NOT NULL, period TEXT, target_fen INTEGER, body TEXT, scope TEXT NOT NULL);
CREATE TABLE ticket(id TEXT PRIMARY KEY, customer_id TEXT, kind TEXT, summary TEXT, status TEXT, opened_at TEXT, scope TEXT NOT NULL);
INSERT INTO ticket VALUES('T-1','SZ-4','fault','line down','open',NULL,'cn.gd.sz');
DELETE FROM sqlite_sequence;
INSERT INTO sqlite_sequence VALUES('_ts_log',13);
CREATE INDEX _ts_evict_seq ON _ts_evict(seq);
CREATE INDEX _ts_conflict_status ON _ts_conflict(status, id);
CREATE INDEX _ts_rejected_row ON _ts_rejected(tbl, pk);
CREATE TRIGGER _ts_customer_insert AFTER INSERT ON "customer" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'customer', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."unified_code"', json_array(json_array(n.hlc, n.node, 0)), '$.c."name"', json_array(json_array(n.hlc, n.node, 0)), '$.c."classes"', json_array(json_array(n.hlc, n.node, 0)), '$.c."industry"', json_array(json_array(n.hlc, n.node, 0)), '$.c."manager"', json_array(json_array(n.hlc, n.node, 0)), '$.c."credit_level"', json_array(json_array(n.hlc, n.node, 0)), '$.c."status"', json_array(json_array(n.hlc, n.node, 0)), '$.c."scope"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'customer' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_customer_update AFTER UPDATE ON "customer" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'customer', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."unified_code"', coalesce(json(json_extract(l.meta, '$.c."unified_code"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."name"', coalesce(json(json_extract(l.meta, '$.c."name"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."classes"', coalesce(json(json_extract(l.meta, '$.c."classes"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."industry"', coalesce(json(json_extract(l.meta, '$.c."industry"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."manager"', coalesce(json(json_extract(l.meta, '$.c."manager"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."credit_level"', coalesce(json(json_extract(l.meta, '$.c."credit_level"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."status"', coalesce(json(json_extract(l.meta, '$.c."status"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."scope"', coalesce(json(json_extract(l.meta, '$.c."scope"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."unified_code") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."unified_code")) WHEN 'blob' THEN json_object('hex', hex(OLD."unified_code")) ELSE OLD."unified_code" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."classes") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."classes")) WHEN 'blob' THEN json_object('hex', hex(OLD."classes")) ELSE OLD."classes" END, CASE typeof(OLD."industry") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."industry")) WHEN 'blob' THEN json_object('hex', hex(OLD."industry")) ELSE OLD."industry" END, CASE typeof(OLD."manager") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."manager")) WHEN 'blob' THEN json_object('hex', hex(OLD."manager")) ELSE OLD."manager" END, CASE typeof(OLD."credit_level") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."credit_level")) WHEN 'blob' THEN json_object('hex', hex(OLD."credit_level")) ELSE OLD."credit_level" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'customer' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'customer', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."unified_code"', json_array(json_array(n.hlc, n.node, 0)), '$.c."name"', json_array(json_array(n.hlc, n.node, 0)), '$.c."classes"', json_array(json_array(n.hlc, n.node, 0)), '$.c."industry"', json_array(json_array(n.hlc, n.node, 0)), '$.c."manager"', json_array(json_array(n.hlc, n.node, 0)), '$.c."credit_level"', json_array(json_array(n.hlc, n.node, 0)), '$.c."status"', json_array(json_array(n.hlc, n.node, 0)), '$.c."scope"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'customer' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'customer', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."unified_code"', CASE WHEN (OLD."unified_code" IS NOT NEW."unified_code" COLLATE BINARY OR typeof(OLD."unified_code") <> typeof(NEW."unified_code")) OR json_extract(l.meta, '$.c."unified_code"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."unified_code"')) END, '$.b."unified_code"', CASE WHEN (OLD."unified_code" IS NOT NEW."unified_code" COLLATE BINARY OR typeof(OLD."unified_code") <> typeof(NEW."unified_code")) THEN json_array(json_extract(l.meta, '$.c."unified_code"[0][0]'), json_extract(l.meta, '$.c."unified_code"[0][1]'), json_array(CASE typeof(OLD."unified_code") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."unified_code")) WHEN 'blob' THEN json_object('hex', hex(OLD."unified_code")) ELSE OLD."unified_code" END)) ELSE json(json_extract(l.meta, '$.b."unified_code"')) END, '$.c."name"', CASE WHEN (OLD."name" IS NOT NEW."name" COLLATE BINARY OR typeof(OLD."name") <> typeof(NEW."name")) OR json_extract(l.meta, '$.c."name"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."name"')) END, '$.b."name"', CASE WHEN (OLD."name" IS NOT NEW."name" COLLATE BINARY OR typeof(OLD."name") <> typeof(NEW."name")) THEN json_array(json_extract(l.meta, '$.c."name"[0][0]'), json_extract(l.meta, '$.c."name"[0][1]'), json_array(CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END)) ELSE json(json_extract(l.meta, '$.b."name"')) END, '$.c."classes"', CASE WHEN (OLD."classes" IS NOT NEW."classes" COLLATE BINARY OR typeof(OLD."classes") <> typeof(NEW."classes")) OR json_extract(l.meta, '$.c."classes"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."classes"')) END, '$.b."classes"', CASE WHEN (OLD."classes" IS NOT NEW."classes" COLLATE BINARY OR typeof(OLD."classes") <> typeof(NEW."classes")) THEN json_array(json_extract(l.meta, '$.c."classes"[0][0]'), json_extract(l.meta, '$.c."classes"[0][1]'), json_array(CASE typeof(OLD."classes") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."classes")) WHEN 'blob' THEN json_object('hex', hex(OLD."classes")) ELSE OLD."classes" END)) ELSE json(json_extract(l.meta, '$.b."classes"')) END, '$.c."industry"', CASE WHEN (OLD."industry" IS NOT NEW."industry" COLLATE BINARY OR typeof(OLD."industry") <> typeof(NEW."industry")) OR json_extract(l.meta, '$.c."industry"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."industry"')) END, '$.b."industry"', CASE WHEN (OLD."industry" IS NOT NEW."industry" COLLATE BINARY OR typeof(OLD."industry") <> typeof(NEW."industry")) THEN json_array(json_extract(l.meta, '$.c."industry"[0][0]'), json_extract(l.meta, '$.c."industry"[0][1]'), json_array(CASE typeof(OLD."industry") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."industry")) WHEN 'blob' THEN json_object('hex', hex(OLD."industry")) ELSE OLD."industry" END)) ELSE json(json_extract(l.meta, '$.b."industry"')) END, '$.c."manager"', CASE WHEN (OLD."manager" IS NOT NEW."manager" COLLATE BINARY OR typeof(OLD."manager") <> typeof(NEW."manager")) OR json_extract(l.meta, '$.c."manager"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."manager"')) END, '$.b."manager"', CASE WHEN (OLD."manager" IS NOT NEW."manager" COLLATE BINARY OR typeof(OLD."manager") <> typeof(NEW."manager")) THEN json_array(json_extract(l.meta, '$.c."manager"[0][0]'), json_extract(l.meta, '$.c."manager"[0][1]'), json_array(CASE typeof(OLD."manager") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."manager")) WHEN 'blob' THEN json_object('hex', hex(OLD."manager")) ELSE OLD."manager" END)) ELSE json(json_extract(l.meta, '$.b."manager"')) END, '$.c."credit_level"', CASE WHEN (OLD."credit_level" IS NOT NEW."credit_level" COLLATE BINARY OR typeof(OLD."credit_level") <> typeof(NEW."credit_level")) OR json_extract(l.meta, '$.c."credit_level"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."credit_level"')) END, '$.b."credit_level"', CASE WHEN (OLD."credit_level" IS NOT NEW."credit_level" COLLATE BINARY OR typeof(OLD."credit_level") <> typeof(NEW."credit_level")) THEN json_array(json_extract(l.meta, '$.c."credit_level"[0][0]'), json_extract(l.meta, '$.c."credit_level"[0][1]'), json_array(CASE typeof(OLD."credit_level") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."credit_level")) WHEN 'blob' THEN json_object('hex', hex(OLD."credit_level")) ELSE OLD."credit_level" END)) ELSE json(json_extract(l.meta, '$.b."credit_level"')) END, '$.c."status"', CASE WHEN (OLD."status" IS NOT NEW."status" COLLATE BINARY OR typeof(OLD."status") <> typeof(NEW."status")) OR json_extract(l.meta, '$.c."status"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."status"')) END, '$.b."status"', CASE WHEN (OLD."status" IS NOT NEW."status" COLLATE BINARY OR typeof(OLD."status") <> typeof(NEW."status")) THEN json_array(json_extract(l.meta, '$.c."status"[0][0]'), json_extract(l.meta, '$.c."status"[0][1]'), json_array(CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END)) ELSE json(json_extract(l.meta, '$.b."status"')) END, '$.c."scope"', CASE WHEN (OLD."scope" IS NOT NEW."scope" COLLATE BINARY OR typeof(OLD."scope") <> typeof(NEW."scope")) OR json_extract(l.meta, '$.c."scope"') IS NULL THEN json_array(json_array(n.hlc, n.node, 0)) ELSE json(json_extract(l.meta, '$.c."scope"')) END, '$.b."scope"', CASE WHEN (OLD."scope" IS NOT NEW."scope" COLLATE BINARY OR typeof(OLD."scope") <> typeof(NEW."scope")) THEN json_array(json_extract(l.meta, '$.c."scope"[0][0]'), json_extract(l.meta, '$.c."scope"[0][1]'), json_array(CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END)) ELSE json(json_extract(l.meta, '$.b."scope"')) END), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'customer' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
  SELECT 'customer', json_array(NEW."id"), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
  FROM _ts_log l WHERE l.tbl = 'customer' AND l.pk = json_array(NEW."id") AND typeof(OLD.scope) = 'text' AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
    context = excluded.context, born = excluded.born;
DELETE FROM _ts_evict WHERE tbl = 'customer' AND pk = json_array(NEW."id") AND scope = NEW.scope AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id")); END;
CREATE TRIGGER _ts_customer_delete AFTER DELETE ON "customer" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'customer', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."unified_code"', coalesce(json(json_extract(l.meta, '$.c."unified_code"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."name"', coalesce(json(json_extract(l.meta, '$.c."name"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."classes"', coalesce(json(json_extract(l.meta, '$.c."classes"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."industry"', coalesce(json(json_extract(l.meta, '$.c."industry"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."manager"', coalesce(json(json_extract(l.meta, '$.c."manager"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."credit_level"', coalesce(json(json_extract(l.meta, '$.c."credit_level"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."status"', coalesce(json(json_extract(l.meta, '$.c."status"')), json_array(json_array(n.hlc, n.node, 0))), '$.c."scope"', coalesce(json(json_extract(l.meta, '$.c."scope"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."unified_code") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."unified_code")) WHEN 'blob' THEN json_object('hex', hex(OLD."unified_code")) ELSE OLD."unified_code" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."classes") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."classes")) WHEN 'blob' THEN json_object('hex', hex(OLD."classes")) ELSE OLD."classes" END, CASE typeof(OLD."industry") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."industry")) WHEN 'blob' THEN json_object('hex', hex(OLD."industry")) ELSE OLD."industry" END, CASE typeof(OLD."manager") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."manager")) WHEN 'blob' THEN json_object('hex', hex(OLD."manager")) ELSE OLD."manager" END, CASE typeof(OLD."credit_level") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."credit_level")) WHEN 'blob' THEN json_object('hex', hex(OLD."credit_level")) ELSE OLD."credit_level" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'customer' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_contact_insert AFTER INSERT ON "contact" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'contact', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, (NEW.scope = 'cn.gd.sz'))), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'contact' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_contact_update AFTER UPDATE ON "contact" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'contact', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, (OLD.scope = 'cn.gd.sz'))))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."phone") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."phone")) WHEN 'blob' THEN json_object('hex', hex(OLD."phone")) ELSE OLD."phone" END, CASE typeof(OLD."title") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."title")) WHEN 'blob' THEN json_object('hex', hex(OLD."title")) ELSE OLD."title" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'contact' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'contact', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, (NEW.scope = 'cn.gd.sz'))), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'contact' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'contact', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, (NEW.scope = 'cn.gd.sz'))), '$.b."*"', json_array(json_extract(l.meta, '$.c."*"[0][0]'), json_extract(l.meta, '$.c."*"[0][1]'), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."phone") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."phone")) WHEN 'blob' THEN json_object('hex', hex(OLD."phone")) ELSE OLD."phone" END, CASE typeof(OLD."title") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."title")) WHEN 'blob' THEN json_object('hex', hex(OLD."title")) ELSE OLD."title" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END))), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'contact' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
  SELECT 'contact', json_array(NEW."id"), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
  FROM _ts_log l WHERE l.tbl = 'contact' AND l.pk = json_array(NEW."id") AND typeof(OLD.scope) = 'text' AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
    context = excluded.context, born = excluded.born;
DELETE FROM _ts_evict WHERE tbl = 'contact' AND pk = json_array(NEW."id") AND scope = NEW.scope AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id")); END;
CREATE TRIGGER _ts_contact_delete AFTER DELETE ON "contact" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'contact', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, (OLD.scope = 'cn.gd.sz'))))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."phone") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."phone")) WHEN 'blob' THEN json_object('hex', hex(OLD."phone")) ELSE OLD."phone" END, CASE typeof(OLD."title") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."title")) WHEN 'blob' THEN json_object('hex', hex(OLD."title")) ELSE OLD."title" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'contact' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_revenue_insert AFTER INSERT ON "revenue" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'revenue', json_array(NEW."customer_id", NEW."period", NEW."category"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, (NEW.scope = 'cn.gd.sz'))), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'revenue' AND l.pk = json_array(NEW."customer_id", NEW."period", NEW."category")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_revenue_update AFTER UPDATE ON "revenue" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'revenue', json_array(OLD."customer_id", OLD."period", OLD."category"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, (OLD.scope = 'cn.gd.sz'))))), json_array(CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."period") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."period")) WHEN 'blob' THEN json_object('hex', hex(OLD."period")) ELSE OLD."period" END, CASE typeof(OLD."category") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."category")) WHEN 'blob' THEN json_object('hex', hex(OLD."category")) ELSE OLD."category" END, CASE typeof(OLD."amount_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."amount_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."amount_fen")) ELSE OLD."amount_fen" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'revenue' AND l.pk = json_array(OLD."customer_id", OLD."period", OLD."category")
  WHERE n.id = 1 AND json_array(OLD."customer_id", OLD."period", OLD."category") IS NOT json_array(NEW."customer_id", NEW."period", NEW."category")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'revenue', json_array(NEW."customer_id", NEW."period", NEW."category"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, (NEW.scope = 'cn.gd.sz'))), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'revenue' AND l.pk = json_array(NEW."customer_id", NEW."period", NEW."category")
  WHERE n.id = 1 AND json_array(OLD."customer_id", OLD."period", OLD."category") IS NOT json_array(NEW."customer_id", NEW."period", NEW."category")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'revenue', json_array(NEW."customer_id", NEW."period", NEW."category"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, (NEW.scope = 'cn.gd.sz'))), '$.b."*"', json_array(json_extract(l.meta, '$.c."*"[0][0]'), json_extract(l.meta, '$.c."*"[0][1]'), json_array(CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."period") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."period")) WHEN 'blob' THEN json_object('hex', hex(OLD."period")) ELSE OLD."period" END, CASE typeof(OLD."category") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."category")) WHEN 'blob' THEN json_object('hex', hex(OLD."category")) ELSE OLD."category" END, CASE typeof(OLD."amount_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."amount_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."amount_fen")) ELSE OLD."amount_fen" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END))), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'revenue' AND l.pk = json_array(NEW."customer_id", NEW."period", NEW."category")
  WHERE n.id = 1 AND NOT (json_array(OLD."customer_id", OLD."period", OLD."category") IS NOT json_array(NEW."customer_id", NEW."period", NEW."category"))
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
  SELECT 'revenue', json_array(NEW."customer_id", NEW."period", NEW."category"), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
  FROM _ts_log l WHERE l.tbl = 'revenue' AND l.pk = json_array(NEW."customer_id", NEW."period", NEW."category") AND typeof(OLD.scope) = 'text' AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."customer_id", OLD."period", OLD."category") IS NOT json_array(NEW."customer_id", NEW."period", NEW."category"))
  ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
    context = excluded.context, born = excluded.born;
DELETE FROM _ts_evict WHERE tbl = 'revenue' AND pk = json_array(NEW."customer_id", NEW."period", NEW."category") AND scope = NEW.scope AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."customer_id", OLD."period", OLD."category") IS NOT json_array(NEW."customer_id", NEW."period", NEW."category")); END;
CREATE TRIGGER _ts_revenue_delete AFTER DELETE ON "revenue" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'revenue', json_array(OLD."customer_id", OLD."period", OLD."category"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, (OLD.scope = 'cn.gd.sz'))))), json_array(CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."period") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."period")) WHEN 'blob' THEN json_object('hex', hex(OLD."period")) ELSE OLD."period" END, CASE typeof(OLD."category") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."category")) WHEN 'blob' THEN json_object('hex', hex(OLD."category")) ELSE OLD."category" END, CASE typeof(OLD."amount_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."amount_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."amount_fen")) ELSE OLD."amount_fen" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'revenue' AND l.pk = json_array(OLD."customer_id", OLD."period", OLD."category")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_product_insert AFTER INSERT ON "product" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'product', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'product' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_product_update AFTER UPDATE ON "product" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'product', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."category") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."category")) WHEN 'blob' THEN json_object('hex', hex(OLD."category")) ELSE OLD."category" END, CASE typeof(OLD."monthly_fee_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."monthly_fee_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."monthly_fee_fen")) ELSE OLD."monthly_fee_fen" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'product' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'product', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'product' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'product', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b."*"', json_array(json_extract(l.meta, '$.c."*"[0][0]'), json_extract(l.meta, '$.c."*"[0][1]'), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."category") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."category")) WHEN 'blob' THEN json_object('hex', hex(OLD."category")) ELSE OLD."category" END, CASE typeof(OLD."monthly_fee_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."monthly_fee_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."monthly_fee_fen")) ELSE OLD."monthly_fee_fen" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END))), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'product' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
  SELECT 'product', json_array(NEW."id"), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
  FROM _ts_log l WHERE l.tbl = 'product' AND l.pk = json_array(NEW."id") AND typeof(OLD.scope) = 'text' AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
    context = excluded.context, born = excluded.born;
DELETE FROM _ts_evict WHERE tbl = 'product' AND pk = json_array(NEW."id") AND scope = NEW.scope AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id")); END;
CREATE TRIGGER _ts_product_delete AFTER DELETE ON "product" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'product', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."name") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."name")) WHEN 'blob' THEN json_object('hex', hex(OLD."name")) ELSE OLD."name" END, CASE typeof(OLD."category") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."category")) WHEN 'blob' THEN json_object('hex', hex(OLD."category")) ELSE OLD."category" END, CASE typeof(OLD."monthly_fee_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."monthly_fee_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."monthly_fee_fen")) ELSE OLD."monthly_fee_fen" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'product' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_marketing_plan_insert AFTER INSERT ON "marketing_plan" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'marketing_plan', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'marketing_plan' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_marketing_plan_update AFTER UPDATE ON "marketing_plan" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'marketing_plan', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."title") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."title")) WHEN 'blob' THEN json_object('hex', hex(OLD."title")) ELSE OLD."title" END, CASE typeof(OLD."period") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."period")) WHEN 'blob' THEN json_object('hex', hex(OLD."period")) ELSE OLD."period" END, CASE typeof(OLD."target_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."target_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."target_fen")) ELSE OLD."target_fen" END, CASE typeof(OLD."body") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."body")) WHEN 'blob' THEN json_object('hex', hex(OLD."body")) ELSE OLD."body" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'marketing_plan' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'marketing_plan', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'marketing_plan' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'marketing_plan', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b."*"', json_array(json_extract(l.meta, '$.c."*"[0][0]'), json_extract(l.meta, '$.c."*"[0][1]'), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."title") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."title")) WHEN 'blob' THEN json_object('hex', hex(OLD."title")) ELSE OLD."title" END, CASE typeof(OLD."period") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."period")) WHEN 'blob' THEN json_object('hex', hex(OLD."period")) ELSE OLD."period" END, CASE typeof(OLD."target_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."target_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."target_fen")) ELSE OLD."target_fen" END, CASE typeof(OLD."body") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."body")) WHEN 'blob' THEN json_object('hex', hex(OLD."body")) ELSE OLD."body" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END))), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'marketing_plan' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
  SELECT 'marketing_plan', json_array(NEW."id"), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
  FROM _ts_log l WHERE l.tbl = 'marketing_plan' AND l.pk = json_array(NEW."id") AND typeof(OLD.scope) = 'text' AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
    context = excluded.context, born = excluded.born;
DELETE FROM _ts_evict WHERE tbl = 'marketing_plan' AND pk = json_array(NEW."id") AND scope = NEW.scope AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id")); END;
CREATE TRIGGER _ts_marketing_plan_delete AFTER DELETE ON "marketing_plan" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'marketing_plan', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."title") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."title")) WHEN 'blob' THEN json_object('hex', hex(OLD."title")) ELSE OLD."title" END, CASE typeof(OLD."period") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."period")) WHEN 'blob' THEN json_object('hex', hex(OLD."period")) ELSE OLD."period" END, CASE typeof(OLD."target_fen") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."target_fen")) WHEN 'blob' THEN json_object('hex', hex(OLD."target_fen")) ELSE OLD."target_fen" END, CASE typeof(OLD."body") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."body")) WHEN 'blob' THEN json_object('hex', hex(OLD."body")) ELSE OLD."body" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'marketing_plan' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_ticket_insert AFTER INSERT ON "ticket" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'ticket', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'ticket' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
CREATE TRIGGER _ts_ticket_update AFTER UPDATE ON "ticket" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN SELECT RAISE(ABORT, 'TierSync: scope must be a node id such as cn.gd.sz (a-z, 0-9, - and _ in dot-separated segments)')
  WHERE NEW.scope IS NULL OR typeof(NEW.scope) <> 'text' OR NEW.scope = '' OR NEW.scope GLOB '*[^a-z0-9._-]*'
     OR NEW.scope GLOB '*..*' OR NEW.scope GLOB '.*' OR NEW.scope GLOB '*.'; UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'ticket', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."kind") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."kind")) WHEN 'blob' THEN json_object('hex', hex(OLD."kind")) ELSE OLD."kind" END, CASE typeof(OLD."summary") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."summary")) WHEN 'blob' THEN json_object('hex', hex(OLD."summary")) ELSE OLD."summary" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."opened_at") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."opened_at")) WHEN 'blob' THEN json_object('hex', hex(OLD."opened_at")) ELSE OLD."opened_at" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'ticket' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'ticket', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b', json('{}')), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'ticket' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND json_array(OLD."id") IS NOT json_array(NEW."id")
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'ticket', json_array(NEW."id"), n.hlc, n.node, n.node, NEW.scope,
    CASE WHEN l.scope IS NOT NEW.scope THEN l.scope ELSE l.prev_scope END,
    0, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 0)), '$.c."*"', json_array(json_array(n.hlc, n.node, 0)), '$.b."*"', json_array(json_extract(l.meta, '$.c."*"[0][0]'), json_extract(l.meta, '$.c."*"[0][1]'), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."kind") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."kind")) WHEN 'blob' THEN json_object('hex', hex(OLD."kind")) ELSE OLD."kind" END, CASE typeof(OLD."summary") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."summary")) WHEN 'blob' THEN json_object('hex', hex(OLD."summary")) ELSE OLD."summary" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."opened_at") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."opened_at")) WHEN 'blob' THEN json_object('hex', hex(OLD."opened_at")) ELSE OLD."opened_at" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END))), NULL, CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'ticket' AND l.pk = json_array(NEW."id")
  WHERE n.id = 1 AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb;
  INSERT INTO _ts_evict(tbl, pk, scope, seq, source, context, born)
  SELECT 'ticket', json_array(NEW."id"), OLD.scope, l.seq, l.source, json_extract(l.meta, '$.v'), l.born
  FROM _ts_log l WHERE l.tbl = 'ticket' AND l.pk = json_array(NEW."id") AND typeof(OLD.scope) = 'text' AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id"))
  ON CONFLICT(tbl, pk, scope) DO UPDATE SET seq = excluded.seq, source = excluded.source,
    context = excluded.context, born = excluded.born;
DELETE FROM _ts_evict WHERE tbl = 'ticket' AND pk = json_array(NEW."id") AND scope = NEW.scope AND OLD.scope IS NOT NEW.scope AND NOT (json_array(OLD."id") IS NOT json_array(NEW."id")); END;
CREATE TRIGGER _ts_ticket_delete AFTER DELETE ON "ticket" WHEN (SELECT applying FROM _ts_node WHERE id = 1) = 0 BEGIN UPDATE _ts_node SET hlc = max(hlc + 1, CAST((julianday('now') - 2440587.5) * 86400000.0 AS INTEGER) * 65536), captured = captured + 1 WHERE id = 1; INSERT INTO _ts_log(tbl, pk, hlc, origin, source, scope, prev_scope, deleted, meta, tomb, born)
  SELECT 'ticket', json_array(OLD."id"), n.hlc, n.node, n.node, OLD.scope,
    CASE WHEN l.scope IS NOT OLD.scope THEN l.scope ELSE l.prev_scope END,
    1, json_set(coalesce(l.meta, '{"v":{},"e":[],"c":{},"b":{}}'), '$.v."cn.gd.sz"', n.hlc, '$.e', json_array(json_array(n.hlc, n.node, 0, 1)), '$.c."*"', coalesce(json(json_extract(l.meta, '$.c."*"')), json_array(json_array(n.hlc, n.node, 0)))), json_array(CASE typeof(OLD."id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."id")) WHEN 'blob' THEN json_object('hex', hex(OLD."id")) ELSE OLD."id" END, CASE typeof(OLD."customer_id") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."customer_id")) WHEN 'blob' THEN json_object('hex', hex(OLD."customer_id")) ELSE OLD."customer_id" END, CASE typeof(OLD."kind") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."kind")) WHEN 'blob' THEN json_object('hex', hex(OLD."kind")) ELSE OLD."kind" END, CASE typeof(OLD."summary") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."summary")) WHEN 'blob' THEN json_object('hex', hex(OLD."summary")) ELSE OLD."summary" END, CASE typeof(OLD."status") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."status")) WHEN 'blob' THEN json_object('hex', hex(OLD."status")) ELSE OLD."status" END, CASE typeof(OLD."opened_at") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."opened_at")) WHEN 'blob' THEN json_object('hex', hex(OLD."opened_at")) ELSE OLD."opened_at" END, CASE typeof(OLD."scope") WHEN 'real' THEN json_object('real', printf('%!.17g', OLD."scope")) WHEN 'blob' THEN json_object('hex', hex(OLD."scope")) ELSE OLD."scope" END), CASE WHEN l.seq IS NULL THEN ((SELECT max(coalesce((SELECT seq FROM sqlite_sequence WHERE name = '_ts_log'), 0),
           coalesce((SELECT max(seq) FROM _ts_log), 0))) + 1) ELSE l.born END
  FROM  _ts_node n LEFT JOIN _ts_log l ON l.tbl = 'ticket' AND l.pk = json_array(OLD."id")
  WHERE n.id = 1
  ON CONFLICT(tbl, pk) DO UPDATE SET seq = excluded.seq, hlc = excluded.hlc, origin = excluded.origin, source = excluded.source, scope = excluded.scope, prev_scope = excluded.prev_scope, deleted = excluded.deleted, meta = excluded.meta, tomb = excluded.tomb; END;
COMMIT;
