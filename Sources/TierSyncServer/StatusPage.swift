import Foundation
import Hummingbird
import NIOCore
import TierSyncModel
import TierSyncReports
import TierSyncStore

/// `GET /`: a status page a person can read. One HTML document with its style inline and
/// no scripts or external assets, which reloads itself every few seconds: the tree below
/// the node, each node's last contact, lag, backlog, errors and conflicts; and where the
/// node serves reports, the headline figures of the latest period. The tree lists the
/// worst nodes first (`?sort=worst`, the default; or `lag`, `errors`, `tree`), and
/// `?node=ID` shows one node's subtree.
public struct StatusPage: Sendable {
    let service: ReportService
    /// Seconds between reloads. The default is 5.
    let refresh: Int

    /// Creates the page.
    public init(service: ReportService, refresh: Int = 5) {
        self.service = service
        self.refresh = refresh
    }

    /// Adds the route to a router.
    public func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/") { request, _ in
            let html: String
            do {
                let query = request.uri.queryParameters
                let order = try query["sort"].map { try StatusOrder(parsing: String($0), key: "sort") } ?? .worst
                let filter = try query["node"].map { try NodeID(String($0)) }
                html = try await render(now: Date(), order: order, filter: filter)
            } catch let error as ModelError {
                throw APIError(.badRequest, code: "bad_request", message: "\(error); for example /?sort=lag&node=cn.gd")
            } catch {
                throw APIError.from(error)
            }
            return Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store"],
                            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
        }
    }

    /// The page, its tree in `order` and limited to the subtree of `filter`.
    func render(now: Date, order: StatusOrder = .worst, filter: NodeID? = nil) async throws -> String {
        let node = service.store.node
        let tree = try await service.tree(now: now)
        var body = "<h1>TierSync <span id=\"node\">\(escape(node.description))</span> <small>\(node.tier)</small></h1>\n"
        body += "<p class=\"made\">As of <time id=\"generated\">\(ReportTime.text(now))</time>; this page reloads every \(refresh) s.</p>\n"
        if let gap = try await service.store.captureGap() {
            body += "<p class=\"alert\" id=\"capture-gap\">Error: \(escape(gap.message(node: node)))</p>\n"
        }
        if service.reports != nil {
            body += try await headline(now: now)
        } else if let reason = service.unavailable, node.tier != .city {
            body += "<p class=\"warn\" id=\"reports-unavailable\">\(escape(reason.description))</p>\n"
        }
        body += treeTable(tree, root: node, now: now, order: order, filter: filter)
        body += """
            <p class="links">Machine-readable: <a href="/v1/status">/v1/status</a> · <a href="/metrics">/metrics</a>\
            \(service.reports == nil ? "" : " · <a href=\"/v1/reports\">/v1/reports</a>") · <a href="/v1/conflicts">/v1/conflicts</a></p>

            """
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta http-equiv="refresh" content="\(refresh)">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>TierSync \(escape(node.description))</title>
            <style>\(Self.style)</style>
            </head><body>
            \(body)</body></html>

            """
    }

    /// The headline figures and revenue growth by region.
    private func headline(now: Date) async throws -> String {
        guard let headline = try await service.headline(now: now) else { return "" }
        let figures = headline.figures
        guard let period = figures.period, let totals = figures.rows.first else {
            return "<section id=\"headline\"><h2>Headline</h2><p id=\"no-revenue\">No revenue here yet.</p></section>\n"
        }
        let growth = headline.regions.totals ?? []
        func cell(_ values: [ReportValue], _ index: Int, _ unit: ReportColumn.Unit) -> String {
            index < values.count ? escape(ReportText.cell(values[index], unit)) : "-"
        }
        var html = "<section id=\"headline\"><h2>Headline, <span id=\"period\">\(escape(period))</span></h2>\n<dl class=\"figures\">\n"
        let items: [(String, String, String)] = [
            ("revenue", "Revenue (yuan)", cell(totals, 0, .fen)),
            ("growth", "Growth on \(escape(figures.period.flatMap { try? Period($0) }?.previous.description ?? "")) (%)", cell(growth, 4, .percent)),
            ("customers", "Customers", cell(totals, 1, .count)),
            ("accounts", "Accounts", cell(totals, 2, .count)),
            ("arpu", "ARPU (yuan)", cell(totals, 3, .fen)),
            ("arpa", "ARPA (yuan)", cell(totals, 4, .fen)),
        ]
        for (id, label, value) in items {
            html += "<div><dt>\(label)</dt><dd id=\"\(id)\">\(value)</dd></div>\n"
        }
        html += "</dl>\n"
        let regions = headline.regions
        let region = regions.by.first?.rawValue ?? "region"
        html += "<table id=\"regions\"><thead><tr><th>\(region)</th><th>revenue (yuan)</th><th>previous (yuan)</th><th>growth (%)</th></tr></thead><tbody>\n"
        for row in regions.rows {
            html += "<tr data-region=\"\(escape(row[0].description))\"><td>\(escape(row[0].description))</td>"
                + "<td class=\"num\">\(cell(row, 1, .fen))</td><td class=\"num\">\(cell(row, 2, .fen))</td><td class=\"num\">\(cell(row, 4, .percent))</td></tr>\n"
        }
        html += "</tbody></table></section>\n"
        return html
    }

    /// The node and every node below it (within `filter`'s subtree), the node itself first
    /// and the others in `order`.
    private func treeTable(_ tree: [NodeSummary], root: NodeID, now: Date, order: StatusOrder, filter: NodeID?) -> String {
        let shown = tree.filter { StatusOrder.shows($0.node, filter: filter) }
        let rows = shown.filter { $0.node == root } + order.sorted(shown.filter { $0.node != root }, now: now) { summary in
            StatusOrder.Rank(node: summary.node, lastContact: summary.lastContact, problems: summary.rejected + summary.openConflicts,
                             failing: summary.lastError != nil)
        }
        let scope = filter.map { "&amp;node=\(escape($0.description))" } ?? ""
        let orders = StatusOrder.allCases.map { option in
            option == order ? "<b>\(option.rawValue)</b>" : "<a href=\"/?sort=\(option.rawValue)\(scope)\">\(option.rawValue)</a>"
        }.joined(separator: " · ")
        var html = """
            <section><h2>Tree</h2>
            <p class="order" id="order">Order: \(orders)\(filter.map { " · showing \(escape($0.description)) and below (<a href=\"/?sort=\(order.rawValue)\">all</a>)" } ?? "") · \(shown.count) of \(tree.count) nodes</p>
            <table id="tree"><thead><tr><th>node</th><th>state</th><th>last contact</th><th>lag</th><th>newest change</th><th>backlog</th>\
            <th>errors</th><th>conflicts (open / all)</th><th>log head</th><th>clock lead</th><th>schema</th><th>last error</th></tr></thead><tbody>

            """
        for summary in rows {
            let isRoot = summary.node == root
            let state = isRoot ? "self" : service.state(lastContact: summary.lastContact, now: now).rawValue
            let depth = max(0, summary.node.depth - root.depth)
            let contact = isRoot ? "-" : summary.lastContact.map { "<time>\(ReportTime.text($0))</time>" } ?? "never"
            let lag = isRoot ? "-" : summary.lastContact.map { ReportText.age(of: $0, now: now) } ?? "-"
            let reported = summary.hasReported
            func figure(_ value: Int?) -> String { reported ? value.map { String($0) } ?? "-" : "?" }
            html += """
                <tr class="node \(state)" data-node="\(escape(summary.node.description))" data-state="\(state)">\
                <td class="name" style="padding-left:\(0.4 + Double(depth) * 1.5)em">\(escape(summary.node.description)) <small>\(summary.node.tier)</small></td>\
                <td class="state">\(state)</td><td class="contact">\(contact)</td><td class="lag num">\(lag)</td>\
                <td class="newest">\(isRoot ? "-" : summary.newestChange.map { "<time>\(ReportTime.text($0))</time>" } ?? "none")</td>\
                <td class="backlog num">\(figure(summary.backlog))</td><td class="errors num">\(figure(summary.rejected))</td>\
                <td class="conflicts num">\(reported ? "\(summary.openConflicts) / \(summary.conflicts)" : "?")</td>\
                <td class="head num">\(reported ? String(summary.logHead) : "?")</td>\
                <td class="lead num">\(reported ? summary.clockLeadMillis.map { StampLead.text(millis: $0) } ?? "-" : "?")</td>\
                <td class="schema num">\(reported ? summary.schemaVersion.map { "v\($0)" } ?? "-" : "?")</td>\
                <td class="error">\(escape(summary.lastError ?? ""))</td></tr>

                """
        }
        html += "</tbody></table>\n<p class=\"legend\">lag: time since the node's parent last heard from it; "
            + "clock lead: how far the node's hybrid clock ran ahead of its wall clock when it reported; "
            + "stale after \(Int(service.staleAfter)) s without contact; ? where the node has not reported.</p></section>\n"
        return html
    }

    /// Text made safe for HTML.
    func escape(_ text: String) -> String {
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222;background:#fafafa}
        h1{font-size:1.4em;margin:0}h1 small,td small{color:#777;font-weight:normal}
        h2{font-size:1.1em;margin:1.2em 0 .4em}.made,.legend,.links{color:#666;font-size:.9em}
        table{border-collapse:collapse;background:#fff}th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left}
        th{background:#eee}.num{text-align:right;font-variant-numeric:tabular-nums}
        dl.figures{display:flex;flex-wrap:wrap;gap:.6em;margin:0 0 1em}
        dl.figures div{background:#fff;border:1px solid #ddd;padding:.4em .8em}dt{color:#666;font-size:.85em}
        dd{margin:0;font-size:1.3em;font-variant-numeric:tabular-nums}
        tr.stale td.state{color:#a60;font-weight:bold}tr.missing td.state{color:#c00;font-weight:bold}
        tr.current td.state{color:#070}.warn{color:#a60}td.error{color:#c00;max-width:30em}
        .alert{color:#c00;font-weight:bold;border:1px solid #c00;padding:.5em;background:#fff}
        """
}
