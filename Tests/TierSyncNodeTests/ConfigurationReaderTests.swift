import Foundation
import Testing
import TierSyncModel
import TierSyncNode

struct ConfigurationReaderTests {
    private func file(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tiersync-\(UUID().uuidString).conf").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func flagsOverrideEnvironmentWhichOverridesTheFile() throws {
        let path = try file("""
            [node]
            id = "cn.gd.sz"
            listen = "127.0.0.1:7402"
            parent = "http://127.0.0.1:7401"
            database = "data/sz.sqlite"   # relative to this file
            [sync]
            interval = 2
            batch = 100
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let fromFile = try ConfigurationReader.read(file: path, environment: [:], flags: [:])
        #expect(fromFile.listenPort == 7402 && fromFile.syncInterval == 2 && fromFile.batchSize == 100)
        #expect(fromFile.databasePath == URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("data/sz.sqlite").path)
        let environment = ["TIERSYNC_SYNC_INTERVAL": "3", "TIERSYNC_SYNC_BATCH": "200"]
        let fromEnvironment = try ConfigurationReader.read(file: path, environment: environment, flags: [:])
        #expect(fromEnvironment.syncInterval == 3 && fromEnvironment.batchSize == 200)
        let fromFlags = try ConfigurationReader.read(file: path, environment: environment, flags: ["sync.interval": "4"])
        #expect(fromFlags.syncInterval == 4 && fromFlags.batchSize == 200)
    }

    @Test func defaultsNeedOnlyTheGroupsID() throws {
        let configuration = try ConfigurationReader.read(file: nil, environment: ["TIERSYNC_NODE_ID": "cn"], flags: [:])
        #expect(configuration == NodeConfiguration(node: try NodeID("cn")))
        #expect(configuration.listenPort == 7400 && configuration.syncInterval == 5 && configuration.parent == nil)
    }

    @Test func mistakesAreNamedWithTheirSource() throws {
        let path = try file("[node]\nid = \"cn.gd\"\nparent = \"http://127.0.0.1:7400\"\nlisten = \"nowhere\"\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect { try ConfigurationReader.read(file: path, environment: [:], flags: [:]) } throws: { "\($0)".contains("\(path):4") }
        #expect { try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn.gd"]) } throws: {
            "\($0)".contains("node.parent is not set")
        }
        #expect { try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn", "node.color": "red"]) } throws: {
            "\($0)".contains("unknown setting 'node.color'")
        }
        #expect { try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn", "node.parent": "http://x:1"]) } throws: {
            "\($0)".contains("is the group")
        }
    }

    @Test func expectedChildrenAndStalenessAreRead() throws {
        let path = try file("[node]\nid = \"cn\"\nchildren = \"cn.gd, cn.js\"\n[status]\nstale_after = 90\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let configuration = try ConfigurationReader.read(file: path, environment: [:], flags: [:])
        #expect(configuration.expectedChildren == [try NodeID("cn.gd"), try NodeID("cn.js")] && configuration.staleAfter == 90)
        #expect { try ConfigurationReader.read(file: path, environment: [:], flags: ["node.children": "cn.gd.sz"]) } throws: {
            "\($0)".contains("ids of children of cn") && "\($0)".contains("flag --node-children")
        }
        #expect { try ConfigurationReader.read(file: path, environment: ["TIERSYNC_STATUS_STALE_AFTER": "0"], flags: [:]) } throws: {
            "\($0)".contains("status.stale_after")
        }
    }

    @Test func everyKeyHasAnEnvironmentVariableAndAFlag() {
        let names = ConfigurationReader.keys.map(\.name)
        #expect(Set(names).count == names.count)
        #expect(ConfigurationReader.keys.first { $0.name == "limits.body_bytes" }?.environment == "TIERSYNC_LIMITS_BODY_BYTES")
        #expect(ConfigurationReader.keys.first { $0.name == "limits.body_bytes" }?.flag == "--limits-body-bytes")
    }

    @Test func theStampLeadIsReadFromEachLayerAndBounded() throws {
        let path = try file("[node]\nid = \"cn\"\n[limits]\nstamp_lead = 45\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn"]).stampLead == StampLead(seconds: 30))
        #expect(try ConfigurationReader.read(file: path, environment: [:], flags: [:]).stampLead.seconds == 45)
        #expect(try ConfigurationReader.read(file: path, environment: ["TIERSYNC_LIMITS_STAMP_LEAD": "60"], flags: [:]).stampLead.seconds == 60)
        #expect(try ConfigurationReader.read(file: path, environment: ["TIERSYNC_LIMITS_STAMP_LEAD": "60"], flags: ["limits.stamp_lead": "5"]).stampLead.seconds == 5)
        #expect(ConfigurationReader.keys.first { $0.name == "limits.stamp_lead" }?.flag == "--limits-stamp-lead")
        for (value, expected) in [("0", "at least 1"), ("86401", "at most 86400 seconds"), ("soon", "at least 1")] {
            #expect {
                try ConfigurationReader.read(file: path, environment: [:], flags: ["limits.stamp_lead": value])
            } throws: { error in
                "\(error)".contains("limits.stamp_lead") && "\(error)".contains(expected)
            }
        }
    }

    @Test func retentionIsReadFromEachLayerAndCountsEveryChild() throws {
        let path = try file("[node]\nid = \"cn.gd\"\nparent = \"http://127.0.0.1:7400\"\nchildren = \"cn.gd.gz\"\n[retention]\ngrace = 3600\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let defaults = try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn"])
        #expect(defaults.retentionGrace == 7 * 86_400 && defaults.purgeEvery == 60)
        let read = try ConfigurationReader.read(file: path, environment: ["TIERSYNC_RETENTION_EVERY": "0"], flags: [:])
        #expect(read.retentionGrace == 3600 && read.purgeEvery == 0)
        #expect(read.retention.children.map(\.description) == ["cn.gd.gz"], "an expected child holds the purge back before it ever calls")
        #expect(try ConfigurationReader.read(file: path, environment: [:], flags: ["retention.grace": "0"]).retention.graceSeconds == 0)
        for (key, value, expected) in [("retention.grace", "-1", "at least 0"), ("retention.grace", "31622401", "at most 31622400"),
                                       ("retention.every", "86401", "at most 86400"), ("retention.every", "often", "at least 0")] {
            #expect {
                try ConfigurationReader.read(file: path, environment: [:], flags: [key: value])
            } throws: { error in
                "\(error)".contains(key) && "\(error)".contains(expected)
            }
        }
    }

    @Test func theRequestTimeoutIsReadFromEachLayerAndBounded() throws {
        let path = try file("[node]\nid = \"cn.gd\"\nparent = \"http://127.0.0.1:7400\"\n[sync]\ntimeout = 12\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn"]).requestTimeout == 30)
        #expect(try ConfigurationReader.read(file: path, environment: [:], flags: [:]).requestTimeout == 12)
        #expect(try ConfigurationReader.read(file: path, environment: ["TIERSYNC_SYNC_TIMEOUT": "45"], flags: [:]).requestTimeout == 45)
        #expect(try ConfigurationReader.read(file: path, environment: ["TIERSYNC_SYNC_TIMEOUT": "45"], flags: ["sync.timeout": "2.5"]).requestTimeout == 2.5)
        for value in ["0", "0.5", "3601", "soon"] {
            #expect {
                try ConfigurationReader.read(file: path, environment: [:], flags: ["sync.timeout": value])
            } throws: { error in
                "\(error)".contains("sync.timeout") && "\(error)".contains("from 1 to 3600") && "\(error)".contains("--sync-timeout")
            }
        }
    }

    @Test func theWireFormIsBatchUnlessJSONIsAsked() throws {
        #expect(try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn"]).batchForm)
        #expect(try !ConfigurationReader.read(file: nil, environment: ["TIERSYNC_SYNC_WIRE": "json"], flags: ["node.id": "cn"]).batchForm)
        #expect {
            try ConfigurationReader.read(file: nil, environment: [:], flags: ["node.id": "cn", "sync.wire": "xml"])
        } throws: { error in
            "\(error)".contains("sync.wire") && "\(error)".contains("batch or json") && "\(error)".contains("--sync-wire")
        }
    }
}
