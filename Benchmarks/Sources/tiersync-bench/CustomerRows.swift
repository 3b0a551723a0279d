import Foundation
import TierSyncModel

/// The synthetic `customer` rows every benchmark writes: sequential, zero-padded text keys
/// like real customer ids (`cn.gd.sz-C00000042`), all owned by one city.
struct CustomerRows: Sendable {
    /// The owning city, the rows' `scope`.
    let scope: NodeID
    /// The rows, each in the default schema's `customer` column order: id, unified_code,
    /// name, classes, industry, manager, credit_level, status, scope.
    let values: [[SQLValue]]

    /// The number of rows.
    var count: Int { values.count }

    /// Generates `count` rows owned by `scope`.
    init(count: Int, scope: String) throws {
        let owner = try NodeID(scope)
        self.scope = owner
        let industries = ["finance", "government", "energy", "manufacturing"]
        values = (0..<count).map { index in
            let number = String(index)
            let id = "\(scope)-C" + String(repeating: "0", count: max(0, 8 - number.count)) + number
            return [
                .text(id), .null, .text("Customer \(index) of \(scope)"), .text("high-value"),
                .text(industries[index % industries.count]), .text("mgr-\(index % 97)"), .text("A"),
                .text("active"), .text(scope),
            ]
        }
    }

    /// The rows as changes written at `origin`, with increasing stamps from about now, as a
    /// child's log would carry them.
    func changes(origin: NodeID) -> [Change] {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let first = HybridTimestamp(millis: now).rawValue
        return values.enumerated().map { index, row in
            Change(table: "customer", key: [row[0]], values: row,
                   version: Version(stamp: HybridTimestamp(rawValue: first + Int64(index)), origin: origin),
                   scope: scope)
        }
    }
}

extension Array {
    /// The array cut into consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [ArraySlice<Element>] {
        stride(from: 0, to: count, by: size).map { self[$0..<Swift.min($0 + size, count)] }
    }
}
