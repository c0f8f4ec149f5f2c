import GRDB

/// The registry's schema, one named migration per shipped change; never edit a shipped one.
enum RegistryMigrations {
    /// Every registry migration, in order.
    static func register(in migrator: inout DatabaseMigrator) {
        registerVersion1(in: &migrator)
        registerExpiryOnDurableTimers(in: &migrator)
        registerDecisionDefaultsAndVocabulary(in: &migrator)
        registerInvalidChannels(in: &migrator)
        registerErasure(in: &migrator)
    }

    /// The first schema, as shipped (tests start from it to check the migrations after it).
    static func registerVersion1(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry.v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE documentType (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
                        createdAt DATETIME NOT NULL, PRIMARY KEY (partnerId, id));
                    CREATE UNIQUE INDEX documentTypeName ON documentType (partnerId, name COLLATE NOCASE);

                    CREATE TABLE qualification (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
                        providerTypes TEXT NOT NULL, zones TEXT NOT NULL, requiredDocumentTypeIds TEXT NOT NULL,
                        archived BOOLEAN NOT NULL, version INTEGER NOT NULL, createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, id));
                    CREATE UNIQUE INDEX qualificationName ON qualification (partnerId, name COLLATE NOCASE);

                    CREATE TABLE provider (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, providerType TEXT NOT NULL,
                        email TEXT, phone TEXT, location TEXT, travelRadiusKm DOUBLE, zones TEXT NOT NULL,
                        active BOOLEAN NOT NULL, version INTEGER NOT NULL, createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, id));

                    CREATE TABLE document (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, providerId TEXT NOT NULL, documentTypeId TEXT NOT NULL,
                        issuedAt DATETIME NOT NULL, expiresAt DATETIME, revokedAt DATETIME,
                        PRIMARY KEY (partnerId, id),
                        FOREIGN KEY (partnerId, providerId) REFERENCES provider (partnerId, id),
                        FOREIGN KEY (partnerId, documentTypeId) REFERENCES documentType (partnerId, id));
                    CREATE INDEX documentByProvider ON document (partnerId, providerId);

                    -- The durable expiry timer: one row per document expiry not yet announced.
                    CREATE TABLE documentExpiryTimer (
                        partnerId TEXT NOT NULL, documentId TEXT NOT NULL, dueAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, documentId),
                        FOREIGN KEY (partnerId, documentId) REFERENCES document (partnerId, id));
                    CREATE INDEX documentExpiryTimerDue ON documentExpiryTimer (dueAt);

                    CREATE TABLE appliedQualification (
                        partnerId TEXT NOT NULL, providerId TEXT NOT NULL, qualificationId TEXT NOT NULL, appliedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, providerId, qualificationId),
                        FOREIGN KEY (partnerId, providerId) REFERENCES provider (partnerId, id),
                        FOREIGN KEY (partnerId, qualificationId) REFERENCES qualification (partnerId, id));

                    -- Set once a qualification is applied or used on a request: it can then only be archived.
                    CREATE TABLE qualificationUse (
                        partnerId TEXT NOT NULL, qualificationId TEXT NOT NULL, firstUsedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, qualificationId));

                    CREATE TABLE availabilityWindow (
                        partnerId TEXT NOT NULL, providerId TEXT NOT NULL, "from" DATETIME NOT NULL, "to" DATETIME NOT NULL,
                        status TEXT NOT NULL,
                        FOREIGN KEY (partnerId, providerId) REFERENCES provider (partnerId, id));
                    CREATE INDEX availabilityByProvider ON availabilityWindow (partnerId, providerId, "from");

                    CREATE TABLE customer (
                        partnerId TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,
                        defaultRequiredQualificationIds TEXT NOT NULL, defaultPreferredQualificationIds TEXT NOT NULL,
                        lists TEXT NOT NULL, version INTEGER NOT NULL, createdAt DATETIME NOT NULL, updatedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, id));
                    CREATE UNIQUE INDEX customerName ON customer (partnerId, name COLLATE NOCASE);
                    """)
        }
    }

    /// Document expiry moves to the shared durable timers: each pending `documentExpiryTimer` row
    /// becomes a `durableTimer` of kind `registry.document.expiry` (key `partnerId/documentId`,
    /// as `DocumentExpiry` reads it), and the old table goes.
    static func registerExpiryOnDurableTimers(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry.v2.documentExpiryOnDurableTimers") { db in
            try db.execute(
                sql: """
                    INSERT INTO durableTimer (kind, key, dueAt, partnerId)
                    SELECT ?, partnerId || '/' || documentId, dueAt, partnerId FROM documentExpiryTimer;
                    DROP TABLE documentExpiryTimer;
                    """,
                arguments: [DocumentExpiry.timerKind])
        }
    }

    /// Customers get their default decision policy (`defaultDecision`, JSON, none before), and
    /// each partner a vocabulary of zones and provider types (one row, made when first set).
    static func registerDecisionDefaultsAndVocabulary(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry.v3.decisionDefaultsAndVocabulary") { db in
            try db.execute(
                sql: """
                    ALTER TABLE customer ADD COLUMN defaultDecision TEXT;

                    CREATE TABLE vocabulary (
                        partnerId TEXT NOT NULL PRIMARY KEY, zones TEXT NOT NULL, providerTypes TEXT NOT NULL,
                        version INTEGER NOT NULL, updatedAt DATETIME);
                    """)
        }
    }

    /// Providers get the channels marked invalid (`invalidChannels`, JSON; none before).
    static func registerInvalidChannels(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry.v4.invalidChannels") { db in
            try db.execute(sql: "ALTER TABLE provider ADD COLUMN invalidChannels TEXT")
        }
    }

    /// Providers can be erased (`erasedAt`), and each erasure is recorded with its reason.
    static func registerErasure(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("registry.v5.providerErasure") { db in
            try db.execute(
                sql: """
                    ALTER TABLE provider ADD COLUMN erasedAt DATETIME;

                    CREATE TABLE providerErasure (
                        partnerId TEXT NOT NULL, providerId TEXT NOT NULL, pseudonym TEXT NOT NULL,
                        reason TEXT NOT NULL, erasedBy TEXT NOT NULL, erasedAt DATETIME NOT NULL,
                        PRIMARY KEY (partnerId, providerId));
                    """)
        }
    }
}
