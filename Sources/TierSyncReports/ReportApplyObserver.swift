import Foundation
import GRDB
import TierSyncModel
import TierSyncSQLite

/// Keeps the report aggregates current through the daemon's applies at a fraction of what
/// the triggers cost there: it sums each batch's revenue in memory and writes each touched
/// bucket once at the end, while the triggers stand aside (`_ts_node.observing`). The
/// figures are exactly those the triggers would write (the tests compare both with a
/// rebuild).
struct ReportApplyObserver: ApplyObserver {
    var tables: Set<String> { ["customer", "revenue"] }

    func begin(_ db: Database, changes: Int) throws -> any ApplyObservation {
        ReportBatch(db: db, changes: changes)
    }
}
