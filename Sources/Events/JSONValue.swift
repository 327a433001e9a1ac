/// A JSON value whose object keys keep the order they were given in, so command output is
/// stable and reads in a sensible order.
public enum JSONValue: Sendable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case integer(Int64)
    case unsigned(UInt64)
    /// A floating-point number in its shortest exact form; `null` when not finite.
    case double(Double)
    case bool(Bool)
    case null

    /// The compact text.
    public var text: String {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    public func write(to output: inout [UInt8]) {
        switch self {
        case .object(let members):
            output.append(0x7B)
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { output.append(0x2C) }
                JSONText.appendString(key, to: &output)
                output.append(0x3A)
                value.write(to: &output)
            }
            output.append(0x7D)
        case .array(let items):
            output.append(0x5B)
            for (index, item) in items.enumerated() {
                if index > 0 { output.append(0x2C) }
                item.write(to: &output)
            }
            output.append(0x5D)
        case .string(let text): JSONText.appendString(text, to: &output)
        case .integer(let value): output.append(contentsOf: String(value).utf8)
        case .unsigned(let value): output.append(contentsOf: String(value).utf8)
        case .double(let value): output.append(contentsOf: (value.isFinite ? "\(value == 0 ? 0 : value)" : "null").utf8)  // no "-0.0"
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .null: output.append(contentsOf: "null".utf8)
        }
    }
}
