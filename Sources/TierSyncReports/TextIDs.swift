/// Small integer ids for the texts of one batch's bucket keys, so that summing a row into
/// its buckets hashes each of its texts once and the buckets hash as integers.
struct TextIDs {
    private var ids: [String: Int32] = ["": 0]
    private var texts: [String] = [""]

    /// The id of `text`, given on first sight. The empty text is 0.
    mutating func id(_ text: String) -> Int32 {
        if let known = ids[text] { return known }
        let id = Int32(texts.count)
        ids[text] = id
        texts.append(text)
        return id
    }

    /// The text of an id this table gave.
    subscript(id: Int32) -> String { texts[Int(id)] }
}
