import Testing
import TierSyncNode

/// A `TIERSYNC_*` variable that sets nothing draws a warning naming the nearest setting.
struct EnvironmentWarningTests {
    @Test func misspelledVariableIsNamedWithTheNearestSetting() {
        let warnings = ConfigurationReader.environmentWarnings([
            "TIERSYNC_SYNC_INTERVALL": "2", "TIERSYNC_NODE_LISTEN": "127.0.0.1:7400", "TIERSYNC_LIMIT_BODY_BYTES": "1", "PATH": "/bin",
        ])
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("TIERSYNC_LIMIT_BODY_BYTES matches no setting") && $0.contains("did you mean TIERSYNC_LIMITS_BODY_BYTES (limits.body_bytes)") }, "\(warnings)")
        #expect(warnings.contains { $0.contains("TIERSYNC_SYNC_INTERVALL") && $0.contains("TIERSYNC_SYNC_INTERVAL (sync.interval)") }, "\(warnings)")
    }

    @Test func everySettingsOwnVariableIsQuiet() {
        let environment = Dictionary(uniqueKeysWithValues: ConfigurationReader.keys.map { ($0.environment, "x") })
        #expect(ConfigurationReader.environmentWarnings(environment).isEmpty)
    }
}
