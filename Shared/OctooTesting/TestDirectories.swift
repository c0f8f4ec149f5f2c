import Foundation

/// Scratch folders for tests, under one folder per test process. Folders of test processes
/// that have ended are removed on first use, so an interrupted run leaves nothing behind for long.
public enum TestDirectories {
    static let root = FileManager.default.temporaryDirectory.appendingPathComponent("octoo-tests")

    private static let cleanOnce: Void = {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return }
        for entry in entries {
            guard let pid = Int32(entry), pid != getpid(), kill(pid, 0) != 0 else { continue }
            try? FileManager.default.removeItem(at: root.appendingPathComponent(entry))
        }
    }()

    /// A new folder for one system under test.
    public static func make(_ prefix: String) -> String {
        _ = cleanOnce
        return root.appendingPathComponent("\(getpid())").appendingPathComponent("\(prefix)-\(UUID().uuidString)").path
    }
}
