import Foundation

/// Plain-text columns for human output.
public struct Table {
    public var headers: [String]
    public var rows: [[String]] = []

    public init(headers: [String]) { self.headers = headers }

    /// The columns, padded; with `maxWidth`, the last column is cut (with …) so that no line is
    /// longer, unless the others alone leave it under 12 characters.
    public func render(maxWidth: Int? = nil) -> String {
        var widths = headers.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], cell.count) }
        }
        let room = maxWidth.map { max(12, $0 - widths.dropLast().reduce(0) { $0 + $1 + 2 }) } ?? Int.max
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                guard index == cells.count - 1 else { return cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) }
                return cell.count <= room ? cell : String(cell.prefix(room - 1)) + "…"
            }.joined(separator: "  ")
        }
        return ([line(headers)] + rows.map(line)).joined(separator: "\n")
    }
}
