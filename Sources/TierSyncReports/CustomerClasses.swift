import Foundation

/// The classes of a customer, from the `classes` column: names separated by commas, such as
/// `high-value,group`. A customer may be in several classes and counts in each.
///
/// The split is the same everywhere: at each comma, spaces trimmed at both ends, empty names
/// dropped, each name once. A customer with no class (NULL or only commas and spaces) is in
/// the class shown as ``none``.
public enum CustomerClasses {
    /// The label of the class of customers that have none.
    public static let none = "(none)"

    /// The class names in `text`, in their first order, each once; ``none`` when there are none.
    public static func split(_ text: String) -> [String] {
        var names: [String] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let name = part.trimmingCharacters(in: [" "])
            if !name.isEmpty && !names.contains(name) { names.append(name) }
        }
        return names.isEmpty ? [none] : names
    }
}
