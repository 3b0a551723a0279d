import Testing
@testable import TierSyncNode

/// The daemon limits glibc's malloc arenas, unless the operator set `MALLOC_ARENA_MAX`.
struct MallocArenasTests {
    @Test func theLimitIsAppliedUnlessTheEnvironmentSetsOne() {
        #expect(MallocArenas.limitUnlessConfigured(environment: ["MALLOC_ARENA_MAX": "8"]) == nil)
        #if os(Linux)
        #expect(MallocArenas.limitUnlessConfigured(environment: [:]) == MallocArenas.limit)
        #endif
    }
}
