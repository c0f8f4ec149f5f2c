import Contracts

/// Cancellation bands: cancelling at most `hoursBeforeStart` hours before the start (the edge
/// included, and any time after it) bills that band's percent; the highest applicable band of
/// each policy counts, and the stricter of the customer's and the provider's policy applies.
public enum CancellationRules {
    /// The percent billed for cancelling `hoursBeforeStart` hours before the start under `policies`.
    public static func billablePercent(hoursBeforeStart: Double, policies: [[CancellationBand]]) -> Int {
        policies.map { bands in
            bands.filter { hoursBeforeStart <= $0.hoursBeforeStart }.map(\.billablePercent).max() ?? 0
        }.max() ?? 0
    }
}
