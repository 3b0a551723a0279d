/// A parsed settings file: `[section]` headers, `key = value` lines and `#` comments, a
/// subset of TOML. Keys are flattened to `section.key`.
///
/// Values are bare words, numbers, `true`/`false`, or double-quoted strings with `\"`,
/// `\\`, `\n` and `\t` escapes. Configuration files and schema files share this format.
public struct KeyValueDocument: Sendable {
    /// One `key = value` line.
    public struct Entry: Sendable, Hashable {
        /// The flattened key, `section.key`.
        public var key: String
        /// The unquoted value.
        public var value: String
        /// The 1-based line number, for error messages.
        public var line: Int
    }

    /// The entries in file order.
    public private(set) var entries: [Entry] = []
    /// The section names in file order.
    public private(set) var sections: [String] = []
    /// The file name used in error messages.
    public let fileName: String

    /// Parses the text of a settings file.
    /// - Throws: ``ModelError/syntax(file:line:message:)`` naming the line at fault.
    public init(text: String, fileName: String) throws(ModelError) {
        self.fileName = fileName
        var section = ""
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            let line = KeyValueDocument.stripComment(String(rawLine)).trimmingSpaces()
            if line.isEmpty { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]"), line.count > 2 else {
                    throw .syntax(file: fileName, line: lineNumber, message: "a section header looks like [name]")
                }
                section = String(line.dropFirst().dropLast()).trimmingSpaces()
                sections.append(section)
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                throw .syntax(file: fileName, line: lineNumber, message: "expected key = value")
            }
            let key = String(line[..<equals]).trimmingSpaces()
            guard !key.isEmpty else { throw .syntax(file: fileName, line: lineNumber, message: "the key before '=' is empty") }
            let value = try KeyValueDocument.unquote(String(line[line.index(after: equals)...]).trimmingSpaces(), file: fileName, line: lineNumber)
            entries.append(Entry(key: section.isEmpty ? key : section + "." + key, value: value, line: lineNumber))
        }
    }

    /// The last value given for `key`, if any.
    public subscript(key: String) -> String? {
        entries.last { $0.key == key }?.value
    }

    /// The entries whose key starts with `prefix.`, with the prefix removed.
    public func entries(under prefix: String) -> [Entry] {
        let lead = prefix + "."
        return entries.filter { $0.key.hasPrefix(lead) }.map {
            Entry(key: String($0.key.dropFirst(lead.count)), value: $0.value, line: $0.line)
        }
    }

    private static func stripComment(_ line: String) -> String {
        var inQuotes = false
        var escaped = false
        for index in line.indices {
            let character = line[index]
            if escaped { escaped = false; continue }
            if character == "\\" && inQuotes { escaped = true; continue }
            if character == "\"" { inQuotes.toggle() }
            if character == "#" && !inQuotes { return String(line[..<index]) }
        }
        return line
    }

    private static func unquote(_ raw: String, file: String, line: Int) throws(ModelError) -> String {
        guard raw.hasPrefix("\"") else { return raw }
        guard raw.count >= 2, raw.hasSuffix("\"") else {
            throw .syntax(file: file, line: line, message: "unterminated string; close it with \"")
        }
        var result = ""
        var escaped = false
        for character in raw.dropFirst().dropLast() {
            if escaped {
                switch character {
                case "n": result.append("\n")
                case "t": result.append("\t")
                default: result.append(character)
                }
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else {
                result.append(character)
            }
        }
        return result
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" || first == "\r" { slice = slice.dropFirst() }
        while let last = slice.last, last == " " || last == "\t" || last == "\r" { slice = slice.dropLast() }
        return String(slice)
    }
}
