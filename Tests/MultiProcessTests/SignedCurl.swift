import Foundation
import TierSyncAuth
import TierSyncModel

/// curl against a tree's daemons with requests signed as a node would sign them, and the
/// ways to get a signature wrong on purpose.
struct SignedCurl {
    /// What curl saw: the status line's code and the body.
    struct Answer: CustomStringConvertible {
        let status: Int
        let body: String
        let verbose: String
        var description: String { "\(status) \(body)" }
    }

    let tree: TestTree

    /// Sends `body` to `node` at `target`, signed by `signer`'s key (or `key`, or unsigned
    /// when both are nil). `signedBody` signs other bytes than those sent; `at` moves the
    /// signing time; `replay` sends the headers of an earlier call; `contentType` is the
    /// body's declared type.
    @discardableResult
    func call(_ node: String, _ method: String, _ target: String, body: String? = nil, signer: String? = nil, key: NodeKey? = nil,
              signedBody: String? = nil, at date: Date = Date(), headers: [String] = [], replay: [String]? = nil,
              contentType: String = "application/json") throws -> (Answer, [String]) {
        var signature: [String] = []
        if let replay {
            signature = replay
        } else if let key = key ?? signer.flatMap(tree.key) {
            let signed = try RequestSignature.sign(method: method, target: target, body: Data((signedBody ?? body ?? "").utf8), with: key, at: date)
            signature = signed.headers.sorted { $0.key < $1.key }.flatMap { ["-H", "\($0.key): \($0.value)"] }
        }
        var arguments = ["-sv", "--max-time", "20", "-X", method] + signature + headers.flatMap { ["-H", $0] }
        if let body {
            let file = tree.directory.appendingPathComponent("body-\(UUID().uuidString).json")
            try body.write(to: file, atomically: true, encoding: .utf8)
            arguments += ["-H", "Content-Type: \(contentType)", "--data-binary", "@\(file.path)"]
        }
        let bodyFile = tree.directory.appendingPathComponent("answer-\(UUID().uuidString)")
        arguments += ["-o", bodyFile.path, "-w", "\nHTTPSTATUS=%{http_code}\n", "http://127.0.0.1:\(tree.nodes[node]!.port)\(target)"]
        let output = try TestTree.run(URL(fileURLWithPath: "/usr/bin/curl"), arguments).output
        let status = output.split(separator: "\n").first { $0.hasPrefix("HTTPSTATUS=") }.flatMap { Int($0.dropFirst("HTTPSTATUS=".count)) } ?? 0
        let body = (try? String(contentsOf: bodyFile, encoding: .utf8)) ?? ""
        return (Answer(status: status, body: body, verbose: output), signature)
    }

    /// A push batch of `rows` customers owned by `scope`, sent as `child`, written at `origin`
    /// (the scope by default) with stamps `stamp`.
    static func customerBatch(rows: Int, from child: String, scope: String? = nil, origin: String? = nil, stamp: Int64 = 65536) -> String {
        batch((0..<rows).map { customerChange(key: "K\($0)", scope: scope ?? child, origin: origin, stamp: stamp) }, from: child)
    }

    /// One customer change as JSON: `context` replaces the write's own context, `priority` is
    /// the priority its `classes` register claims, `source` the state's source when not the origin.
    static func customerChange(key: String, scope: String, origin: String? = nil, stamp: Int64 = 65536, context: String? = nil, priority: Int = 0,
                               source: String? = nil) -> String {
        let origin = origin ?? scope
        let registers = ["unified_code", "name", "classes", "industry", "manager", "credit_level", "status", "scope"]
            .map { #""\#($0)":[[\#(stamp),"\#(origin)",\#($0 == "classes" ? priority : 0)]]"# }.joined(separator: ",")
        let meta = #"{"context":\#(context ?? #"{"\#(origin)":\#(stamp)}"#),"exists":[[\#(stamp),"\#(origin)",0,0]],"registers":{\#(registers)}}"#
        return #"{"table":"customer","key":["\#(key)"],"values":["\#(key)",null,"name \#(key)",null,null,null,null,null,"\#(scope)"],"stamp":\#(stamp),"origin":"\#(origin)",\#(source.map { #""source":"\#($0)","# } ?? "")"scope":"\#(scope)","meta":\#(meta)}"#
    }

    /// A push batch of the given changes, sent as `child`.
    static func batch(_ changes: [String], from child: String) -> String {
        #"{"node":"\#(child)","after":0,"through":1,"columns":{"customer":["id","unified_code","name","classes","industry","manager","credit_level","status","scope"]},"changes":[\#(changes.joined(separator: ","))]}"#
    }

    /// The phrases `text` lacks, for one expectation that names them all.
    static func missing(_ phrases: [String], in text: String) -> [String] {
        phrases.filter { !text.contains($0) }
    }

    /// Row counts of the synced data and the change log: equal before and after a refused
    /// request when nothing was applied.
    static func fingerprint(_ database: String) throws -> String {
        try SQLiteShell.value(database, "SELECT (SELECT count(*) FROM customer) || '/' || (SELECT count(*) FROM product) || '/' || (SELECT count(*) FROM _ts_log) || '/' || (SELECT count(*) FROM _ts_rejected)")
    }
}
