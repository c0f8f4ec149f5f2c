import Foundation
import Wire

/// One line of the demo's timeline: something a service did (read from its events or replies), or
/// something the demo did as a customer, partner or simulated provider.
struct DemoEntry: Encodable {
    /// What the line is about, for a machine reading the JSON log.
    enum Kind: String, Encodable {
        /// A scene begins.
        case scene
        /// Context: what the demo is about to do, or a count.
        case note
        /// The partner seeded through the registry.
        case seeded
        /// `matching.Rank`: one ranked provider with every criterion.
        case ranked
        /// `matching.Rank`: one filtered provider with every reason.
        case filtered
        /// A request created, with its defaults merged.
        case request
        /// `broadcast.wave.sent`.
        case wave
        /// `broadcast.attempt.dispositioned`.
        case disposition
        /// `broadcast.state.changed`.
        case broadcast
        /// `opportunities.opportunity.changed` or `replacement.sought`.
        case opportunity
        /// `opportunities.request.created|filled|reopened|cancelled`.
        case requestChanged
        /// A simulated provider's answer (or silence).
        case provider
        /// A decider's decision, or a party's action (cancel, seek a replacement).
        case decision
        /// One opportunity as the customer, the partner and the provider each see it.
        case masking
        /// `registry.document.expired`: the qualifications that lapsed.
        case lapse
        /// A provider's qualifications as the registry judges them now.
        case qualification
        /// The clocks moved.
        case clock
        /// `broadcast.Stats` and the opportunities by state.
        case stats
        /// The demo finished.
        case done
    }

    var kind: Kind
    var scene: Int
    /// The services' clock when it happened.
    var at: Date
    var text: String
    var data: JSONValue? = nil
    /// Lines of one kind in a row with the same key print as one line in the text timeline.
    var group: Group? = nil

    /// How consecutive similar lines fold into one: `label (n): subject, subject, …`.
    struct Group {
        var key: String
        var label: String
        var subject: String
    }

    private enum CodingKeys: String, CodingKey { case kind, scene, at, text, data }
}

/// Prints the timeline: readable text, or one JSON object per line (`--json`), on standard output;
/// and a progress line on standard error while it runs, when that is a terminal.
final class DemoTimeline {
    let json: Bool
    let sceneCount: Int
    /// The services' clock at the demo's start: text times are shown relative to it.
    var origin = Date()
    private(set) var scene = 0
    private var sceneTitle = ""
    private var entries = 0
    private let started = ContinuousClock.now
    private let progress = isatty(STDERR_FILENO) == 1
    private let encoder = WireCoding.makeEncoder(sortedKeys: true)

    init(json: Bool, sceneCount: Int) {
        self.json = json
        self.sceneCount = sceneCount
    }

    /// Starts scene `title`, numbered from 1.
    func beginScene(_ title: String, at: Date) {
        scene += 1
        sceneTitle = title
        clearProgress()
        if json {
            write(DemoEntry(kind: .scene, scene: scene, at: at, text: title))
        } else {
            say("\n== \(scene)/\(sceneCount) · \(title)")
        }
        showProgress()
    }

    /// Prints `entries`, folding runs of grouped lines in the text timeline.
    func emit(_ batch: [DemoEntry]) {
        guard !batch.isEmpty else { return }
        clearProgress()
        if json {
            for entry in batch { write(entry) }
        } else {
            var index = 0
            while index < batch.count {
                let entry = batch[index]
                guard let group = entry.group else {
                    say(line(entry.at, entry.text))
                    index += 1
                    continue
                }
                var subjects = [group.subject]
                var next = index + 1
                while next < batch.count, batch[next].group?.key == group.key {
                    subjects.append(batch[next].group!.subject)
                    next += 1
                }
                if subjects.count == 1 {
                    say(line(entry.at, entry.text))
                } else {
                    let shown = subjects.prefix(6).joined(separator: ", ")
                    let more = subjects.count > 6 ? " and \(subjects.count - 6) more" : ""
                    say(line(entry.at, "\(group.label) (\(subjects.count)): \(shown)\(more)"))
                }
                index = next
            }
        }
        entries += batch.count
        showProgress()
    }

    /// Prints one entry.
    func emit(_ entry: DemoEntry) { emit([entry]) }

    /// Ends the progress line.
    func finish() { clearProgress() }

    /// `[+2d 08:00] text`: the time since the demo's start on the services' clock.
    private func line(_ at: Date, _ text: String) -> String {
        let minutes = max(0, Int((at.timeIntervalSince(origin) / 60).rounded()))
        let stamp = String(format: "+%dd %02d:%02d", minutes / 1440, minutes % 1440 / 60, minutes % 60)
        return "[\(stamp)] \(text)"
    }

    private func write(_ entry: DemoEntry) {
        guard let data = try? encoder.encode(entry) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }

    private func showProgress() {
        guard progress else { return }
        let elapsed = Int((ContinuousClock.now - started).components.seconds)
        let text = "octoo demo: scene \(scene)/\(sceneCount), \(sceneTitle) · \(entries) events · \(elapsed)s"
        FileHandle.standardError.write(Data("\r\u{1B}[2K\(text.prefix(110))".utf8))
    }

    private func clearProgress() {
        guard progress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
