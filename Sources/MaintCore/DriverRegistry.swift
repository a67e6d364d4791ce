/// Every driver, by the name a schedule file gives it. The schedule reader, the engine and the
/// state probe all find a target's driver through here, or through the `Driver` it produced.
public enum DriverRegistry {
    public static let kinds: [any Driver.Type] = [
        HTTPDriver.self, FileDriver.self, CommandDriver.self, HAProxyDriver.self, AlertmanagerDriver.self,
    ]

    static var allKeys: Set<String> { kinds.reduce(into: Set<String>()) { $0.formUnion($1.keys) } }
}
