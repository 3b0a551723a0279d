import Foundation

/// `freshness`: for each child, how current its data here is, as a table.
enum FreshnessReport {
    static func make(_ query: ReportQuery, in context: ReportContext) throws -> Report {
        func time(_ date: Date?) -> ReportValue { date.map { .text(ReportTime.text($0)) } ?? .null }
        return context.report(
            .freshness, title: "Freshness of each \(context.region.rawValue)'s data at \(context.node)", by: [],
            columns: [
                ReportColumn(context.region.rawValue, .text), ReportColumn("state", .text), ReportColumn("last_contact", .time),
                ReportColumn("newest_change", .time), ReportColumn("backlog", .count), ReportColumn("reported_at", .time),
                ReportColumn("last_error", .text),
            ],
            rows: context.freshness.map { child in
                [.text(child.node), .text(child.state.rawValue), time(child.lastContact), time(child.newestChange),
                 child.backlog.map { .integer(Int64($0)) } ?? .null, time(child.reportedAt), child.lastError.map { .text($0) } ?? .null]
            },
            totals: nil,
            notes: [
                "state: current when heard from within the staleness limit, stale when not, missing when never heard from",
                "newest_change: the stamp time of the newest change received from the child; backlog: changes it had not yet pushed, as it last reported (at reported_at)",
            ])
    }
}

/// How reports write times: ISO 8601 in UTC, whole seconds.
public enum ReportTime {
    /// `2026-11-23T12:28:00Z`.
    public static func text(_ date: Date) -> String {
        ISO8601DateFormatter().string(from: date)
    }
}
