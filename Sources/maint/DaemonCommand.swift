import Foundation
import MaintControl
import MaintCore
import MaintEngine
import MaintNet
import MaintSystem

/// `maint daemon`: loads the schedule, takes the lock, and runs the scheduler until SIGTERM.
enum DaemonCommand {
    static func run(_ session: Session) throws -> ExitCode {
        let log = session.log
        let configDirectory = session.paths.config
        let store = try session.openStore(checkpointsOnClose: true)
        // With the files as the last daemon stored them, it starts from that copy and reads the
        // files meanwhile; edited files (or another maint) are read first, as on a first start.
        // The engine is the only holder of the schedule read: once it lets go of the stored
        // one-off windows, their memory is free (nothing here keeps the whole schedule).
        Memory.keepHeapsTrimmed()
        let pool = TransferPool()
        let engine = try session.engine(schedule: try Engine.storedSchedule(store, stamp: ScheduleStamp.of(directory: configDirectory))
                                            ?? session.loadSchedule(keepingDefinitions: true, inParallel: false), store: store, pool: pool)
        let fromStoredCopy = engine.schedule.origin == .stored
        let notifier = SystemdNotifier(environment: session.environment)
        // Signal handlers first: once the lock is ours, CLI commands send us SIGUSR1, whose
        // default action would end the process.
        let runner = try Runner(engine: engine, pool: pool, log: log, notifier: notifier)
        let lock = try session.lock()
        // One daemon per database; a command switching because no daemon ran is waited for.
        var waitedFor: pid_t?
        while !lock.tryLock(asDaemon: true) {
            switch lock.holder() {
            case .daemon(let pid)?:
                throw Failure(.temporaryFailure, "another maint daemon (pid \(pid)) holds \(session.paths.lock); one daemon per database")
            case .command(let pid)? where pid != waitedFor:
                log(.notice, "maint command pid \(pid) is switching targets; starting when it is done")
                waitedFor = pid
            default:
                break
            }
            usleep(200_000)
        }
        // SIGHUP and `maint reload` read the files the same way, each error in the log; so does
        // the first read after a start from the stored copy (`asked` false), without RELOADING=1.
        let readFiles = { @Sendable (_ asked: Bool) throws(ScheduleIssues) -> Schedule in
            if asked { notifier.reloading() }
            do throws(ScheduleIssues) {
                return try ScheduleLoader(now: Date(), keepsDefinitions: true, readsInParallel: false).load(directory: configDirectory)
            } catch {
                for issue in error.issues { log(.error, "\(asked ? "reload" : "schedule files"): \(issue)") }
                let refused = asked ? "reload refused" : "the schedule files were not read"
                notifier.notify("READY=1\nSTATUS=\(refused) (\(error.issues.count) error(s)); the \(asked ? "running" : "stored") schedule stays in force")
                throw error
            }
        }
        // The control socket, once the lock is ours (so no other daemon listens there).
        // Followers of the event log wait on the bell; closing it ends their streams.
        let bell = EventBell()
        store.eventAppended = bell.ring
        let tokens = AccessTokens()
        let secrets = SecretSource(environment: session.environment)
        func takeTokens(_ schedule: Schedule) {
            for name in tokens.update(schedule.api, secrets: secrets) { log(.error, "api token \(Quoted(name)): its secret is not set; nobody can use it") }
        }
        takeTokens(engine.schedule)
        // Reads run on connections of their own with the schedule the loop last put in force.
        let access = DaemonAccess(mailbox: runner.mailbox, databasePath: session.paths.database, schedule: engine.schedule,
                                  secrets: secrets, measurements: engine.measurements)
        let control = ControlAPI(access: access, daemonPID: getpid(), readFiles: { () throws(ScheduleIssues) in try readFiles(true) }, bell: bell, tokens: tokens)
        let api = try session.controlServer(control)
        // TCP as well, when a file's api section asks for it; every request then needs a token.
        let network = try engine.schedule.api.map { config in try session.networkServer(control, config) }
        let listening = engine.schedule.api.map { "\($0.host):\($0.port)" }
        // Each schedule put in force (at the start, then after each reload), once stored: the
        // API reads with it, takes its tokens, and systemd hears that the daemon is ready.
        engine.schedulePublished = { [unowned engine] schedule in
            access.publish(schedule)
            takeTokens(schedule)
            notifier.notify("READY=1\nSTATUS=" + engine.statusLine())
            let wanted = schedule.api.map { "\($0.host):\($0.port)" }
            if wanted != listening {
                log(.warning, "the api listen address is now \(wanted ?? "none") in the files; the daemon keeps \(listening ?? "none") until it is restarted")
            }
        }
        defer {
            bell.close()
            api.stop()
            network?.stop()
        }
        runner.reload = { asked -> Result<Schedule, ScheduleIssues> in
            do throws(ScheduleIssues) {
                return .success(try readFiles(asked))
            } catch {
                return .failure(error)
            }
        }
        let now = Date()
        let what: String
        if fromStoredCopy {
            what = "the stored copy of \(configDirectory) (unchanged since it was read; reading it again meanwhile)"
        } else {
            try engine.sync(now: now)
            what = "\(engine.schedule.targetSummaries.count) target(s), \(engine.schedule.channels.count) channel(s), \(engine.schedule.windows.count) window(s) from \(configDirectory)"
        }
        try store.appendEvent(at: now.epochMilliseconds, window: nil, kind: "daemon.started", message: "pid \(getpid()), \(what)")
        log(.notice, "maint daemon started: \(what); database \(session.paths.database); control socket \(session.paths.socket)\(listening.map { ", and http://\($0)" } ?? "")")
        engine.letGoOfStoredDefinitions()
        if fromStoredCopy { runner.startReload(asked: false) }
        _ = try runner.run()
        _ = try? store.appendEvent(at: Date().epochMilliseconds, window: nil, kind: "daemon.stopped", message: "pid \(getpid())")
        log(.notice, "maint daemon stopped")
        return .success
    }
}
