import Foundation

/// One measured figure beside its baseline, as `--json` prints it: one object per line.
///
/// `ratio` is always how many times the baseline TierSync's cost is: for rates the
/// baseline's rate over TierSync's, for times, bytes and memory TierSync's value over the
/// baseline's. Above 1, TierSync is the slower or heavier side.
struct Figure: Encodable, Sendable {
    /// A measured quantity and its unit.
    struct Measure: Encodable, Sendable {
        /// What was measured, for example `plain insert`.
        let name: String
        /// The number (null when it is not finite, as a rate over no time).
        let value: Double?
        /// `rows/s`, `s`, `ms`, `MB`, `bytes`.
        let unit: String

        /// A measure; a non-finite value is kept as nil.
        init(_ name: String, _ value: Double, _ unit: String) {
            self.name = name
            self.value = value.isFinite ? rounded(value) : nil
            self.unit = unit
        }
    }

    /// The bound a figure must keep, on its value or on its ratio.
    struct Target: Encodable, Sendable {
        /// `value` or `ratio`.
        let on: String
        /// `<=` or `>=`.
        let comparison: String
        /// The bound.
        let bound: Double
        /// The better bound the issue aims for, when it names one.
        let goal: Double?

        /// The value must be at most `bound`.
        static func valueAtMost(_ bound: Double, goal: Double? = nil) -> Target { Target(on: "value", comparison: "<=", bound: bound, goal: goal) }
        /// The value must be at least `bound`.
        static func valueAtLeast(_ bound: Double, goal: Double? = nil) -> Target { Target(on: "value", comparison: ">=", bound: bound, goal: goal) }
        /// The ratio must be at most `bound`.
        static func ratioAtMost(_ bound: Double, goal: Double? = nil) -> Target { Target(on: "ratio", comparison: "<=", bound: bound, goal: goal) }

        /// Whether `value` and `ratio` keep the bound.
        func met(value: Double, ratio: Double?) -> Bool {
            guard let checked = on == "ratio" ? ratio : value, checked.isFinite else { return false }
            return comparison == "<=" ? checked <= bound : checked >= bound
        }
    }

    /// The figure's name, dotted: `capture.insert`, `e2e.update.postgres`, `down.rss.cn.gd`.
    let figure: String
    /// TierSync's measure.
    let measured: Measure
    /// The baseline measured in the same run, when the figure has one.
    let baseline: Measure?
    /// How many times the baseline's cost TierSync's is (see the type's note).
    let ratio: Double?
    /// The bound from the issue, when it sets one.
    let target: Target?
    /// Whether the target is met (nil without a target).
    let met: Bool?
    /// Further numbers: the parts of a time, counts, other rates.
    let details: [String: Double]

    /// A figure whose ratio compares two rates: baseline rate over TierSync's.
    static func rate(_ figure: String, _ measured: Measure, baseline: Measure?, target: Target? = nil, details: [String: Double] = [:]) -> Figure {
        let ratio = baseline.flatMap { base in measured.value.flatMap { value in base.value.map { $0 / value } } }
        return Figure(figure, measured, baseline: baseline, ratio: ratio, target: target, details: details)
    }

    /// A figure whose ratio compares two costs (times, bytes, memory): TierSync's over the baseline's.
    static func cost(_ figure: String, _ measured: Measure, baseline: Measure?, target: Target? = nil, details: [String: Double] = [:]) -> Figure {
        let ratio = baseline.flatMap { base in measured.value.flatMap { value in base.value.map { value / $0 } } }
        return Figure(figure, measured, baseline: baseline, ratio: ratio, target: target, details: details)
    }

    private init(_ figure: String, _ measured: Measure, baseline: Measure?, ratio: Double?, target: Target?, details: [String: Double]) {
        self.figure = figure
        self.measured = measured
        self.baseline = baseline
        let finiteRatio = ratio.flatMap { $0.isFinite ? rounded($0) : nil }
        self.ratio = finiteRatio
        self.target = target
        self.met = target.map { $0.met(value: measured.value ?? .nan, ratio: finiteRatio) }
        self.details = details.filter { $0.value.isFinite }.mapValues(rounded)
    }

    /// The verdict as a line's closing words, for example `target <= 2x: MISSED`; empty
    /// without a target.
    var verdictText: String {
        guard let target, let met else { return "" }
        let unit = target.on == "ratio" ? "x" : " \(measured.unit)"
        return "target \(target.comparison) \(bound(target.bound))\(unit): \(verdict(met))"
    }

    private func bound(_ number: Double) -> String {
        number == number.rounded() ? String(Int(number)) : String(format: "%g", number)
    }
}

/// `value` to four decimals: more would be noise.
private func rounded(_ value: Double) -> Double {
    (value * 10_000).rounded() / 10_000
}
