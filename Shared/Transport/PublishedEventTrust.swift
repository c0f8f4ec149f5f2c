/// What a subscriber may take from an event on the bus's event port.
///
/// The port is a broadcast: without CURVE anything that reaches it can publish there, so an event
/// proves nothing about its source. Only when the bus checks every publisher's key against the
/// source it may speak for (`publisher:<source>`) is the content worth applying as it comes.
public enum PublishedEventTrust: Sendable, Equatable {
    /// The bus admits an event only from its source's key: its content is applied (it must
    /// still name its outbox epoch, and still waits its turn by `seq`).
    case publisherChecked
    /// Nobody vouches for the publisher: an event is only a sign that its source has more, and
    /// what is applied is what the source's `ReadEvents` gives.
    case wakeUpOnly

    /// The trust that goes with a bus that does (`curve`) or does not check keys.
    public init(curve: Bool) {
        self = curve ? .publisherChecked : .wakeUpOnly
    }
}
