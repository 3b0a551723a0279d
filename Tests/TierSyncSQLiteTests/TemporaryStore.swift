// The store for tests (`TemporaryDirectory`), the in-process parent link and the store
// conformance suite live in the TierSyncTesting target; every file of this target sees them.
@_exported import TierSyncTesting
