import Foundation

/// A task executor that runs its jobs on one thread of its own, outside Swift's cooperative
/// pool. Long, mostly synchronous work (hundreds of store operations between awaits) run
/// there leaves the pool to the other tests of the process: the pool has as many threads
/// as the machine has cores, and two busy workers on a 2-core machine starved every other
/// test of the suite for minutes.
///
/// Use it as a task's executor preference:
/// `group.addTask(executorPreference: DedicatedThreadExecutor(name: "…")) { … }`.
/// The thread keeps the executor alive until ``shutdown()``; call it when the work is done.
public final class DedicatedThreadExecutor: TaskExecutor, @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var released = false

    /// Starts the executor's thread, named `name` for debuggers and `ps -L`. Linux keeps
    /// a thread name of at most 15 bytes and refuses a longer one, so the name is cut to
    /// that length. The thread names itself: there, a name given to a `Thread` before its
    /// start does not reach the system's thread.
    public init(name: String) {
        let short = String(decoding: name.utf8.prefix(15), as: UTF8.self)
        let thread = Thread {
            Thread.current.name = short
            self.drain()
        }
        thread.start()
    }

    /// Queues a job to run on the executor's thread.
    public func enqueue(_ job: consuming ExecutorJob) {
        let unowned = UnownedJob(job)
        condition.lock()
        jobs.append(unowned)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread end once the jobs queued so far have run.
    public func shutdown() {
        condition.lock()
        released = true
        condition.signal()
        condition.unlock()
    }

    private func drain() {
        while true {
            condition.lock()
            while jobs.isEmpty && !released { condition.wait() }
            if jobs.isEmpty { condition.unlock(); return }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}
