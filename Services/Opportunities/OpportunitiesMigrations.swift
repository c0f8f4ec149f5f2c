import Contracts
import GRDB

/// The opportunities schema, one named migration per shipped change; never edit a shipped one.
enum OpportunitiesMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        registerVersion1(in: &migrator)
        registerSeekersOffersAndReasons(in: &migrator)
        registerTransitionAttempts(in: &migrator)
        registerStartTimers(in: &migrator)
        registerQuotesRecordedAnswersAndWarnings(in: &migrator)
    }

    /// The first schema, as shipped.
    static func registerVersion1(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("opportunities.v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE request (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, customerId TEXT NOT NULL, providerType TEXT NOT NULL,
                        startsAt DATETIME NOT NULL, endsAt DATETIME NOT NULL, remote BOOLEAN NOT NULL, location TEXT, zone TEXT,
                        teamSize INTEGER NOT NULL, requiredQualificationIds TEXT NOT NULL, preferredQualificationIds TEXT NOT NULL,
                        preferredProviderIds TEXT NOT NULL, decision TEXT NOT NULL, status TEXT NOT NULL, version INTEGER NOT NULL,
                        createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL, PRIMARY KEY (partnerId, id));
                    CREATE INDEX requestByStart ON request (partnerId, startsAt);

                    CREATE TABLE opportunity (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, requestId TEXT NOT NULL, providerId TEXT NOT NULL,
                        state TEXT NOT NULL, version INTEGER NOT NULL, quote TEXT, billablePercent INTEGER, replacementSoughtBy TEXT,
                        createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, id),
                        FOREIGN KEY (partnerId, requestId) REFERENCES request (partnerId, id));
                    -- One opportunity per provider and request, ever: Offer is idempotent on this pair.
                    CREATE UNIQUE INDEX opportunityPerProvider ON opportunity (partnerId, requestId, providerId);
                    CREATE INDEX opportunityByProvider ON opportunity (partnerId, providerId);

                    CREATE TABLE transition (
                        partnerId TEXT NOT NULL, opportunityId TEXT NOT NULL, seq INTEGER NOT NULL, at DATETIME NOT NULL,
                        actorRole TEXT NOT NULL, actorId TEXT, action TEXT NOT NULL, "from" TEXT, "to" TEXT NOT NULL, reason TEXT,
                        replacementSoughtBy TEXT,
                        PRIMARY KEY (partnerId, opportunityId, seq),
                        FOREIGN KEY (partnerId, opportunityId) REFERENCES opportunity (partnerId, id));

                    CREATE TABLE cancellationPolicy (
                        partnerId TEXT NOT NULL, scope TEXT NOT NULL, subjectId TEXT NOT NULL, bands TEXT NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, scope, subjectId));
                    """)
        }
    }

    /// An opportunity records everyone seeking its replacement (`replacementSeekers`, JSON),
    /// whether it was offered to find a replacement (`offeredForReplacement`), and why an
    /// automatic decision left it to the decider (`decisionReasons`, JSON); none before.
    static func registerSeekersOffersAndReasons(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("opportunities.v2.seekersOffersAndReasons") { db in
            try db.execute(
                sql: """
                    ALTER TABLE opportunity ADD COLUMN replacementSeekers TEXT;
                    ALTER TABLE opportunity ADD COLUMN offeredForReplacement BOOLEAN;
                    ALTER TABLE opportunity ADD COLUMN decisionReasons TEXT;
                    """)
        }
    }

    /// A transition names the contact attempt it belongs to (`attemptId`: an offer, a re-offer or
    /// the answer to one); none before.
    static func registerTransitionAttempts(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("opportunities.v3.transitionAttempts") { db in
            try db.execute(sql: "ALTER TABLE transition ADD COLUMN attemptId TEXT")
        }
    }

    /// Every request not cancelled gets its start timer (`JobStart`; new requests get it when
    /// created), so open offers are declined when the job starts.
    static func registerStartTimers(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("opportunities.v4.startTimers") { db in
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO durableTimer (kind, key, dueAt, partnerId)
                    SELECT ?, partnerId || '/' || id, startsAt, partnerId FROM request WHERE status != 'cancelled'
                    """,
                arguments: [JobStart.timerKind])
        }
    }

    /// Quotes have a shape (`Quote`): one stored before that does not fit it moves to
    /// `legacyQuote`, kept but no longer shown. A transition keeps an interest's quote and who
    /// recorded an answer for the provider, and how. A request records when the partner was warned
    /// that slots were still open close to the start, and gets that warning's timer (at the
    /// default lead time: no partner has set another yet); the partner's settings get a table.
    static func registerQuotesRecordedAnswersAndWarnings(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("opportunities.v5.quotesRecordedAnswersAndWarnings") { db in
            try db.execute(
                sql: """
                    ALTER TABLE opportunity ADD COLUMN legacyQuote TEXT;
                    UPDATE opportunity SET legacyQuote = quote, quote = NULL
                    WHERE quote IS NOT NULL AND NOT coalesce(CASE WHEN json_valid(quote) THEN
                        json_type(quote) = 'object'
                        AND json_type(quote, '$.amount') IN ('integer', 'real') AND json_extract(quote, '$.amount') >= 0
                        AND json_type(quote, '$.currency') = 'text'
                        AND json_extract(quote, '$.currency') GLOB '[A-Z][A-Z][A-Z]'
                        AND json_type(quote, '$.per') = 'text' AND json_extract(quote, '$.per') IN ('hour', 'job')
                        AND coalesce(json_type(quote, '$.note'), 'text') = 'text'
                        ELSE 0 END, 0);

                    ALTER TABLE transition ADD COLUMN quote TEXT;
                    ALTER TABLE transition ADD COLUMN recordedBy TEXT;
                    ALTER TABLE transition ADD COLUMN recordedVia TEXT;

                    ALTER TABLE request ADD COLUMN unfilledSoonAt DATETIME;

                    CREATE TABLE settings (
                        partnerId TEXT NOT NULL PRIMARY KEY, unfilledSoonLeadHours DOUBLE NOT NULL,
                        version INTEGER NOT NULL, updatedAt DATETIME);
                    """)
            try db.execute(
                sql: """
                    INSERT OR IGNORE INTO durableTimer (kind, key, dueAt, partnerId)
                    SELECT ?, partnerId || '/' || id, strftime('%Y-%m-%d %H:%M:%f', startsAt, ?), partnerId
                    FROM request WHERE status IN ('open', 'filled')
                    """,
                arguments: [
                    UnfilledRequests.warningKind,
                    "-\(Int(OpportunitiesSettings.defaultUnfilledSoonLeadHours * 3600)) seconds",
                ])
        }
    }
}
