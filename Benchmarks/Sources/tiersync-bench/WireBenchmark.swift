import Foundation
import TierSyncModel
import TierSyncSQLite
import TierSyncWire

/// Benchmark 3, codec cost (`codec`, formerly `wire`): the same changes as `PushRequest` JSON in batches of 5000, as a
/// city sends them. Encoding includes building the request (`WireChange`s and the column
/// header); decoding includes `WireCoding.changes`, which turns the batch back into model
/// changes in the receiver's column order. The baseline encodes and decodes the same
/// values as plain `[[String?]]` rows with Foundation's JSON coders.
struct WireBenchmark {
    /// The rows, written at their city.
    let rows: CustomerRows
    /// Runs per figure; the medians are printed.
    let repeats: Int
    /// Where the throwaway store goes.
    let scratch: ScratchDirectory
    /// Changes per request.
    var batchSize = 5000

    /// The baseline's message: a column header and untagged text rows.
    private struct PlainBatch: Codable {
        var columns: [String]
        var rows: [[String?]]
    }

    /// Runs every figure `repeats` times and prints the medians.
    func run() throws {
        let schema = CustomerRows.resolved(.standard)
        let batches = rows.changes(origin: rows.scope, schema: schema).chunked(batchSize).map(Array.init)
        let node = rows.scope.description
        var encodes: [Rate] = [], parses: [Rate] = [], converts: [Rate] = [], decodes: [Rate] = []
        var plainEncodes: [Rate] = [], plainDecodes: [Rate] = []
        var bytes = 0
        for _ in 0..<repeats {
            var bodies: [Data] = []
            encodes.append(try measure(rows: rows.count) {
                var after: Int64 = 0
                for batch in batches {
                    let request = PushRequest(
                        node: node, after: after, through: after + Int64(batch.count),
                        columns: WireCoding.columns(for: batch, schema: schema), changes: WireCoding.wireChanges(batch, schema: schema))
                    bodies.append(try WireCoding.encode(request))
                    after += Int64(batch.count)
                }
            })
            bytes = bodies.reduce(0) { $0 + $1.count }
            var requests: [PushRequest] = []
            parses.append(try measure(rows: rows.count) {
                for body in bodies { requests.append(try WireCoding.decode(PushRequest.self, from: body)) }
            })
            var decoded = 0
            converts.append(try measure(rows: rows.count) {
                for request in requests {
                    decoded += try WireCoding.changes(request.changes, columns: request.columns, schema: schema).count
                }
            })
            guard decoded == rows.count else { throw BenchError.failed("wire: decoded \(decoded) changes, expected \(rows.count)") }
            decodes.append(Rate(rows: rows.count, seconds: parses.last!.seconds + converts.last!.seconds))

            let columns = schema.table(named: "customer")?.columns ?? []
            var plainBodies: [Data] = []
            plainEncodes.append(try measure(rows: rows.count) {
                let encoder = JSONEncoder()
                for batch in batches {
                    let plain = PlainBatch(columns: columns, rows: batch.map { change in (change.values ?? []).map(\.textValue) })
                    plainBodies.append(try encoder.encode(plain))
                }
            })
            plainDecodes.append(try measure(rows: rows.count) {
                let decoder = JSONDecoder()
                var count = 0
                for body in plainBodies { count += try decoder.decode(PlainBatch.self, from: body).rows.count }
                guard count == rows.count else { throw BenchError.failed("wire baseline: decoded \(count) rows") }
            })
        }
        let bytesPerRow = Double(bytes) / Double(max(rows.count, 1))
        let encode = Figure.rate("codec.encode", Rate.median(encodes).measure("encode"), baseline: Rate.median(plainEncodes).measure("plain JSON encode"),
                                 details: ["bytes_per_row": bytesPerRow])
        let decode = Figure.rate("codec.decode", Rate.median(decodes).measure("decode"), baseline: Rate.median(plainDecodes).measure("plain JSON decode"),
                                 details: ["parse_rows_per_second": Rate.median(parses).perSecond, "convert_rows_per_second": Rate.median(converts).perSecond])
        Output.emit(encode)
        Output.emit(decode)
        say(resultLine("codec", [
            rateCell("encode", Rate.median(encodes)),
            rateCell("decode", Rate.median(decodes)),
            rateCell("plain JSON encode", Rate.median(plainEncodes)),
            rateCell("decode", Rate.median(plainDecodes)),
            "\(Int(bytesPerRow)) bytes/row",
        ]))
        say("          decode = JSON parse at \(rateText(Rate.median(parses))), then WireCoding.changes at \(rateText(Rate.median(converts)))")
    }
}
