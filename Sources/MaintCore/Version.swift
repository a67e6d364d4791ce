/// This build's version: `maint --version`, and the User-Agent of every request maint sends.
public enum Version {
    public static let number = "0.2.0"
    public static let userAgent = "maint/" + number
}
