import ArgumentParser
import Contracts
import Foundation
import ServiceKit
import Transport
import Wire

/// `octoo export`: a partner's records out of the services, every page of them.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Export a partner's records, every page, as CSV or JSON lines.",
        subcommands: [ExportAttemptsCommand.self])
}

/// `octoo export attempts`: the partner's contact attempts across requests, by disposition,
/// period and customer (`broadcast.SearchAttempts`, read page after page).
struct ExportAttemptsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "attempts",
        abstract: "Export a partner's contact attempts (broadcast.SearchAttempts), by disposition, period, customer.",
        discussion: """
            CSV has a header row and one row per attempt, in plan order; JSON lines, one object per attempt. \
            The period is when the attempts were planned, [--from, --to), as broadcast.Stats counts one. With \
            --out the file appears only once every page is written.
            """)

    /// What the export is written as.
    enum Format: String, ExpressibleByArgument, CaseIterable {
        case csv, jsonl
    }

    @Option(help: "The partner (tenant) whose attempts to export.")
    var partner: String
    @Option(name: .customLong("disposition"), help: "Only attempts with this disposition code (repeatable).")
    var dispositions: [String] = []
    @Option(help: "Only attempts planned at or after this time (RFC 3339, e.g. 2031-01-01T00:00:00Z).")
    var from: String?
    @Option(help: "Only attempts planned before this time (RFC 3339), after --from.")
    var to: String?
    @Option(help: "Only attempts on this customer's requests.")
    var customer: String?
    @Option(help: "csv (with a header row) or jsonl (a JSON object per line).")
    var format: Format = .csv
    @Option(help: "Write to this file instead of standard output.")
    var out: String?
    @Option(help: "Attempts read per call, 1 to 1000.")
    var pageSize: Int = 500
    @Option(help: "Deadline of each call, in milliseconds.")
    var timeoutMs: Int = 30_000
    @OptionGroup var bus: BusOptions
    @OptionGroup var curve: CurveClientOptions

    func validate() throws {
        guard !partner.isEmpty else { throw ValidationError("--partner must not be empty") }
        for (flag, text) in [("--from", from), ("--to", to)] {
            if let text, Timestamp.parse(text) == nil {
                throw ValidationError("\(flag) \(text) is not an RFC 3339 time such as 2031-01-01T00:00:00Z")
            }
        }
        if let from = from.flatMap(Timestamp.parse), let to = to.flatMap(Timestamp.parse), from >= to {
            throw ValidationError("--to must be after --from")
        }
        guard (1...Paging.maxPageSize).contains(pageSize) else {
            throw ValidationError("--page-size must be from 1 to \(Paging.maxPageSize)")
        }
        guard (1...86_400_000).contains(timeoutMs) else {
            throw ValidationError("--timeout-ms must be from 1 to 86400000")
        }
    }

    func run() async throws {
        let clients = try BusClients(endpoints: try bus.endpoints(), curve: try curve.keys())
        defer { clients.close() }
        let broadcast = BroadcastClient(
            try clients.client(Broadcast.service), actor: Actor(role: .partner, partnerId: partner, id: "octoo-export"),
            options: CallOptions(timeout: .milliseconds(timeoutMs)))
        let output = try ExportOutput(path: out)
        var written = 0
        do {
            var request = SearchAttemptsRequest(
                dispositions: dispositions.isEmpty ? nil : dispositions, customerId: customer,
                from: from.flatMap(Timestamp.parse), to: to.flatMap(Timestamp.parse), pageSize: pageSize)
            repeat {
                let page = try await broadcast.searchAttempts(request)
                var lines = try page.attempts.map { format == .csv ? AttemptRows.csv($0) : try AttemptRows.json($0) }
                // The header goes with the first page, so a refused export writes nothing.
                if format == .csv, request.pageToken == nil { lines.insert(AttemptRows.header, at: 0) }
                if !lines.isEmpty { try output.write(lines.joined(separator: "\n") + "\n") }
                written += page.attempts.count
                request.pageToken = page.nextPageToken
            } while request.pageToken != nil
            try output.finish()
        } catch let error as RPCError {
            output.abandon()
            FileHandle.standardError.write(Data((prettyJSON(Status(error)) + "\n").utf8))
            throw ExitCode(1)
        } catch {
            output.abandon()
            throw error
        }
        sayError("octoo: exported \(written) attempts" + (out.map { " to \($0)" } ?? ""))
    }
}

/// Attempts as export rows.
enum AttemptRows {
    /// The CSV columns, in order.
    static let columns = [
        "attemptId", "requestId", "customerId", "providerId", "wave", "attemptNumber", "status", "plannedAt", "sentAt",
        "opportunityId", "disposition", "dispositionLabel", "dispositionBy", "dispositionAt", "late", "reason",
        "recycledAt",
    ]

    static let header = columns.joined(separator: ",")

    /// One CSV row (RFC 4180: a field with a comma, a quote or a line break is quoted, its quotes doubled).
    static func csv(_ attempt: AttemptSummary) -> String {
        let time = { (date: Date?) in date.map(Timestamp.format) ?? "" }
        let fields = [
            attempt.id, attempt.requestId, attempt.customerId, attempt.providerId, "\(attempt.wave)",
            "\(attempt.attemptNumber)", attempt.status.rawValue, Timestamp.format(attempt.plannedAt),
            time(attempt.sentAt), attempt.opportunityId ?? "", attempt.disposition ?? "",
            attempt.dispositionLabel ?? "", attempt.dispositionBy ?? "", time(attempt.dispositionAt),
            "\(attempt.late)", attempt.reason ?? "", time(attempt.recycledAt),
        ]
        return fields.map(quoted).joined(separator: ",")
    }

    static func quoted(_ field: String) -> String {
        guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// One JSON line: the attempt as `SearchAttempts` returns it, keys sorted.
    static func json(_ attempt: AttemptSummary) throws -> String {
        String(decoding: try WireCoding.makeEncoder(sortedKeys: true).encode(attempt), as: UTF8.self)
    }
}

/// Where the export goes: standard output as it comes, or a file that appears (atomically, by
/// rename) only once complete, so a failed export leaves no half file behind.
final class ExportOutput {
    private let path: String?
    private let partial: String?
    private let handle: FileHandle

    init(path: String?) throws {
        self.path = path
        guard let path else {
            partial = nil
            handle = FileHandle.standardOutput
            return
        }
        let partial = path + ".partial-\(getpid())"
        guard FileManager.default.createFile(atPath: partial, contents: nil),
            let handle = FileHandle(forWritingAtPath: partial)
        else { throw ValidationError("cannot write --out \(path)") }
        self.partial = partial
        self.handle = handle
    }

    func write(_ text: String) throws {
        try handle.write(contentsOf: Data(text.utf8))
    }

    func finish() throws {
        guard let path, let partial else { return }
        try handle.close()
        guard rename(partial, path) == 0 else {
            throw ValidationError("cannot write --out \(path): \(String(cString: strerror(errno)))")
        }
    }

    func abandon() {
        guard let partial else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: partial)
    }
}
