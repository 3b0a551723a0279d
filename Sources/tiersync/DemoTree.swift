import Foundation
import GRDB
import TierSyncAuth
import TierSyncClient
import TierSyncModel
import TierSyncReports
import TierSyncWire

/// The demo's tree of nodes, their files, and their expected contents.
struct DemoTree {
    struct Node {
        let id: String
        let port: Int
        let parentPort: Int?
    }

    let directory: URL
    let nodes: [Node]
    let customersPerCity: Int
    let products = 20

    init(directory: URL, basePort: Int, customersPerCity: Int) {
        self.directory = directory
        self.customersPerCity = customersPerCity
        let ids = ["cn", "cn.gd", "cn.gd.sz", "cn.gd.gz", "cn.js", "cn.js.nj", "cn.js.wx"]
        let parents: [String: String] = ["cn.gd": "cn", "cn.js": "cn", "cn.gd.sz": "cn.gd", "cn.gd.gz": "cn.gd", "cn.js.nj": "cn.js", "cn.js.wx": "cn.js"]
        nodes = ids.enumerated().map { index, id in
            Node(id: id, port: basePort + index, parentPort: parents[id].flatMap { parent in ids.firstIndex(of: parent).map { basePort + $0 } })
        }
    }

    var cities: [Node] { nodes.filter { $0.id.split(separator: ".").count == 3 } }

    func database(_ node: Node) -> String { directory.appendingPathComponent("\(node.id).sqlite").path }

    /// Empties the directory and writes one configuration file per node.
    func prepare() throws {
        let files = FileManager.default
        try files.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: directory.path) where name.hasPrefix("cn") {
            try files.removeItem(at: directory.appendingPathComponent(name))
        }
        // Each node gets its own key; each parent accepts its children's public keys.
        let credentials = try LocalTreeKeys(nodes: nodes.map { try NodeID($0.id) }, directory: directory)
        for node in nodes {
            var text = "# demo node \(node.id)\n[node]\nid = \"\(node.id)\"\nlisten = \"127.0.0.1:\(node.port)\"\ndatabase = \"\(node.id).sqlite\"\n"
            if let parentPort = node.parentPort { text += "parent = \"http://127.0.0.1:\(parentPort)\"\n" }
            text += "\n[sync]\ninterval = 1\n\n" + credentials.configurationLines(for: try NodeID(node.id))
            try text.write(to: directory.appendingPathComponent("\(node.id).conf"), atomically: true, encoding: .utf8)
        }
    }

    func start(_ node: Node, executable: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["serve", "--config", directory.appendingPathComponent("\(node.id).conf").path]
        let log = directory.appendingPathComponent("\(node.id).log")
        guard FileManager.default.createFile(atPath: log.path, contents: nil) else {
            throw DemoError("cannot create \(log.path); check that \(directory.path) is writable")
        }
        let handle = try FileHandle(forWritingTo: log)
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        return process
    }

    func client(_ node: Node) -> HTTPParentLink {
        HTTPParentLink(baseURL: URL(string: "http://127.0.0.1:\(node.port)")!, key: nil, timeout: 5)
    }

    func waitUntilHealthy() async throws {
        let deadline = Date().addingTimeInterval(30)
        for node in nodes {
            while (try? await client(node).status()) == nil {
                guard Date() < deadline else {
                    throw DemoError("\(node.id) did not start; see \(directory.appendingPathComponent("\(node.id).log").path)")
                }
                try await Task.sleep(for: .milliseconds(100))
            }
        }
    }

    /// Writes what each tier writes in real life, straight into its SQLite file, as a local
    /// application would: products and a national plan at the group, a plan per province,
    /// customers, contacts, revenue and tickets at the cities.
    func writeSampleData() throws {
        try write(nodes[0]) { db in
            for index in 0..<products {
                try db.execute(sql: "INSERT INTO product VALUES (?, ?, ?, ?, 'active', 'cn')",
                               arguments: ["P\(index)", "Product \(index)", ["data", "voice", "line"][index % 3], 10000 + index * 500])
            }
            try db.execute(sql: "INSERT INTO marketing_plan VALUES ('plan-cn', 'National big-customer plan', '2026', 900000000, 'grow ARPU', 'cn')")
        }
        for province in nodes where province.id.split(separator: ".").count == 2 {
            try write(province) { db in
                try db.execute(sql: "INSERT INTO marketing_plan VALUES (?, ?, '2026', 50000000, 'province targets', ?)",
                               arguments: ["plan-\(province.id)", "Plan of \(province.id)", province.id])
            }
        }
        for city in cities {
            try write(city) { db in
                for index in 0..<customersPerCity {
                    let id = "\(city.id)-C\(index)"
                    try db.execute(sql: "INSERT INTO customer VALUES (?, NULL, ?, 'high-value', ?, ?, 'A', 'active', ?)",
                                   arguments: [id, "Customer \(index) of \(city.id)", ["finance", "government", "energy"][index % 3], "mgr-\(index % 7)", city.id])
                    try db.execute(sql: "INSERT INTO contact VALUES (?, ?, ?, ?, 'manager', ?)",
                                   arguments: ["\(id)-K", id, "Contact \(index)", "+86 \(13800000000 + index)", city.id])
                    for month in 1...12 {
                        for category in ["data", "voice", "line"] {
                            try db.execute(sql: "INSERT INTO revenue VALUES (?, ?, ?, ?, ?)",
                                           arguments: [id, String(format: "2026-%02d", month), category, 300000 + index * 10 + month, city.id])
                        }
                    }
                    if index % 4 == 0 {
                        try db.execute(sql: "INSERT INTO ticket VALUES (?, ?, 'fault', 'line down', 'open', '2026-11-01', ?)",
                                       arguments: ["\(id)-T", id, city.id])
                    }
                }
            }
        }
    }

    func write(_ node: Node, _ body: (Database) throws -> Void) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        let queue = try DatabaseQueue(path: database(node), configuration: configuration)
        try queue.write(body)
        try queue.close()
    }

    /// The row counts each node should end with.
    func expected(_ node: Node) -> [String: Int] {
        let perCity = customersPerCity
        let tickets = (perCity + 3) / 4
        switch node.id.split(separator: ".").count {
        case 1:
            return ["customer": 4 * perCity, "contact": 0, "revenue": 4 * 36 * perCity, "ticket": 0, "product": products, "marketing_plan": 3]
        case 2:
            return ["customer": 2 * perCity, "contact": 2 * perCity, "revenue": 2 * 36 * perCity, "ticket": 2 * tickets, "product": products, "marketing_plan": 2]
        default:
            return ["customer": perCity, "contact": perCity, "revenue": 36 * perCity, "ticket": tickets, "product": products, "marketing_plan": 2]
        }
    }

    /// Prints each node's row counts and backlog every second until they match, in
    /// columns as wide as their widest cell.
    func watchUntilConverged(timeout: Double) async throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        let columns = ["customer", "contact", "revenue", "ticket", "product", "marketing_plan"]
        let header = ["node"] + columns.map { $0 == "marketing_plan" ? "plan" : $0 } + ["backlog"]
        while Date() < deadline {
            var rows: [[String]] = []
            var converged = true
            for node in nodes {
                guard let status = try? await client(node).status() else {
                    converged = false
                    rows.append([node.id, "(not answering)"])
                    continue
                }
                let expected = expected(node)
                let cells = columns.map { name -> String in
                    let have = status.tables[name] ?? 0
                    if have != expected[name] { converged = false }
                    return have == expected[name] ? "\(have)" : "\(have)/\(expected[name] ?? 0)"
                }
                if (status.backlog ?? 0) > 0 { converged = false }
                rows.append([node.id] + cells + [status.backlog.map(String.init) ?? "-"])
            }
            say(ReportText.table(header: header, rows: rows, rightAligned: [false] + Array(repeating: true, count: columns.count + 1)))
            if converged { return true }
            try await Task.sleep(for: .seconds(1))
        }
        return false
    }

    /// Edits made above and a delete at a city, shown arriving where they belong.
    func demonstrateEdits() async throws {
        let city = cities[0]
        let customer = "\(city.id)-C0"
        try write(nodes[0]) { db in
            try db.execute(sql: "UPDATE customer SET unified_code = 'BC-000001', classes = 'high-value,group' WHERE id = ?", arguments: [customer])
        }
        try write(city) { db in
            try db.execute(sql: "DELETE FROM ticket WHERE id = ?", arguments: ["\(customer)-T"])
        }
        say("group assigned unified code BC-000001 to \(customer); \(city.id) closed and deleted ticket \(customer)-T")
        let province = nodes.first { $0.id == city.id.split(separator: ".").dropLast().joined(separator: ".") }!
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let code = try read(city, "SELECT unified_code FROM customer WHERE id = '\(customer)'")
            let ticket = try read(province, "SELECT count(*) FROM ticket WHERE id = '\(customer)-T'")
            if code == "BC-000001" && ticket == "0" {
                say("\(city.id) now holds unified code \(code ?? ""); \(province.id) no longer holds the ticket")
                return
            }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw DemoError("the edits did not arrive within 30 s; see the logs in \(directory.path)")
    }

    func read(_ node: Node, _ sql: String) throws -> String? {
        let queue = try DatabaseQueue(path: database(node))
        defer { try? queue.close() }
        return try queue.read { db in try DatabaseValue.fetchOne(db, sql: sql).map { "\($0.storage.value ?? "NULL")" } }
    }
}

struct DemoError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Writes a line to standard output at once, even when it is redirected to a file.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
