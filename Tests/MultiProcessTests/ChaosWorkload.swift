import Foundation

/// The writes of a chaos run, at every tier, each made at the node of the row's scope
/// with the sqlite3 shell and recorded in an ``ExpectedTree``: the group keeps the product
/// catalogue, provinces their marketing plans, cities their customers, contacts, revenue
/// and tickets. Rows are inserted, updated and deleted.
struct ChaosWorkload {
    /// What every node should hold after these writes.
    private(set) var expected = ExpectedTree()
    /// Writes made at each node.
    private(set) var writesByNode: [String: Int] = [:]
    private var serial = 0

    /// Makes `count` random writes at `node`, in one transaction, through its file.
    mutating func write(at node: String, count: Int, database: String, using random: inout SeededGenerator) throws {
        var statements: [String] = []
        for _ in 0..<count {
            let table: String
            switch node.split(separator: ".").count {
            case 1: table = "product"
            case 2: table = "marketing_plan"
            default: table = ["customer", "customer", "contact", "revenue", "revenue", "ticket"].randomElement(using: &random)!
            }
            statements.append(change(table, at: node, using: &random))
        }
        try SQLiteShell.run(database, "BEGIN;\n" + statements.joined(separator: "\n") + "\nCOMMIT;")
        writesByNode[node, default: 0] += count
    }

    /// One insert, update or delete of `table` at `node`.
    private mutating func change(_ table: String, at node: String, using random: inout SeededGenerator) -> String {
        let live = expected.keys(table, scope: node)
        let roll = Double.random(in: 0..<1, using: &random)
        if let key = live.randomElement(using: &random), roll < 0.15 {
            return expected.delete(table, key: key)
        }
        serial += 1
        let n = serial
        let existing = roll < 0.5 ? live.randomElement(using: &random) : nil
        let scope = ExpectedTree.text(node)
        func text(_ value: String) -> String { ExpectedTree.text(value) }
        func pick(_ choices: [String]) -> String { text(choices.randomElement(using: &random)!) }
        switch table {
        case "product":
            let id = existing ?? "P\(n)"
            return expected.write(table, [text(id), text("product \(n)"), pick(["line", "data", "voice"]), "\(Int.random(in: 1000...900_000, using: &random))", pick(["active", "retired"]), scope])
        case "marketing_plan":
            let id = existing ?? "\(node)-M\(n)"
            return expected.write(table, [text(id), text("plan \(n)"), pick(["2026-10", "2026-11"]), "\(Int.random(in: 1...9_000_000, using: &random))", text("body \(n)"), scope])
        case "customer":
            let id = existing ?? "\(node)-C\(n)"
            return expected.write(table, [
                text(id), Bool.random(using: &random) ? text("BC-\(n % 7)") : "NULL", text("customer \(n)"), pick(["important", "high-value", "group"]),
                pick(["finance", "energy", "transport"]), text("manager \(n % 5)"), pick(["A", "B", "C"]), pick(["active", "paused"]), scope,
            ])
        case "contact":
            let id = existing ?? "\(node)-K\(n)"
            let customer = expected.keys("customer", scope: node).randomElement(using: &random) ?? "\(node)-C0"
            return expected.write(table, [text(id), text(customer), text("person \(n)"), text("138\(n)"), pick(["CIO", "buyer"]), scope])
        case "revenue":
            let customer = expected.keys("customer", scope: node).randomElement(using: &random) ?? "\(node)-C0"
            return expected.write(table, [text(customer), pick(["2026-09", "2026-10"]), pick(["data", "line", "voice"]), "\(Int.random(in: 1...500_000, using: &random))", scope])
        default:
            let id = existing ?? "\(node)-T\(n)"
            return expected.write(table, [text(id), "NULL", pick(["fault", "complaint"]), text("ticket \(n)"), pick(["open", "closed"]), text("2026-10-\(10 + n % 20)"), scope])
        }
    }
}
