import Foundation
import TierSyncModel
import TierSyncSQLite
import TierSyncWire

/// Benchmark 3, codec cost (`codec`, formerly `wire`): the same changes as a `PushRequest` in
/// batches of 5000, as a city sends them, in JSON and in the batch form (`BatchCodec`). Encoding includes building the request (`WireChange`s and the column
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

    /// One form of the push body: how a request is written and read back.
    private struct Form: Sendable {
        var name: String
        var figure: String
        var encode: @Sendable (PushRequest) throws -> Data
        var decode: @Sendable (Data) throws -> PushRequest
    }

    /// What one form measured, per run.
    private struct FormRates {
        var encodes: [Rate] = [], parses: [Rate] = [], converts: [Rate] = [], decodes: [Rate] = []
        var bytes = 0
    }

    private static let forms = [
        Form(name: "JSON", figure: "codec", encode: { try WireCoding.encode($0) }, decode: { try WireCoding.decode(PushRequest.self, from: $0) }),
        Form(name: "batch", figure: "codec.batch", encode: { BatchCodec.encode($0) }, decode: { try BatchCodec.decodePush($0) }),
    ]

    /// Runs every figure `repeats` times and prints the medians: the JSON form, the batch
    /// form, and the plain JSON baseline.
    func run() throws {
        let schema = CustomerRows.resolved(.standard)
        let batches = rows.changes(origin: rows.scope, schema: schema).chunked(batchSize).map(Array.init)
        let node = rows.scope.description
        var rates = Array(repeating: FormRates(), count: Self.forms.count)
        var plainEncodes: [Rate] = [], plainDecodes: [Rate] = []
        for _ in 0..<repeats {
            for (index, form) in Self.forms.enumerated() {
                try measureForm(form, batches: batches, node: node, schema: schema, into: &rates[index])
            }
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
        for (form, rate) in zip(Self.forms, rates) {
            let bytesPerRow = Double(rate.bytes) / Double(max(rows.count, 1))
            let encode = Figure.rate("\(form.figure).encode", Rate.median(rate.encodes).measure("encode"),
                                     baseline: Rate.median(plainEncodes).measure("plain JSON encode"), details: ["bytes_per_row": bytesPerRow])
            let decode = Figure.rate("\(form.figure).decode", Rate.median(rate.decodes).measure("decode"),
                                     baseline: Rate.median(plainDecodes).measure("plain JSON decode"),
                                     details: ["parse_rows_per_second": Rate.median(rate.parses).perSecond,
                                               "convert_rows_per_second": Rate.median(rate.converts).perSecond])
            Output.emit(encode)
            Output.emit(decode)
            say(resultLine("codec", [
                form.name.padding(toLength: 5, withPad: " ", startingAt: 0),
                rateCell("encode", Rate.median(rate.encodes)),
                rateCell("decode", Rate.median(rate.decodes)),
                rateCell("plain JSON encode", Rate.median(plainEncodes)),
                rateCell("decode", Rate.median(plainDecodes)),
                "\(Int(bytesPerRow)) bytes/row",
            ]))
            say("          decode = \(form.name) parse at \(rateText(Rate.median(rate.parses))), then WireCoding.changes at \(rateText(Rate.median(rate.converts)))")
        }
    }

    /// Encodes every batch as a push in `form`, decodes it back and converts it to model
    /// changes, adding the rates to `rates`.
    private func measureForm(_ form: Form, batches: [[Change]], node: String, schema: SyncSchema, into rates: inout FormRates) throws {
        var bodies: [Data] = []
        rates.encodes.append(try measure(rows: rows.count) {
            var after: Int64 = 0
            for batch in batches {
                let request = PushRequest(
                    node: node, after: after, through: after + Int64(batch.count),
                    columns: WireCoding.columns(for: batch, schema: schema), changes: WireCoding.wireChanges(batch, schema: schema))
                bodies.append(try form.encode(request))
                after += Int64(batch.count)
            }
        })
        rates.bytes = bodies.reduce(0) { $0 + $1.count }
        var requests: [PushRequest] = []
        rates.parses.append(try measure(rows: rows.count) {
            for body in bodies { requests.append(try form.decode(body)) }
        })
        var decoded = 0
        rates.converts.append(try measure(rows: rows.count) {
            for request in requests {
                decoded += try WireCoding.changes(request.changes, columns: request.columns, schema: schema).count
            }
        })
        guard decoded == rows.count else { throw BenchError.failed("codec \(form.name): decoded \(decoded) changes, expected \(rows.count)") }
        rates.decodes.append(Rate(rows: rows.count, seconds: rates.parses.last!.seconds + rates.converts.last!.seconds))
    }
}
