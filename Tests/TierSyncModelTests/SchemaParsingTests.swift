import Testing
import TierSyncModel

struct SchemaParsingTests {
    @Test func defaultSchemaDeclaresTheBigCustomerModel() {
        let schema = SyncSchema.standard
        #expect(schema.tables.map(\.name) == ["customer", "contact", "revenue", "product", "marketing_plan", "ticket"])
        #expect(schema.table(named: "contact")?.concentration == .province)
        #expect(schema.table(named: "product")?.flowsDown == true)
        #expect(schema.table(named: "product")?.writers == [.group])
        let customer = schema.table(named: "customer")
        #expect(customer?.conflict == .merge && customer?.columnConflicts["unified_code"] == .tier)
        #expect(customer?.columnConflicts["credit_level"] == .manual && customer?.deletes == .later)
        #expect(schema.table(named: "contact")?.conflict == .owner)
    }

    @Test func parsesRulesAndColumnOverrides() throws {
        let schema = try SyncSchema(parsing: """
            # a comment
            [table.account]
            sql = "CREATE TABLE account(id INTEGER PRIMARY KEY, note TEXT DEFAULT '#x', scope TEXT NOT NULL)"  # trailing
            concentrate = province
            down = true
            writers = city, province
            conflict = merge
            conflict.note = tier
            delete = update
            """, fileName: "test.schema")
        let table = try #require(schema.table(named: "account"))
        #expect(table.createSQL.contains("DEFAULT '#x'"))
        #expect(table.concentration == .province && table.flowsDown)
        #expect(table.writers == [.city, .province])
        #expect(table.conflict == .merge && table.columnConflicts["note"] == .tier && table.deletes == .update)
    }

    @Test func columnRulesNeedAMergeTable() {
        #expect(throws: ModelError.invalidSchema("table t: conflict.note = tier needs conflict = merge, which decides column by column")) {
            try SyncSchema(parsing: "[table.t]\nsql = \"x\"\nconcentrate = group\nconflict.note = tier", fileName: "s")
        }
        #expect(throws: ModelError.invalidSchema("table t: conflict.note = merge is not a column rule; use lww, tier, owner or manual")) {
            try SyncSchema(parsing: "[table.t]\nsql = \"x\"\nconcentrate = group\nconflict = merge\nconflict.note = merge", fileName: "s")
        }
        #expect(throws: ModelError.self) {
            try SyncSchema(parsing: "[table.t]\nsql = \"x\"\nconcentrate = group\ndelete = never", fileName: "s")
        }
    }

    @Test func unknownKeysAndBadValuesNameTheLine() {
        #expect(throws: ModelError.syntax(file: "s", line: 3, message: "table t: unknown key 'concentration'; known keys are sql, concentrate, down, writers, conflict, conflict.COLUMN, delete")) {
            try SyncSchema(parsing: "[table.t]\nsql = \"CREATE TABLE t(id TEXT PRIMARY KEY, scope TEXT)\"\nconcentration = group", fileName: "s")
        }
        #expect(throws: ModelError.self) {
            try SyncSchema(parsing: "[table.t]\nsql = \"x\"\nconcentrate = nation", fileName: "s")
        }
        #expect(throws: ModelError.self) {
            try SyncSchema(parsing: "[table._ts_log]\nsql = \"x\"\nconcentrate = group", fileName: "s")
        }
    }
}
