import Synchronization

/// A JSON request body whose strings are templates (an `http` action's `json`), laid out at its
/// first request and kept: the JSON text between its templated strings is written then, so each
/// request is the pieces joined, each template rendered and written as a JSON string. No
/// substituted text can break out of its string. Laid out when first sent, not when read: a
/// schedule's reading does not pay for bodies a command never sends.
public struct JSONBodyTemplate: Sendable {
    enum Piece: Sendable, Equatable {
        /// JSON text, written as it is.
        case text(String)
        /// A string value with placeholders or secrets, rendered and written as a JSON string.
        case string(Template)
    }

    /// The body as the schedule gives it.
    public let value: JSONValue
    /// The pieces, once laid out. Shared by the copies of the schedule (the engine's thread and
    /// its workers read the same targets), so laid out once for all of them.
    private let laidOut = LaidOut()

    private final class LaidOut: Sendable {
        let pieces = Mutex<[Piece]?>(nil)
    }

    public init(_ value: JSONValue) {
        self.value = value
    }

    var pieces: [Piece] {
        laidOut.pieces.withLock { pieces in
            if let pieces { return pieces }
            let laid = Self.layOut(value)
            pieces = laid
            return laid
        }
    }

    static func layOut(_ value: JSONValue) -> [Piece] {
        var pieces: [Piece] = []
        var text = ""
        let written = value.write(to: &text) { string, textSoFar in
            // Most strings of a body are plain: no template to read for them. A string that is not
            // a template (its errors are the schedule check's) is sent as it is.
            guard string.utf8.contains(UInt8(ascii: "{")), let template = try? Template(parsing: string), !template.isConstant else {
                return JSONValue.writeString(string, to: &textSoFar)
            }
            if !textSoFar.isEmpty { pieces.append(.text(textSoFar)) }
            pieces.append(.string(template))
            textSoFar = ""
        }
        // A number that is not finite: the whole body is `null`, as `serialized()` writes it.
        guard written else { return [.text("null")] }
        if !text.isEmpty { pieces.append(.text(text)) }
        return pieces
    }

    /// The body's JSON text for one request.
    public func render(_ context: TemplateContext) throws(SecretError) -> String {
        String(decoding: try utf8(context), as: UTF8.self)
    }

    /// The same text as UTF-8 bytes, as a request sends it: put together as bytes, not appended
    /// to a string piece by piece.
    public func utf8(_ context: TemplateContext) throws(SecretError) -> [UInt8] {
        var bytes: [UInt8] = []
        // Room for a site's usual body at once; a larger one grows.
        bytes.reserveCapacity(256)
        for piece in pieces {
            switch piece {
            case .text(let json): UTF8Text.append(json, to: &bytes)
            case .string(let template): JSONValue.writeString(try template.render(context), to: &bytes)
            }
        }
        return bytes
    }

    public var secretNames: [String] { JSONBodyTemplate.secretNames(in: value) }

    private static func secretNames(in value: JSONValue) -> [String] {
        switch value {
        case .string(let text): return (try? Template(parsing: text))?.secretNames ?? []
        case .array(let values): return values.flatMap(secretNames(in:))
        case .object(let values): return values.values.flatMap(secretNames(in:))
        default: return []
        }
    }
}
