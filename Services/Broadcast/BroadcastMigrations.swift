import GRDB

/// Broadcast's schema, one named migration per shipped change; never edit a shipped one. Timers
/// are rows of the shared `durableTimer` table (kind `broadcast.wave`).
enum BroadcastMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("broadcast.v1") { db in
            try db.execute(
                sql: """
                    -- Every request as opportunities last announced it, broadcast or not.
                    CREATE TABLE job (
                        partnerId TEXT NOT NULL, requestId TEXT NOT NULL, customerId TEXT NOT NULL, status TEXT NOT NULL,
                        teamSize INTEGER NOT NULL, startsAt DATETIME NOT NULL, request TEXT NOT NULL,
                        lastSeq INTEGER NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, requestId));

                    -- Each provider's opportunity state per request, as opportunities last announced it.
                    CREATE TABLE offerState (
                        partnerId TEXT NOT NULL, requestId TEXT NOT NULL, providerId TEXT NOT NULL,
                        opportunityId TEXT NOT NULL, state TEXT NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, requestId, providerId));

                    CREATE TABLE broadcast (
                        partnerId TEXT NOT NULL, requestId TEXT NOT NULL, state TEXT NOT NULL, waitingFor TEXT,
                        stopReason TEXT, lastError TEXT, currentWave INTEGER NOT NULL, waveDue BOOLEAN NOT NULL,
                        nextWaveAt DATETIME, overrides TEXT NOT NULL, startedAt DATETIME NOT NULL,
                        firstInterestAt DATETIME, filledAt DATETIME, version INTEGER NOT NULL,
                        updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, requestId),
                        FOREIGN KEY (partnerId, requestId) REFERENCES job (partnerId, requestId));
                    CREATE INDEX broadcastByState ON broadcast (partnerId, state, requestId);
                    CREATE INDEX broadcastByStart ON broadcast (partnerId, startedAt);
                    CREATE INDEX broadcastDue ON broadcast (waveDue) WHERE waveDue;

                    -- The last ranking of each broadcast's request.
                    CREATE TABLE consideredList (
                        partnerId TEXT NOT NULL, requestId TEXT NOT NULL, rankedAt DATETIME NOT NULL,
                        ranked TEXT NOT NULL, filtered TEXT NOT NULL, counts TEXT NOT NULL,
                        PRIMARY KEY (partnerId, requestId),
                        FOREIGN KEY (partnerId, requestId) REFERENCES broadcast (partnerId, requestId));

                    CREATE TABLE wave (
                        partnerId TEXT NOT NULL, requestId TEXT NOT NULL, number INTEGER NOT NULL,
                        plannedAt DATETIME NOT NULL, sentAt DATETIME, closesAt DATETIME, closedAt DATETIME,
                        leadHours DOUBLE NOT NULL, waveSize INTEGER NOT NULL, intervalMinutes INTEGER NOT NULL,
                        providerIds TEXT NOT NULL,
                        PRIMARY KEY (partnerId, requestId, number),
                        FOREIGN KEY (partnerId, requestId) REFERENCES broadcast (partnerId, requestId));

                    CREATE TABLE contactAttempt (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, requestId TEXT NOT NULL, providerId TEXT NOT NULL,
                        wave INTEGER NOT NULL, attemptNumber INTEGER NOT NULL, status TEXT NOT NULL,
                        plannedAt DATETIME NOT NULL, sentAt DATETIME, opportunityId TEXT, channel TEXT,
                        disposition TEXT, dispositionAt DATETIME, dispositionBy TEXT, late BOOLEAN NOT NULL,
                        reason TEXT, deliveredAt DATETIME, deliveryError TEXT, recycledAt DATETIME,
                        PRIMARY KEY (partnerId, id),
                        FOREIGN KEY (partnerId, requestId, wave) REFERENCES wave (partnerId, requestId, number));
                    -- One attempt per provider per wave: a wave can never contact a provider twice.
                    CREATE UNIQUE INDEX attemptPerWave ON contactAttempt (partnerId, requestId, wave, providerId);
                    CREATE INDEX attemptByProvider ON contactAttempt (partnerId, requestId, providerId);
                    CREATE INDEX attemptUnsent ON contactAttempt (status) WHERE status IN ('planned', 'sending');
                    CREATE INDEX attemptByPlannedAt ON contactAttempt (partnerId, plannedAt);
                    CREATE INDEX attemptByDisposition ON contactAttempt (partnerId, disposition);

                    -- Custom dispositions, and the partner's recycle rules of the built-in ones.
                    CREATE TABLE disposition (
                        partnerId TEXT NOT NULL, code TEXT NOT NULL, label TEXT NOT NULL, kind TEXT NOT NULL,
                        final BOOLEAN NOT NULL, blocks BOOLEAN NOT NULL, recycleAfterSeconds INTEGER, maxAttempts INTEGER,
                        archived BOOLEAN NOT NULL, updatedAt DATETIME,
                        PRIMARY KEY (partnerId, code));

                    -- customerId '' blocks the provider for every customer.
                    CREATE TABLE blockEntry (
                        partnerId TEXT NOT NULL, providerId TEXT NOT NULL, customerId TEXT NOT NULL, reason TEXT,
                        attemptId TEXT, createdAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, providerId, customerId));
                    CREATE INDEX blockByCustomer ON blockEntry (partnerId, customerId);

                    CREATE TABLE broadcastPolicy (
                        partnerId TEXT NOT NULL PRIMARY KEY, bands TEXT NOT NULL, startWindowDays INTEGER NOT NULL,
                        autoStart BOOLEAN NOT NULL, version INTEGER NOT NULL, updatedAt DATETIME);
                    """)
        }
        migrator.registerMigration("broadcast.v2.recycledInRankOrder") { db in
            // Policies set before it take the default too: those never contacted go first.
            try db.execute(
                sql: """
                    ALTER TABLE broadcastPolicy ADD COLUMN recycledInRankOrder BOOLEAN NOT NULL DEFAULT 0;
                    """)
        }
        migrator.registerMigration("broadcast.v3.attemptsAcrossRequests") { db in
            // SearchAttempts and the bulk actions read a tenant's attempts in plan order, and a
            // provider's across requests (erasure too).
            try db.execute(
                sql: """
                    CREATE INDEX attemptInPlanOrder ON contactAttempt (partnerId, plannedAt, id);
                    CREATE INDEX attemptByProviderAcrossRequests ON contactAttempt (partnerId, providerId, plannedAt);
                    """)
        }
    }
}
