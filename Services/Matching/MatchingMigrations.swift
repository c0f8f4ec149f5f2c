import GRDB

/// The read model's schema, one named migration per shipped change; never edit a shipped one.
///
/// Times are stored as seconds since 1970 (REAL), not GRDB's date text: ranking reads thousands
/// of rows per call and compares them in SQL, and numbers are cheaper to do both with.
enum MatchingMigrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("matching.v1.readModel") { db in
            try db.execute(
                sql: """
                    CREATE TABLE provider (
                        key INTEGER PRIMARY KEY,
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, providerType TEXT NOT NULL, active BOOLEAN NOT NULL,
                        lat DOUBLE, lon DOUBLE, travelRadiusKm DOUBLE,
                        zones TEXT NOT NULL, channels TEXT NOT NULL, version INTEGER NOT NULL,
                        UNIQUE (partnerId, id));
                    CREATE INDEX providerByType ON provider (partnerId, providerType, active);

                    -- Where each located provider can reach (their travel radius as a box around
                    -- them): the job's point is looked up here, then the distance checked exactly.
                    CREATE VIRTUAL TABLE providerReach USING rtree(key, minLat, maxLat, minLon, maxLon);

                    -- The zones a provider works in, so a remote job in a zone reads only its providers.
                    CREATE TABLE providerZone (
                        partnerId TEXT NOT NULL, zone TEXT NOT NULL, providerKey INTEGER NOT NULL,
                        PRIMARY KEY (partnerId, zone, providerKey)) WITHOUT ROWID;
                    CREATE INDEX providerZoneByProvider ON providerZone (providerKey);

                    CREATE TABLE documentType (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
                        PRIMARY KEY (partnerId, id)) WITHOUT ROWID;

                    CREATE TABLE qualification (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
                        providerTypes TEXT NOT NULL, zones TEXT NOT NULL, requiredDocumentTypeIds TEXT NOT NULL,
                        archived BOOLEAN NOT NULL,
                        PRIMARY KEY (partnerId, id)) WITHOUT ROWID;

                    CREATE TABLE document (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL,
                        providerId TEXT NOT NULL, documentTypeId TEXT NOT NULL,
                        issuedAt DOUBLE NOT NULL, expiresAt DOUBLE, revokedAt DOUBLE,
                        PRIMARY KEY (partnerId, id)) WITHOUT ROWID;
                    CREATE INDEX documentByProvider ON document (partnerId, providerId, documentTypeId);

                    CREATE TABLE appliedQualification (
                        partnerId TEXT NOT NULL, providerId TEXT NOT NULL, qualificationId TEXT NOT NULL,
                        PRIMARY KEY (partnerId, providerId, qualificationId)) WITHOUT ROWID;

                    CREATE TABLE availabilityWindow (
                        partnerId TEXT NOT NULL, providerId TEXT NOT NULL, "from" DOUBLE NOT NULL, "to" DOUBLE NOT NULL,
                        status TEXT NOT NULL);
                    CREATE INDEX availabilityByProvider ON availabilityWindow (partnerId, providerId, "from");

                    CREATE TABLE customer (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL,
                        defaultRequiredQualificationIds TEXT NOT NULL, defaultPreferredQualificationIds TEXT NOT NULL,
                        PRIMARY KEY (partnerId, id)) WITHOUT ROWID;

                    CREATE TABLE customerListEntry (
                        partnerId TEXT NOT NULL, customerId TEXT NOT NULL, providerId TEXT NOT NULL, kind TEXT NOT NULL,
                        PRIMARY KEY (partnerId, customerId, providerId, kind)) WITHOUT ROWID;

                    -- Requests as opportunities publishes them: window, place, status.
                    CREATE TABLE job (
                        partnerId TEXT NOT NULL, requestId TEXT NOT NULL, customerId TEXT NOT NULL,
                        providerType TEXT NOT NULL, startsAt DOUBLE NOT NULL, endsAt DOUBLE NOT NULL,
                        remote BOOLEAN NOT NULL, lat DOUBLE, lon DOUBLE, zone TEXT, status TEXT NOT NULL,
                        PRIMARY KEY (partnerId, requestId)) WITHOUT ROWID;

                    -- Each provider's opportunity on a job, in its latest state: live jobs (conflicts)
                    -- and shared history (jobs done, no-shows, workload).
                    CREATE TABLE providerJob (
                        partnerId TEXT NOT NULL, opportunityId TEXT NOT NULL, requestId TEXT NOT NULL,
                        providerId TEXT NOT NULL, customerId TEXT NOT NULL, state TEXT NOT NULL,
                        startsAt DOUBLE NOT NULL, endsAt DOUBLE NOT NULL, changedAt DOUBLE NOT NULL,
                        PRIMARY KEY (partnerId, opportunityId)) WITHOUT ROWID;
                    CREATE INDEX providerJobByProvider ON providerJob (partnerId, providerId, startsAt);
                    CREATE INDEX providerJobByCustomer ON providerJob (partnerId, customerId, providerId);
                    """)
        }
        migrator.registerMigration("matching.v1.settings") { db in
            // Settings are facts, not derived from a source: no reset or rebuild touches them.
            try db.execute(
                sql: """
                    CREATE TABLE rankingSettings (
                        partnerId TEXT PRIMARY KEY, version INTEGER NOT NULL, settings BLOB NOT NULL);
                    CREATE TABLE readModelReset (
                        source TEXT PRIMARY KEY, count INTEGER NOT NULL, lastAt DOUBLE NOT NULL, reason TEXT NOT NULL);
                    """)
        }
        migrator.registerMigration("matching.v2.invalidChannels") { db in
            // `channels` holds the usable ones from now on; those marked invalid are kept apart
            // for the reason ranking gives (none was marked before).
            try db.execute(sql: "ALTER TABLE provider ADD COLUMN invalidChannels TEXT NOT NULL DEFAULT ''")
        }
    }
}
