/// A JSON request body whose strings are templates (an `http` action's `json`), laid out once
/// when the schedule is read: the JSON text between its templated strings is written then, so a
/// request is the pieces joined, each template rendered and written as a JSON string. No
/// substituted text can break out of its string.
public struct JSONBodyTemplate: Sendable {
    enum Piece: Sendable, Equatable {
        /// JSON text, written as it is.
        case text(String)
        /// A string value with placeholders or secrets, rendered and written as a JSON string.
        case string(Template)
    }

    /// The body as the schedule gives it.
    public let value: JSONValue
    let pieces: [Piece]

    public init(_ value: JSONValue) {
        self.value = value
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
        guard written else {
            // A number that is not finite: the whole body is `null`, as `serialized()` writes it.
            self.pieces = [.text("null")]
            return
        }
        if !text.isEmpty { pieces.append(.text(text)) }
        self.pieces = pieces
    }

    /// The body's JSON text for one request.
    public func render(_ context: TemplateContext) throws(SecretError) -> String {
        var text = ""
        for piece in pieces {
            switch piece {
            case .text(let json): text += json
            case .string(let template): JSONValue.writeString(try template.render(context), to: &text)
            }
        }
        return text
    }

    public var secretNames: [String] {
        pieces.flatMap { piece -> [String] in
            if case .string(let template) = piece { return template.secretNames }
            return []
        }
    }
}
