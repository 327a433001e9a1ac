import Foundation
import Testing
import TapeCore
import Events
import Journal
import TestSupport

/// Every event of a journal, read in this process.
func journalEvents(_ path: String) throws -> [Event] {
    try Journal(path: path).read { snapshot in
        var events: [Event] = []
        try snapshot.forEachEvent { _, event in
            events.append(event)
            return true
        }
        return events
    }
}

@Suite("tape across processes", .serialized)
struct ProcessTests {
    @Test("kill -9 at random points of an import leaves the journal exactly as before (or fully imported if it committed)")
    func killDuringImport() throws {
        var (generator, note) = testGenerator()
        let directory = TemporaryDirectory("kill")
        let template = directory.appending("template")
        #expect(try CLI.importSample([CLI.firstDay], into: template).status == 0)
        let reference = directory.appending("reference")
        #expect(try CLI.importSample([CLI.firstDay], into: reference).status == 0)
        #expect(try CLI.importSample([CLI.secondDay], into: reference).status == 0)
        let before = try journalEvents(template)
        let after = try journalEvents(reference)
        let input = try Data(contentsOf: URL(fileURLWithPath: CLI.secondDay))
        var outcomes = (killed: 0, completed: 0)
        for round in 0..<16 {
            let journal = directory.appending("j\(round)")
            try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: template + "/data.mdb", toPath: journal + "/data.mdb")
            let fifo = directory.appending("fifo\(round)")
            #expect(mkfifo(fifo, 0o600) == 0)
            // Opened read-write so this never blocks; the import's reader sees end of file once it is closed.
            let descriptor = open(fifo, O_RDWR | O_NONBLOCK)
            #expect(descriptor >= 0)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CLI.binary)
            child.arguments = ["import", "binance-stream", fifo, "--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE", "--instruments", CLI.catalogue]
            child.standardOutput = FileHandle.nullDevice
            child.standardError = FileHandle.nullDevice
            try child.run()
            let deliverAll = round % 4 == 3
            let cut = deliverAll ? input.count : Int.random(in: 0..<input.count, using: &generator)
            var written = 0
            while written < cut && child.isRunning {
                let count = input.withUnsafeBytes { raw in write(descriptor, raw.baseAddress! + written, min(cut - written, 1 << 16)) }
                if count > 0 {
                    written += count
                } else {
                    var target = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&target, 1, 100)  // waits for the reader to drain the pipe; the loop re-checks the child
                }
            }
            close(descriptor)
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let events = try journalEvents(journal)
            #expect(try Journal(path: journal).verify().isClean, "round \(round), \(note)")
            if events == before {
                outcomes.killed += 1
            } else {
                #expect(events == after, "round \(round): the journal is neither as before nor fully imported, \(note)")
                outcomes.completed += 1
            }
        }
        #expect(outcomes.killed >= 8, "\(outcomes), \(note)")
    }

    @Test("a follower in another process prints every committed event once, in order, while the writer appends")
    func follower() throws {
        let directory = TemporaryDirectory("follow")
        let journal = directory.appending("j")
        #expect(try CLI.importSample([CLI.firstDay], into: journal).status == 0)
        let start = try Journal(path: journal).head().lastSequence + 1
        let scratch = directory.appending("count")
        #expect(try CLI.importSample([CLI.secondDay], into: scratch).status == 0)
        let expectedCount = Int(try Journal(path: scratch).head().eventCount)

        let follower = Process()
        follower.executableURL = URL(fileURLWithPath: CLI.binary)
        follower.arguments = ["follow", "--journal", journal, "--from", "\(start)", "--limit", "\(expectedCount)", "--poll", "5"]
        let followed = Pipe()
        follower.standardOutput = followed
        follower.standardError = FileHandle.nullDevice
        try follower.run()

        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: CLI.binary)
        writer.arguments = ["import", "binance-stream", "-", "--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE", "--instruments", CLI.catalogue]
        let input = Pipe()
        writer.standardInput = input
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()

        let lines = String(decoding: try fileBytes(CLI.secondDay), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        let half = lines.count / 2
        input.fileHandleForWriting.write(Data((lines[..<half].joined(separator: "\n") + "\n").utf8))
        // The follower prints events of the first half while the writer still waits for more input.
        let early = followed.fileHandleForReading.availableData
        #expect(!early.isEmpty)
        #expect(writer.isRunning)
        input.fileHandleForWriting.write(Data((lines[half...].joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        let rest = followed.fileHandleForReading.readDataToEndOfFile()
        follower.waitUntilExit()
        #expect(follower.terminationStatus == 0)

        let printed = String(decoding: early + rest, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(printed.count == expectedCount)
        let sequences = try printed.map { try CLI.object($0)["seq"] as! Int }
        #expect(sequences == Array(Int(start)..<(Int(start) + expectedCount)))
        let catalogued = try CLI.run(["cat", "--journal", journal, "--from", "\(start)"])
        #expect(printed == catalogued.lines)
    }

    @Test("import --snapshots stores each completed day's snapshot: after a file import, and from standard input as the day passes")
    func importSnapshots() throws {
        let directory = TemporaryDirectory("import-snapshots")
        // Files: one commit crossing midnight stores the snapshot of 2023-04-04's last event,
        // the one tape snapshot stores, and a replay of the next day starts from it.
        let files = directory.appending("files")
        let imported = try CLI.importSample([CLI.firstDay, CLI.secondDay], into: files, extra: ["--snapshots", "--json"])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(try CLI.object(imported.output)["snapshots"] as? [Int] == [13_483])
        let day = try CLI.object(try CLI.run(["replay", "--journal", files, "--day", "2023-04-05", "--json"]).output)
        #expect(day["started_after"] as? Int == 13_483)
        let fresh = try CLI.object(try CLI.run(["replay", "--journal", files, "--day", "2023-04-05", "--no-snapshots", "--json"]).output)
        #expect((day["projections"] as? [String: Any]).map { NSDictionary(dictionary: $0) } == (fresh["projections"] as? [String: Any]).map { NSDictionary(dictionary: $0) })
        // Without a completed day nothing is due; --snapshot-every alone is refused.
        let partial = try CLI.importSample([CLI.firstDay], into: directory.appending("partial"), extra: ["--snapshots", "--json"])
        #expect(try CLI.object(partial.output)["snapshots"] as? [Int] == [])
        #expect(try CLI.importSample([CLI.firstDay], into: directory.appending("refused"), extra: ["--snapshot-every", "100"]).status == 2)

        // Standard input: the snapshot is stored once midnight has passed, while input goes on.
        let live = directory.appending("live")
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: CLI.binary)
        writer.arguments = ["import", "binance-stream", "-", "--journal", live, "--instrument", "BTCUSDT-PERP.BINANCE", "--instruments", CLI.catalogue,
                            "--snapshots", "--projections", CLI.repository.appendingPathComponent("projections/default.yaml").path, "--json"]
        writer.currentDirectoryURL = CLI.repository
        let input = Pipe()
        let output = Pipe()
        writer.standardInput = input
        writer.standardOutput = output
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        let secondDay = String(decoding: try fileBytes(CLI.secondDay), as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: true)
        input.fileHandleForWriting.write(try fileBytes(CLI.firstDay))
        input.fileHandleForWriting.write(Data((secondDay[..<100].joined(separator: "\n") + "\n").utf8))
        var snapshots: [Int] = []
        for _ in 0..<600 where snapshots.isEmpty {
            Thread.sleep(forTimeInterval: 0.1)
            let info = try CLI.run(["info", "--journal", live, "--json"])
            guard info.status == 0 else { continue }
            snapshots = (try CLI.object(info.output)["snapshots"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } ?? []
        }
        #expect(snapshots == [13_483])
        #expect(writer.isRunning, "the snapshot was stored before the input ended")
        input.fileHandleForWriting.write(Data((secondDay[100...].joined(separator: "\n") + "\n").utf8))
        try input.fileHandleForWriting.close()
        let report = output.fileHandleForReading.readDataToEndOfFile()
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        #expect(try CLI.object(String(decoding: report, as: UTF8.self))["snapshots"] as? [Int] == [13_483])
        let liveDay = try CLI.object(try CLI.run(["replay", "--journal", live, "--day", "2023-04-05", "--json"]).output)
        #expect((liveDay["projections"] as? [String: Any]).map { NSDictionary(dictionary: $0) } == (fresh["projections"] as? [String: Any]).map { NSDictionary(dictionary: $0) })
    }

    @Test("tape backtest in two processes writes the same run journal; tape replay on it, tape audit and tape explain read it")
    func backtest() throws {
        let directory = TemporaryDirectory("backtest")
        let source = directory.appending("source")
        #expect(try CLI.importSample([CLI.firstDay, CLI.secondDay], into: source).status == 0)
        let config = CLI.repository.appendingPathComponent("projections/ema-cross.yaml").path
        var hashes: [String] = []
        for name in ["run1", "run2"] {
            let result = try CLI.run(["backtest", "--source", source, "--config", config, "--out", directory.appending(name), "--json"])
            #expect(result.status == 0, "\(result.error)")
            let summary = try CLI.object(result.output)
            hashes.append(summary["run_hash"] as? String ?? "")
            #expect((summary["fills"] as? Int ?? 0) > 10)
        }
        #expect(hashes[0] == hashes[1] && hashes[0].count == 64)
        let refused = try CLI.run(["backtest", "--source", source, "--config", config, "--out", directory.appending("run1")])
        #expect(refused.status == 2 && refused.error.contains("already holds a journal"))

        let audit = try CLI.object(try CLI.run(["audit", "--run", directory.appending("run1"), "--json"]).output)
        #expect(audit["mismatches"] as? Int == 0 && (audit["decisions"] as? Int ?? 0) > 10)
        let replay = try CLI.object(try CLI.run(["replay", "--journal", directory.appending("run1"), "--json"]).output)
        // The replayed account is the run's: its fees are the backtest's.
        let ledger = (replay["projections"] as? [String: Any])?["ledger"] as? [String: Any]
        let fees = ((ledger?["state"] as? [String: Any])?["fees"] as? [String: Any])?["USDT"] as? String
        let summary = try CLI.object(try CLI.run(["backtest", "--source", source, "--config", config, "--out", directory.appending("run3"), "--json"]).output)
        let runFees = ((summary["totals"] as? [String: Any])?["USDT"] as? [String: Any])?["fees"] as? String
        #expect(fees.flatMap(Double.init) != nil && fees.flatMap(Double.init).map { $0 > 0 } == true)
        #expect(abs((fees.flatMap(Double.init) ?? 0) - (runFees.flatMap(Double.init) ?? -1)) < 1e-8, "replayed fees \(fees ?? "none"), the run's \(runFees ?? "none")")

        let story = try CLI.run(["explain", "--run", directory.appending("run1"), "--order", "3"])
        #expect(story.status == 0)
        let types = try story.lines.map { try CLI.object($0)["type"] as? String ?? "" }
        #expect(types.first == "trade" && types.contains("risk_decision") && types.contains("order_submitted") && types.contains("fill"))
        #expect(try CLI.run(["explain", "--run", directory.appending("run1"), "--order", "999999"]).status == 2)

        // Its metrics: the fees are the run's; a bad sampling period is refused, naming it.
        let metrics = try CLI.object(try CLI.run(["metrics", "--run", directory.appending("run1"), "--sample", "10s", "--json"]).output)
        let measured = metrics["metrics"] as? [String: Any]
        #expect((measured?["trades"] as? Double ?? 0) > 5 && (measured?["periods"] as? Double ?? 0) > 10)
        #expect(abs((measured?["fees"] as? Double ?? 0) - (runFees.flatMap(Double.init) ?? -1)) < 1e-8)
        let bad = try CLI.run(["metrics", "--run", directory.appending("run1"), "--sample", "ten"])
        #expect(bad.status == 2 && bad.error.contains("--sample ten"))

        // The repository's walk-forward study on the sample; a source too short for a fold and
        // a value that makes no valid run are refused, naming them.
        let study = CLI.repository.appendingPathComponent("projections/walkforward.yaml").path
        let walk = try CLI.run(["walkforward", "--source", source, "--config", study, "--out", directory.appending("wf"), "--json"])
        #expect(walk.status == 0, "\(walk.error)")
        let folds = try CLI.object(walk.output)["folds"] as? [[String: Any]] ?? []
        #expect(folds.count == 4 && folds.allSatisfy { ($0["chosen"] as? [String: String])?["0.fast"] != nil })
        func studyFile(_ name: String, _ text: String) throws -> String {
            let path = directory.appending(name)
            try Data(text.utf8).write(to: URL(fileURLWithPath: path))
            return path
        }
        let long = try studyFile("long.yaml", "version: 1\nrun: \(config)\nfolds: {train: 1d, test: 1d}\nparameters: [{key: fast, values: [5]}]\n")
        let short = try CLI.run(["walkforward", "--source", source, "--config", long, "--out", directory.appending("wf-long")])
        #expect(short.status == 2 && short.error.contains("too short for one fold"), "\(short.error)")
        let wrong = try studyFile("wrong.yaml", "version: 1\nrun: \(config)\nfolds: {train: 1m, test: 30s}\nparameters: [{key: slow, values: [50, lots]}]\n")
        let invalid = try CLI.run(["walkforward", "--source", source, "--config", wrong, "--out", directory.appending("wf-wrong")])
        #expect(invalid.status == 2 && invalid.error.contains("wrong.yaml:4") && invalid.error.contains("slow = lots"), "\(invalid.error)")
    }
}
