import Foundation
import Testing
import TapeCore
import Events
import Journal
import TestSupport

@Suite("tape commands")
struct CommandTests {
    @Test("import, info --json, verify and cat work end to end on the bundled sample")
    func endToEnd() throws {
        let directory = TemporaryDirectory("cli")
        let journal = directory.appending("demo")
        let imported = try CLI.importSample([CLI.firstDay, CLI.secondDay], into: journal, extra: ["--json"])
        #expect(imported.status == 0, "\(imported.error)")
        #expect(imported.error.isEmpty, "progress must stay quiet when stderr is not a terminal")
        let summary = try CLI.object(imported.output)
        #expect(summary["events"] as? Int == 32_507)
        #expect((summary["counts"] as? [String: Int])?["trade"] == 6_217)

        let info = try CLI.run(["info", "--journal", journal, "--json"])
        #expect(info.status == 0)
        let fields = try CLI.object(info.output)
        #expect(fields["events"] as? Int == 32_507)
        #expect(fields["first_seq"] as? Int == 1)
        #expect(fields["last_seq"] as? Int == 32_507)
        #expect(fields["first_time"] as? String == "2023-04-04T23:58:20.423575000Z")
        #expect(fields["last_time"] as? String == "2023-04-05T00:01:59.971675000Z")
        #expect((fields["bytes"] as? Int ?? 0) > 100_000)
        #expect(fields["counts"] as? [String: Int] == ["trade": 6_217, "quote": 18_238, "book_delta": 7_613, "book_snapshot": 1, "funding_rate": 219, "mark_price": 219])
        #expect(((fields["instruments"] as? [[String: Any]])?.first?["name"]) as? String == "BTCUSDT-PERP.BINANCE")
        #expect((fields["imports"] as? [Any])?.count == 1)

        let verify = try CLI.run(["verify", "--journal", journal, "--json"])
        #expect(verify.status == 0)
        #expect(try CLI.object(verify.output)["status"] as? String == "clean")

        let all = try CLI.run(["cat", "--journal", journal])
        #expect(all.status == 0)
        #expect(all.lines.count == 32_507)
        for line in all.lines.prefix(500) {
            let event = try CLI.object(line)
            for key in ["seq", "type", "time", "recv_time", "instrument"] { #expect(event[key] != nil, "\(key) in \(line)") }
        }
        let midnight = try CLI.run(["cat", "--journal", journal, "--from", "2023-04-05T00:00:00Z", "--type", "trade", "--limit", "2"])
        #expect(midnight.lines.count == 2)
        let first = try CLI.object(midnight.lines[0])
        #expect(first["type"] as? String == "trade")
        #expect((first["recv_time"] as! String) >= "2023-04-05T00:00:00")
        #expect(first["price"] as? String == "28155.1")
        let range = try CLI.run(["cat", "--journal", journal, "--from", "100", "--to", "104"])
        #expect(range.lines.map { try! CLI.object($0)["seq"] as! Int } == [100, 101, 102, 103, 104])
        let beforeMidnight = try CLI.run(["cat", "--journal", journal, "--from", "2023-04-04T23:59:59.9Z", "--to", "2023-04-05T00:00:00Z"])
        #expect(beforeMidnight.lines.allSatisfy { (try! CLI.object($0)["recv_time"] as! String) < "2023-04-05" })
        #expect(!beforeMidnight.lines.isEmpty)
    }

    @Test("exit codes: 0 success, 1 bad data, 2 could not run", arguments: [
        (["verify", "--journal", "/nonexistent/journal"], Int32(2), "tape: /nonexistent/journal: no journal here"),
        (["cat", "--journal", "/nonexistent/journal"], 2, "tape: /nonexistent/journal: no journal here"),
        (["import", "parquet", "x", "--journal", "/tmp/x"], 2, "tape: unknown format 'parquet' (known: binance-stream, binance-trades, binance-aggtrades, binance-klines, binance-bookticker, binance-funding, trades-csv, bars-csv, fear-greed, whale-transfers)"),
        (["info"], 2, "Error: Missing expected argument '--journal <dir>'"),
        (["cat", "--journal", "journal/samples", "--type", "tick"], 2, "tape: journal/samples: no journal here"),
    ])
    func exitCodes(arguments: [String], status: Int32, message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == status)
        #expect(result.error.hasPrefix(message), "\(result.error)")
    }

    @Test("a directory whose data file is not LMDB is refused with its path and LMDB's reason, for every command that opens a journal")
    func corruptJournalFile() throws {
        let directory = TemporaryDirectory("cli")
        let journal = directory.appending("j")
        try FileManager.default.createDirectory(atPath: journal, withIntermediateDirectories: true)
        try Data("not an LMDB file, but long enough to be read as one's first page".utf8).write(to: URL(fileURLWithPath: journal + "/data.mdb"))
        for command in [["info"], ["verify"], ["cat"], ["replay", "--no-snapshots"]] {
            let result = try CLI.run(command + ["--journal", journal])
            #expect(result.status == 2, "\(command): \(result.error)")
            #expect(result.error == "tape: \(journal): not a Tape journal (MDB_INVALID: File is not an LMDB file)\n", "\(command)")
        }
    }

    @Test("a bad row stops import with exit 1 and file:line: reason; --skip-bad logs it and goes on")
    func badRows() throws {
        let directory = TemporaryDirectory("cli")
        let csv = directory.appending("trades.csv")
        try "id,price,qty,quote_qty,time,is_buyer_maker\n1,61800.3,0.006,0,1723161256322,true\n2,61800.3,0.0061,0,1723161256323,true\n3,61800.4,0.001,0,1723161256324,false\n"
            .write(toFile: csv, atomically: true, encoding: .utf8)
        let journal = directory.appending("j")
        let stopped = try CLI.run(["import", "binance-trades", csv, "--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE"])
        #expect(stopped.status == 1)
        #expect(stopped.error == "tape: \(csv):3: column 3 (qty) '0.0061': more than 3 decimal places\n")
        #expect(try CLI.run(["info", "--journal", journal, "--json"]).output.contains("\"events\":0"))
        let log = directory.appending("rejects.jsonl")
        let skipped = try CLI.run(["import", "binance-trades", csv, "--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE", "--skip-bad", log, "--json"])
        #expect(skipped.status == 0)
        let summary = try CLI.object(skipped.output)
        #expect(summary["events"] as? Int == 2)
        #expect(summary["rejected"] as? Int == 1)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "{\"file\":\"\(csv)\",\"line\":3,\"reason\":\"column 3 (qty) '0.0061': more than 3 decimal places\",\"row\":\"2,61800.3,0.0061,0,1723161256323,true\"}\n")
        let again = try CLI.run(["import", "binance-trades", csv, "--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE", "--skip-bad", log])
        #expect(again.status == 1)
        #expect(again.error.contains("was already imported as sequences 1…2"))
    }

    @Test("flipped bytes: verify exits 1 naming the damaged range, reading it exits 1, the rest stays readable")
    func corruption() throws {
        let directory = TemporaryDirectory("cli")
        let journal = directory.appending("j")
        #expect(try CLI.importSample([CLI.firstDay, CLI.secondDay], into: journal, extra: ["--block-events", "4000"]).status == 0)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: journal + "/data.mdb"))
        // Damage the payload of the block starting at sequence 8001.
        let magic = Data([0x54, 0x50, 0x4A, 0x42, 1])
        var frame = bytes.startIndex
        while let found = bytes.range(of: magic, in: frame..<bytes.endIndex) {
            let first = bytes[(found.lowerBound + 8)..<(found.lowerBound + 16)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            if first == 8_001 { frame = found.lowerBound; break }
            frame = found.upperBound
        }
        bytes[frame + 3_000] ^= 0x40
        try bytes.write(to: URL(fileURLWithPath: journal + "/data.mdb"))
        let verify = try CLI.run(["verify", "--journal", journal])
        #expect(verify.status == 1)
        #expect(verify.output.hasPrefix("corrupt: sequences 8001…12000: checksum mismatch"), "\(verify.output)")
        let damaged = try CLI.run(["cat", "--journal", journal, "--from", "9000", "--to", "9001"])
        #expect(damaged.status == 1)
        #expect(damaged.error.contains("corrupt block holding sequences 8001…12000"), "\(damaged.error)")
        #expect(damaged.output.isEmpty)
        let intact = try CLI.run(["cat", "--journal", journal, "--from", "1", "--to", "8000"])
        #expect(intact.status == 0)
        #expect(intact.lines.count == 8_000)
    }

    @Test("merge combines journals that cannot be appended to one another, whatever their block sizes")
    func merge() throws {
        let directory = TemporaryDirectory("merge")
        let late = directory.appending("late")
        let early = directory.appending("early")
        #expect(try CLI.importSample([CLI.secondDay], into: late, extra: ["--block-events", "333"]).status == 0)
        let refused = try CLI.importSample([CLI.firstDay], into: late)
        #expect(refused.status == 1)
        #expect(refused.error.contains("\(CLI.firstDay): receive time 2023-04-04T23:58:20.423575000Z is before the journal's end"), "\(refused.error)")
        #expect(refused.error.contains("combine the two with tape merge"), "\(refused.error)")
        #expect(try CLI.importSample([CLI.firstDay], into: early).status == 0)

        let merged = directory.appending("merged")
        let result = try CLI.run(["merge", late, early, "--journal", merged, "--json"])
        #expect(result.status == 0, "\(result.error)")
        let summary = try CLI.object(result.output)
        #expect(summary["format"] as? String == "journal")
        #expect(summary["events"] as? Int == 32_507)
        let files = try #require(summary["files"] as? [[String: Any]])
        #expect(files.map { $0["path"] as? String } == [late, early])
        #expect(files.map { $0["rows"] as? Int } == [19_024, 13_483])
        #expect(try CLI.run(["verify", "--journal", merged]).status == 0)

        // The same events as one import of both files, in the same order.
        let direct = directory.appending("direct")
        #expect(try CLI.importSample([CLI.firstDay, CLI.secondDay], into: direct).status == 0)
        let mergedEvents = try CLI.run(["cat", "--journal", merged]).output
        #expect(mergedEvents == (try CLI.run(["cat", "--journal", direct]).output))
        #expect(mergedEvents.count > 1_000_000)

        // A source's hash is of its events, not of how they are blocked.
        let lateAgain = directory.appending("late-again")
        #expect(try CLI.importSample([CLI.secondDay], into: lateAgain, extra: ["--block-events", "5000"]).status == 0)
        let again = try CLI.object(try CLI.run(["merge", lateAgain, early, "--journal", directory.appending("merged-again"), "--json"]).output)
        let againFiles = try #require(again["files"] as? [[String: Any]])
        #expect(againFiles.map { $0["sha256"] as? String } == files.map { $0["sha256"] as? String })
        #expect(againFiles[0]["bytes"] as? Int != files[0]["bytes"] as? Int)

        let full = try CLI.run(["merge", late, early, "--journal", merged])
        #expect(full.status == 2)
        #expect(full.error == "tape: \(merged) already holds 32507 events; merge builds a new journal\n")
        let twice = try CLI.run(["merge", early, early + "/", "--journal", directory.appending("twice")])
        #expect(twice.status == 2)
        #expect(twice.error == "tape: \(early)/ and \(early) are the same journal\n")

        // An instrument defined differently in two sources.
        let catalogue = try String(contentsOfFile: CLI.catalogue, encoding: .utf8)
        let odd = catalogue.replacingOccurrences(
            of: "kind: linear_perpetual, base: BTC, quote: USDT, settlement: USDT,\n     price_decimals: 8, size_decimals: 3, price_increment: 0.10",
            with: "kind: linear_perpetual, base: BTC, quote: USDT, settlement: USDT,\n     price_decimals: 8, size_decimals: 3, price_increment: 0.01")
        #expect(odd != catalogue)
        let oddCatalogue = directory.appending("odd.yaml")
        try odd.write(toFile: oddCatalogue, atomically: true, encoding: .utf8)
        let oddJournal = directory.appending("odd")
        #expect(try CLI.importSample([CLI.firstDay], into: oddJournal, extra: ["--instruments", oddCatalogue]).status == 0)
        let conflict = try CLI.run(["merge", late, oddJournal, "--journal", directory.appending("conflict")])
        #expect(conflict.status == 2)
        #expect(conflict.error == "tape: \(oddJournal): instrument BTCUSDT-PERP.BINANCE is defined differently than in an earlier source\n")
        #expect(try CLI.run(["info", "--journal", directory.appending("conflict"), "--json"]).output.contains("\"events\":0"))
    }

    @Test("replays in separate processes give the same state hashes, from the first event or from snapshots, for any block size")
    func replayDeterminism() throws {
        let directory = TemporaryDirectory("replay")
        func hashes(_ arguments: [String]) throws -> [String: String] {
            let result = try CLI.run(["replay", "--json"] + arguments)
            #expect(result.status == 0, "\(result.error)")
            let projections = try #require(try CLI.object(result.output)["projections"] as? [String: [String: Any]])
            return projections.mapValues { $0["hash"] as? String ?? "" }
        }
        var results: [[String: String]] = []
        for (name, blockEvents, every) in [("a", "333", "1000"), ("b", "8192", "7777")] {
            let journal = directory.appending(name)
            #expect(try CLI.importSample([CLI.firstDay, CLI.secondDay], into: journal, extra: ["--block-events", blockEvents]).status == 0)
            results.append(try hashes(["--journal", journal, "--no-snapshots"]))
            let snapshot = try CLI.run(["snapshot", "--journal", journal, "--every", every, "--json"])
            #expect(snapshot.status == 0, "\(snapshot.error)")
            results.append(try hashes(["--journal", journal]))
            results.append(try hashes(["--journal", journal, "--day", "2023-04-05"]))
            let day = try CLI.object(try CLI.run(["replay", "--journal", journal, "--day", "2023-04-05", "--json"]).output)
            #expect(day["started_after"] as? Int == 13_483)
            #expect(day["from_seq"] as? Int == 13_484)
        }
        #expect(results.allSatisfy { $0 == results[0] })
        #expect(results[0]["book"]?.count == 64)
        let info = try CLI.object(try CLI.run(["info", "--journal", directory.appending("a"), "--json"]).output)
        #expect((info["snapshots"] as? [[String: Any]])?.compactMap { $0["seq"] as? Int } == [1_000, 2_000, 3_000, 4_000, 5_000, 6_000, 7_000, 8_000, 9_000, 10_000, 11_000, 12_000, 13_000, 13_483, 14_000, 15_000, 16_000, 17_000, 18_000, 19_000, 20_000, 21_000, 22_000, 23_000, 24_000, 25_000, 26_000, 27_000, 28_000, 29_000, 30_000, 31_000, 32_000])
        let verify = try CLI.run(["verify", "--journal", directory.appending("a"), "--json"])
        #expect(try CLI.object(verify.output)["snapshots"] as? Int == 33)
    }

    @Test("two processes with different block sizes write journals that read back identically")
    func determinism() throws {
        let directory = TemporaryDirectory("cli")
        var outputs: [String] = []
        for (name, blockEvents) in [("small", "333"), ("large", "16384")] {
            let journal = directory.appending(name)
            #expect(try CLI.importSample([CLI.firstDay, CLI.secondDay], into: journal, extra: ["--block-events", blockEvents]).status == 0)
            #expect(try CLI.run(["verify", "--journal", journal]).status == 0)
            outputs.append(try CLI.run(["cat", "--journal", journal]).output)
        }
        #expect(outputs[0] == outputs[1])
        #expect(outputs[0].count > 1_000_000)
    }
}
