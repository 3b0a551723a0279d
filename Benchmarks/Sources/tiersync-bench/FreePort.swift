import TierSyncTesting

/// A loopback TCP port for a daemon's listener (``LoopbackPort``): free now, given once in
/// this run, and outside the range the kernel takes outgoing connections' ports from.
func freeLoopbackPort() throws -> Int {
    try LoopbackPort.free()
}
