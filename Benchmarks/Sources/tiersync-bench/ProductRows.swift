import TierSyncModel

/// Synthetic `product` rows: the national catalogue of the default schema, written at the
/// group with scope `cn`, which every node below holds (`down = true`).
enum ProductRows {
    /// The default schema's `CREATE TABLE product ...`.
    static let createSQL = SyncSchema.standard.table(named: "product")!.createSQL

    /// The insert of one whole product row.
    static let insertSQL = "INSERT INTO product VALUES (?, ?, ?, ?, ?, ?)"

    /// `count` products in the `product` column order: id, name, category,
    /// monthly_fee_fen, status, scope.
    static func values(count: Int) -> [[SQLValue]] {
        let categories = ["data", "voice", "line", "idc", "cloud"]
        return (0..<count).map { index in
            let number = String(index)
            return [
                .text("P" + String(repeating: "0", count: max(0, 8 - number.count)) + number), .text("Product \(index)"),
                .text(categories[index % categories.count]), .integer(Int64(1000 + index % 50_000)), .text("active"), .text("cn"),
            ]
        }
    }
}
