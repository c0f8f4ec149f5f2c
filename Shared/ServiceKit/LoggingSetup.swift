import Foundation
import Logging

/// Process-wide logging for the executables: one line per entry on standard error, metadata
/// included (`request.id`, `method`, `partner`, `service`), control characters escaped.
public enum LoggingSetup {
    /// Bootstraps swift-log once; call first thing in `main`.
    public static func bootstrap(level: Logger.Level) {
        LoggingSystem.bootstrap { label in
            var handler = LineLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
    }
}
