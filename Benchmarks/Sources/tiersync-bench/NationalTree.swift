import Foundation
import TierSyncModel
import TierSyncNode

/// The shape of the simulated national tree: the group and the provinces of a tree file
/// (`Deploy/national.tree`), and `cityCount` cities spread evenly over the provinces. Each
/// province keeps the file's cities first, then gets generated ids (`cn.gd.c001`, ...) up
/// to its share.
struct NationalTree: Sendable {
    /// The group.
    let group: NodeID
    /// The provinces, in the file's order.
    let provinces: [NodeID]
    /// The cities, province by province.
    let cities: [NodeID]

    /// Every node: the group, the provinces, then the cities.
    var nodes: [NodeID] { [group] + provinces + cities }

    /// Reads the tree file at `path` and spreads `cityCount` cities over its provinces: each
    /// gets `cityCount / provinces` and the first `cityCount % provinces` one more.
    /// - Throws: ``BenchError/failed(_:)`` when the file cannot be read or parsed, or has
    ///   no province.
    init(file path: String, cityCount: Int) throws {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw BenchError.failed("national: cannot read the tree file \(path): \(error); pass --national-tree PATH")
        }
        let file: TreeFile
        do {
            file = try TreeFile(parsing: text, file: path)
        } catch {
            throw BenchError.failed("national: \(error)")
        }
        guard let group = file.nodes.first(where: { $0.id.tier == .group })?.id else {
            throw BenchError.failed("national: \(path) has no group node")
        }
        let provinces = file.children(of: group).map(\.id)
        guard !provinces.isEmpty else { throw BenchError.failed("national: \(path) has no province under \(group)") }
        var cities: [NodeID] = []
        for (index, province) in provinces.enumerated() {
            let share = cityCount / provinces.count + (index < cityCount % provinces.count ? 1 : 0)
            var mine = Array(file.children(of: province).map(\.id).prefix(share))
            var number = 0
            while mine.count < share {
                number += 1
                let id = try NodeID("\(province).c\(String(format: "%03d", number))")
                if !mine.contains(id) { mine.append(id) }
            }
            cities += mine
        }
        self.group = group
        self.provinces = provinces
        self.cities = cities
    }

    /// How many rows of `table` each node must hold once the tree has converged, by
    /// owning city, when every city wrote `rowsPerCity` rows in its own scope: the
    /// schema's routing (``Routing/holds(_:table:scope:)``) decides, node by node.
    func expected(table: TableSchema, rowsPerCity: Int) -> [NodeID: [String: Int]] {
        var expected: [NodeID: [String: Int]] = [:]
        for node in nodes {
            var scopes: [String: Int] = [:]
            for city in cities where Routing.holds(node, table: table, scope: city) {
                scopes[city.description] = rowsPerCity
            }
            expected[node] = scopes
        }
        return expected
    }
}
