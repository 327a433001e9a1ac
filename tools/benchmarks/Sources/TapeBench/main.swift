// Tape's benchmarks. Prints one line per figure, after a line naming the toolchain, CPU and
// commit. Inputs are real: the Binance captures in ../shared/data/hftbacktest (skipped, with a
// note, when absent), tiled where a figure needs more rows than the captures hold.
//
//   tools/bench [--only NAME[,NAME…]] [--shared DIR] [--tape PATH]

import Backtest
import Engine
import Events
import Foundation
import Ingest
import Journal
import Projections
import TapeCore

let arguments = CommandLine.arguments.dropFirst()
func option(_ name: String) -> String? {
    guard let index = arguments.firstIndex(of: name), arguments.index(after: index) < arguments.endIndex else { return nil }
    return arguments[arguments.index(after: index)]
}
let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
let shared = option("--shared") ?? "../shared/data"
let tapeBinary = option("--tape") ?? ".build/release/tape"
// `--scratch DIR` keeps the journals the figures build there, for profiling afterwards. The
// figures build every journal anew, so DIR must be absent or empty.
let keptScratch = option("--scratch")
if let keptScratch, let contents = try? FileManager.default.contentsOfDirectory(atPath: keptScratch), !contents.isEmpty {
    FileHandle.standardError.write(Data("tape-bench: --scratch \(keptScratch) is not empty; the figures build their journals anew: give an empty or new directory\n".utf8))
    exit(2)
}
let scratch = keptScratch ?? FileManager.default.temporaryDirectory.appendingPathComponent("tape-bench-\(getpid())").path
try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
defer { if keptScratch == nil { try? FileManager.default.removeItem(atPath: scratch) } }  // best effort: a leftover temp dir harms nothing

func shell(_ command: String) -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    try? process.run()  // a missing tool leaves the field empty
    process.waitUntilExit()
    return String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

let cpu = shell("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").trimmingCharacters(in: .whitespaces)
let commit = shell("git rev-parse --short HEAD") + (shell("git status --porcelain -- Sources") .isEmpty ? "" : "+dirty")
print("# tape-bench  commit \(commit)  \(shell("swift --version 2>&1 | head -1"))  cpu \(cpu), \(ProcessInfo.processInfo.activeProcessorCount) cores")

func wanted(_ name: String) -> Bool { only?.contains(name) ?? true }

/// Prints one figure; `target` is the issue's goal and what it covers, `note` only what it covers.
/// Flushes every file written so far (the figures before write gigabytes), so that the
/// kernel's writeback does not take a core from what is timed next (the backtests and the
/// replays use both; a scan reads what `append` has just written).
func settle() {
    sync()
}

/// The processor time this process has used, user and system, all threads (seconds).
func processorSeconds() -> Double {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
}

/// Runs `body` with this thread, and the threads it starts, on one processor of those it may
/// use: DESIGN.md's budget is for one core, and a run confined to one core measures that
/// (its reader and writer threads then share the core with the loop). Linux only; elsewhere
/// `body` runs unconfined.
func onOneCore<T>(_ body: () throws -> T) rethrows -> T {
    #if os(Linux)
    // (glibc declares the affinity calls only for _GNU_SOURCE, which Swift's Glibc lacks.)
    typealias Affinity = @convention(c) (pid_t, Int, UnsafeMutablePointer<cpu_set_t>) -> Int32
    guard let get = dlsym(nil, "sched_getaffinity"), let set = dlsym(nil, "sched_setaffinity") else { return try body() }
    let getAffinity = unsafeBitCast(get, to: Affinity.self)
    let setAffinity = unsafeBitCast(set, to: Affinity.self)
    var allowed = cpu_set_t()
    guard getAffinity(0, MemoryLayout<cpu_set_t>.size, &allowed) == 0 else { return try body() }
    var one = cpu_set_t()
    withUnsafeMutableBytes(of: &one) { bits in
        withUnsafeBytes(of: allowed) { from in
            // The lowest processor allowed: its bit alone.
            guard let byte = from.firstIndex(where: { $0 != 0 }) else { return }
            bits[byte] = from[byte] & (0 &- from[byte])
        }
    }
    guard setAffinity(0, MemoryLayout<cpu_set_t>.size, &one) == 0 else { return try body() }
    defer { _ = setAffinity(0, MemoryLayout<cpu_set_t>.size, &allowed) }
    #endif
    return try body()
}

func report(_ name: String, _ value: Double, _ unit: String, target: String? = nil, note: String? = nil) {
    let tail = target.map { "target " + $0 } ?? note ?? ""
    print(name.padding(toLength: 26, withPad: " ", startingAt: 0) + String(format: "%10.2f", value) + "  " + unit.padding(toLength: 14, withPad: " ", startingAt: 0) + tail)
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = ContinuousClock.now
    try body()
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

/// The child's own peak resident size (VmHWM of its memory map after exec), sampled from /proc
/// while it runs: rusage would include this process's peak, which a vfork-based spawn carries over.
func peakResidentMegabytes(_ arguments: [String]) -> Double {
    var pid: pid_t = 0
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    defer { posix_spawn_file_actions_destroy(&actions) }
    let argv = ([tapeBinary] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    guard posix_spawn(&pid, tapeBinary, &actions, nil, argv, environ) == 0 else { return .nan }
    var peakKilobytes = 0.0
    var status: Int32 = 0
    while waitpid(pid, &status, WNOHANG) == 0 {
        if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),  // gone between checks: keep the last reading
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
           let value = Double(line.split(separator: " ").dropFirst().first ?? "") {
            peakKilobytes = max(peakKilobytes, value)
        }
        usleep(2_000)
    }
    return peakKilobytes / 1024
}

let catalogue = try InstrumentCatalogue(path: "projections/instruments.yaml")
let perpetual = catalogue.instrument(named: "BTCUSDT-PERP.BINANCE")!
let usdm = "\(shared)/hftbacktest/usdm"
let captures = ["btcusdt_20230404.dat.gz", "btcusdt_20230405.dat.gz", "btcusdt_20240718.gz", "btcusdt_20240719.gz", "btcusdt_20240808.gz"]
    .map { "\(usdm)/\($0)" }
let haveShared = captures.allSatisfy { FileManager.default.fileExists(atPath: $0) }
if !haveShared { print("# \(usdm) is absent: figures that need the real captures are skipped") }

func importCaptures(_ files: [String], into path: String, instruments: [String] = ["BTCUSDT-PERP.BINANCE"]) throws -> ImportSummary {
    let journal = try Journal(path: path, readOnly: false, create: true)
    var request = ImportRequest(format: .binanceStream, files: files, toolVersion: "bench", importedAt: .epoch)
    request.instruments = instruments
    request.catalogue = catalogue
    request.force = true
    return try Importer.run(request, journal: journal)
}

/// The real BTCUSDT perpetual trades of the captures, in order.
func realTrades() throws -> [(Timestamp, Trade)] {
    let path = "\(scratch)/captures"
    _ = try importCaptures(captures, into: path)
    let journal = try Journal(path: path)
    return try journal.read { snapshot in
        var trades: [(Timestamp, Trade)] = []
        try snapshot.forEachEvent(filter: EventFilter(types: [.trade], instruments: nil)) { _, event in
            if case .trade(let trade) = event.body { trades.append((event.eventTime, trade)) }
            return true
        }
        return trades
    }
}

/// `count` trades that replay the real ones' steps over and over: each trade moves price, time
/// and id from the previous one by the real step, so the tiled series has the captures' own
/// tick moves, sizes, sides and gaps. Between separate captures (a gap over a minute) the step
/// is 1 ms with no price move. Every other pass takes the price steps reversed, so the price
/// swings about its start rather than drifting by each pass's net move (added up over the
/// passes, that drift took it below zero).
func tiledTrades(_ real: [(Timestamp, Trade)], count: Int) -> [(Timestamp, Trade)] {
    var tiled: [(Timestamp, Trade)] = []
    tiled.reserveCapacity(count)
    var time = real[0].0.nanosSinceEpoch
    var price = real[0].1.price.units
    var id = real[0].1.tradeID
    var direction: Int64 = 1
    while tiled.count < count {
        for index in real.indices where tiled.count < count {
            if index > 0 {
                let gap = real[index].0.nanosSinceEpoch - real[index - 1].0.nanosSinceEpoch
                let continuous = gap >= 0 && gap <= 60_000_000_000
                time += continuous ? gap : 1_000_000
                price += continuous ? direction * (real[index].1.price.units - real[index - 1].1.price.units) : 0
            } else {
                time += 1_000_000
            }
            id += 1
            var trade = real[index].1
            trade.price.units = price
            trade.tradeID = id
            tiled.append((Timestamp(nanosSinceEpoch: time), trade))
        }
        direction = -direction
    }
    return tiled
}

let tradeCount = 10_000_000
var trades: [(Timestamp, Trade)] = []
let backtestFigures = ["backtest_ema", "audit", "memory_backtest", "report", "walkforward"]
if haveShared && (wanted("append") || wanted("scan") || wanted("seek") || wanted("import_trades_csv") || wanted("memory") || backtestFigures.contains(where: wanted)) {
    trades = tiledTrades(try realTrades(), count: tradeCount)
}

// MARK: Append and scan

let tradeJournalPath = "\(scratch)/trades"
if !trades.isEmpty && (wanted("append") || wanted("scan") || wanted("seek")) {
    let journal = try Journal(path: tradeJournalPath, readOnly: false, create: true)
    let batch = 100_000
    var id = InstrumentID.none
    try journal.write { appender in id = try appender.add(perpetual) }
    let elapsed = try seconds {
        var start = 0
        while start < trades.count {
            let end = min(start + batch, trades.count)
            try journal.write(durability: .durable) { appender in
                for index in start..<end {
                    let (time, trade) = trades[index]
                    try appender.append(trade, eventTime: time, receiveTime: time, instrument: id)
                }
            }
            start = end
        }
    }
    report("append", Double(trades.count) / elapsed / 1e6, "M trades/s", target: "≥ 10 (encode + zstd + durable commit per 100k)")
    let head = try journal.head()
    report("append_bytes_per_trade", Double(try journal.usedBytes()) / Double(head.eventCount), "bytes/trade", note: "(tiled real trades; not a size target)")
}

if !trades.isEmpty && wanted("scan") {
    settle()
    let journal = try Journal(path: tradeJournalPath)
    var best = Double.infinity
    var checksum: Int64 = 0
    for _ in 0..<3 {
        best = min(best, try seconds {
            try journal.read { snapshot in
                var reader = BlockReader()
                try snapshot.scan(using: &reader) { block in
                    for index in 0..<block.count where block.types[index] == .trade {
                        checksum &+= block.trade(at: index).price.units
                    }
                    return true
                }
            }
        })
    }
    precondition(checksum != 0)
    report("scan", Double(trades.count) / best / 1e6, "M trades/s", target: "≥ 50 (read + checksum + zstd + decode)")
}

if !trades.isEmpty && wanted("seek") {
    let journal = try Journal(path: tradeJournalPath)
    var generator = SeededGenerator(seed: 7)
    let first = trades.first!.0.nanosSinceEpoch
    let last = trades.last!.0.nanosSinceEpoch
    let probes = (0..<20_000).map { _ in Timestamp(nanosSinceEpoch: Int64.random(in: first...last, using: &generator)) }
    var latencies: [Double] = []
    try journal.read { snapshot in
        var reader = BlockReader()
        for probe in probes {
            let elapsed = try seconds { _ = try snapshot.sequence(atOrAfter: probe, using: &reader) }
            latencies.append(elapsed * 1e6)
        }
    }
    latencies.sort()
    report("seek_mean", latencies.reduce(0, +) / Double(latencies.count), "µs", target: "≤ 50")
    report("seek_p99", latencies[latencies.count * 99 / 100], "µs", target: "≤ 50")
}

// MARK: Size on real captures

if haveShared && wanted("size") {
    let all = "\(scratch)/size-all"
    _ = try importCaptures(captures, into: all)
    let source = try Journal(path: all)
    let groups: [(String, Set<EventType>, Double)] = [("trades", [.trade], 8.8), ("quotes", [.quote], 12), ("book_levels", [.bookDelta, .bookSnapshot], 3.0)]
    for (name, types, target) in groups {
        let path = "\(scratch)/size-\(name)"
        let journal = try Journal(path: path, readOnly: false, create: true)
        var units = 0
        try source.read { snapshot in
            try journal.write { appender in
                _ = try appender.add(perpetual)
                try snapshot.forEachEvent(filter: EventFilter(types: types, instruments: nil)) { _, event in
                    switch event.body {
                    case .bookDelta(let delta): units += delta.levelCount
                    case .bookSnapshot(let snapshot): units += snapshot.levelCount
                    default: units += 1
                    }
                    try appender.append(event)
                    return true
                }
            }
        }
        let unit = name == "book_levels" ? "level" : "event"
        report("size_\(name)", Double(try journal.usedBytes()) / Double(units), "bytes/\(unit)", target: "≤ \(target) (\(units) real \(unit)s, on-disk pages)")
    }
}

// MARK: Import

if !trades.isEmpty && (wanted("import_trades_csv") || wanted("memory")) {
    let csv = "\(scratch)/BTCUSDT-trades.csv"
    precondition(FileManager.default.createFile(atPath: csv, contents: nil), "cannot create \(csv)")
    let handle = FileHandle(forWritingAtPath: csv)!
    var text: [UInt8] = Array("id,price,qty,quote_qty,time,is_buyer_maker\n".utf8)
    for (time, trade) in trades {
        let price = FixedPoint.format(trade.price.units, scale: 8, minimumFractionDigits: 1)
        let size = FixedPoint.format(trade.size.units, scale: 3, minimumFractionDigits: 3)
        text.append(contentsOf: "\(trade.tradeID),\(price),\(size),0,\(time.nanosSinceEpoch / 1_000_000),\(trade.aggressor == .sell ? "true" : "false")\n".utf8)
        if text.count > 1 << 22 {
            handle.write(Data(text))
            text.removeAll(keepingCapacity: true)
        }
    }
    handle.write(Data(text))
    try handle.close()
    if wanted("import_trades_csv") {
        let elapsed = try seconds {
            let journal = try Journal(path: "\(scratch)/csv-import", readOnly: false, create: true)
            var request = ImportRequest(format: .binanceTrades, files: [csv], toolVersion: "bench", importedAt: .epoch)
            request.instruments = ["BTCUSDT-PERP.BINANCE"]
            request.catalogue = catalogue
            _ = try Importer.run(request, journal: journal)
        }
        report("import_trades_csv", Double(trades.count) / elapsed / 1e6, "M rows/s", target: "≥ 3")
    }
    if wanted("memory") {
        if FileManager.default.isExecutableFile(atPath: tapeBinary) {
            let journal = "\(scratch)/memory"
            report("memory_import", peakResidentMegabytes(["import", "binance-trades", csv, "--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE", "--instruments", "projections/instruments.yaml", "--json"]), "MB resident", target: "< 200 (10M trades)")
            report("memory_verify", peakResidentMegabytes(["verify", "--journal", journal, "--json"]), "MB resident", target: "< 200 (10M trades)")
        } else {
            print("# \(tapeBinary) not found: memory figures skipped (tools/bench builds it)")
        }
    }
}

if haveShared && wanted("import_stream") {
    let files = captures + ["ethusdt_20240718.gz", "ethusdt_20240719.gz"].map { "\(usdm)/\($0)" }
    var best = Double.infinity
    var rows: UInt64 = 0
    for round in 0..<3 {
        let elapsed = try seconds {
            let summary = try importCaptures(files, into: "\(scratch)/stream-\(round)", instruments: ["BTCUSDT-PERP.BINANCE", "ETHUSDT-PERP.BINANCE"])
            rows = summary.record.files.reduce(0) { $0 + $1.rowCount }
        }
        best = min(best, elapsed)
    }
    report("import_stream", Double(rows) / best / 1e6, "M messages/s", target: "≥ 0.5 (\(rows) real gzip lines)")
}

// MARK: Backtests

/// Writes a run configuration (and its projections and limits) into the scratch directory.
func runConfiguration(_ name: String, projections: String, strategies: String) throws -> String {
    let directory = "\(scratch)/\(name)-config"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Data(projections.utf8).write(to: URL(fileURLWithPath: "\(directory)/projections.yaml"))
    try FileManager.default.copyItem(atPath: "projections/limits.yaml", toPath: "\(directory)/limits.yaml")
    let run = """
        version: 1
        projections: projections.yaml
        limits: limits.yaml
        execution: {fees: {maker: "0.0002", taker: "0.0004"}, latency: {submit: 5ms, cancel: 5ms}, slippage: {model: spread, fraction: 0.5}}
        strategies: [\(strategies)]

        """
    try Data(run.utf8).write(to: URL(fileURLWithPath: "\(directory)/run.yaml"))
    return "\(directory)/run.yaml"
}

let emaStrategy = "{type: ema_cross, instrument: BTCUSDT-PERP.BINANCE, fast: 10, slow: 50, size: \"0.01\"}"

if !trades.isEmpty && backtestFigures.contains(where: wanted) {
    // 10M tiled real trades, the EMA(10)/EMA(50) cross on every one, the repository's limits
    // (projections/limits.yaml) with the ledger and risk projections they read.
    let source = "\(scratch)/backtest-trades"
    let journal = try Journal(path: source, readOnly: false, create: true)
    try journal.write(durability: .bulk) { appender in
        let id = try appender.add(perpetual)
        for (time, trade) in trades { try appender.append(trade, eventTime: time, receiveTime: time, instrument: id) }
    }
    // The runs below read the journal: dropping the generated trades (half a gigabyte) lets
    // them run in a process the size of `tape backtest`'s (holding them cost 7 % here).
    let tickCount = trades.count
    trades = []
    settle()
    let config = try runConfiguration("ema", projections: """
        version: 1
        ledger: {currency: USDT, cash: {USDT: "10000"}, leverage: 10}
        risk: {sample: 1m, window: 1440, volume_window: 1h}

        """, strategies: emaStrategy)
    let configuration = try RunConfiguration(path: config)
    var best = Double.infinity
    var bestCPU = Double.infinity
    var summary: RunSummary?
    if wanted("backtest_ema") || wanted("audit") || wanted("report") {
        for attempt in 0..<2 {
            let out = "\(scratch)/backtest-run-\(attempt)"
            let cpu = processorSeconds()
            best = min(best, try seconds {
                summary = try Engine(configuration: configuration, codeVersion: "bench").backtest(source: journal, sourcePath: source, range: nil, output: out)
            })
            bestCPU = min(bestCPU, processorSeconds() - cpu)
        }
    }
    if wanted("backtest_ema"), let summary {
        report("backtest_ema", Double(summary.sourceEvents) / best / 1e6, "M ticks/s",
               target: "≥ 10 (EMA 10/50 on every trade, risk engine on, \(summary.decisions.reduce(0) { $0 + $1.count }) decisions, \(summary.fills) fills journaled)")
        report("backtest_ema_per_core", Double(summary.sourceEvents) / bestCPU / 1e6, "M ticks/s",
               note: "(the same run per second of processor time, its three threads on all cores: with the cost of handing blocks between cores)")
        var oneCore = Double.infinity
        for attempt in 0..<2 {
            let out = "\(scratch)/backtest-one-core-\(attempt)"
            oneCore = min(oneCore, try seconds {
                _ = try onOneCore { try Engine(configuration: configuration, codeVersion: "bench").backtest(source: journal, sourcePath: source, range: nil, output: out) }
            })
            try FileManager.default.removeItem(atPath: out)
        }
        report("backtest_ema_one_core", Double(summary.sourceEvents) / oneCore / 1e6, "M ticks/s",
               target: "≥ 10 (DESIGN.md's budget: the same run with its three threads on one core)")
    }
    if wanted("audit") {
        let replay = try RunReplay(runPath: "\(scratch)/backtest-run-0", sourcePath: source)
        var checked = 0
        var fastest = Double.infinity
        for _ in 0..<2 {
            fastest = min(fastest, try seconds {
                let audit = try replay.audit()
                precondition(audit.isClean, "the benchmark run does not audit clean")
                checked = audit.checked
            })
        }
        report("audit", Double(checked) / fastest / 1e3, "k decisions/s", target: "≥ 100 (\(checked) decisions re-derived over \(tickCount) trades)")
    }
    if wanted("report") {
        // The EMA run's record (equity every minute over the 10M ticks' days), its closed
        // trades tiled to 100 000: the HTML and JSON built and written.
        let replay = try RunReplay(runPath: "\(scratch)/backtest-run-0", sourcePath: source)
        var performance = try replay.performance(period: 60_000_000_000)
        let real = performance.trades
        precondition(!real.isEmpty, "the benchmark run closes no trade")
        performance.trades = (0..<100_000).map { real[$0 % real.count] }
        let built = Report(title: "bench", subtitle: "EMA run, trades tiled", currency: "USDT", performance: performance, metrics: Metrics(performance),
                           regimes: Regimes(performance), instrumentNames: [perpetual.name])
        var fastest = Double.infinity
        for _ in 0..<3 {
            fastest = min(fastest, try seconds {
                try Data(built.html.utf8).write(to: URL(fileURLWithPath: "\(scratch)/report.html"))
                try Data(built.json.text.utf8).write(to: URL(fileURLWithPath: "\(scratch)/report.json"))
            })
        }
        report("report", fastest, "s", target: "≤ 1 (100 000 trades, \(performance.equity.count) equity samples; HTML and JSON written)")
    }
    if wanted("walkforward") {
        // 12 rolling folds over the 10M ticks, each training slice and test slice 1/13 of the
        // span, a 50-point grid (EMA fast 5 values × slow 10) fitted by Sharpe on 2 workers.
        let head = try journal.head()
        let span = head.lastReceiveTime!.nanosSinceEpoch - head.firstReceiveTime!.nanosSinceEpoch
        let slice = span / 13 / 1_000_000_000
        let path = "\(scratch)/ema-config/walkforward.yaml"
        try Data("""
            version: 1
            run: run.yaml
            folds: {scheme: rolling, train: \(slice)s, test: \(slice - 2)s, purge: 1s, embargo: 1s, count: 12}
            objective: sharpe
            parameters:
              - {strategy: 0, key: fast, values: [5, 8, 10, 12, 15]}
              - {strategy: 0, key: slow, values: [30, 40, 50, 60, 70, 80, 90, 100, 120, 150]}
            sample: 1h

            """.utf8).write(to: URL(fileURLWithPath: path))
        let study = try WalkForwardConfiguration(path: path)
        let out = "\(scratch)/walkforward"
        try? FileManager.default.removeItem(atPath: out)
        var result: WalkForward.Result?
        let elapsed = try seconds { result = try WalkForward(configuration: study, codeVersion: "bench", workers: 2).run(source: journal, sourcePath: source, output: out) }
        try? FileManager.default.removeItem(atPath: out)
        report("walkforward", elapsed, "s", target: "≤ 60 (\(result!.folds.count) folds × \(study.candidates.count) candidates over \(tickCount) ticks, 2 workers)")
    }
    if wanted("memory_backtest") && FileManager.default.isExecutableFile(atPath: tapeBinary) {
        report("memory_backtest", peakResidentMegabytes(["backtest", "--source", source, "--config", config, "--out", "\(scratch)/backtest-run-memory"]),
               "MB resident", target: "≤ 150 (\(tickCount) ticks)")
    }
}

// MARK: Replay (projections)

/// A stop signal for a replay once its first event is delivered.
struct FirstEventDelivered: Error {}

if haveShared && (wanted("replay") || wanted("replay_day") || wanted("memory_replay") || wanted("backtest_l2")) {
    // The contiguous capture across midnight 2023-04-04/05 (74 279 events, 8.6 minutes, starting
    // with the REST book snapshot), tiled 135 times an hour apart into 10M events over 5.6 days,
    // with a fill of the account every 5 000 events so the ledger and risk have positions.
    let source = "\(scratch)/replay-source"
    let replayPath = "\(scratch)/replay"
    let reuse = keptScratch != nil && Journal.exists(at: replayPath)
    if !reuse { _ = try importCaptures(Array(captures[0...1]), into: source) }
    let events: [Event] = reuse ? [] : try Journal(path: source).read { snapshot in
        var all: [Event] = []
        try snapshot.forEachEvent { _, event in
            all.append(event)
            return true
        }
        return all
    }
    let target = reuse ? 0 : 10_000_000
    let journal = try Journal(path: replayPath, readOnly: false, create: true)
    var random = SeededGenerator(seed: 11)
    var written = 0
    var tile: Int64 = 0
    let hour: Int64 = 3_600_000_000_000
    while written < target {
        try journal.write(durability: .bulk) { appender in
            let id = try appender.add(perpetual)
            for event in events where written < target {
                var shifted = event
                shifted.eventTime = Timestamp(nanosSinceEpoch: event.eventTime.nanosSinceEpoch + tile * hour)
                shifted.receiveTime = Timestamp(nanosSinceEpoch: event.receiveTime.nanosSinceEpoch + tile * hour)
                if case .fundingRate(var rate) = shifted.body {
                    rate.fundingTime = Timestamp(nanosSinceEpoch: rate.fundingTime.nanosSinceEpoch + tile * hour)
                    shifted.body = .fundingRate(rate)
                }
                try appender.append(shifted)
                written += 1
                if written % 5_000 == 0, case .trade(let trade) = event.body {
                    let fill = FillRecorded(
                        orderID: UInt64(written), fillID: UInt64(written), causation: UInt64(written), side: Bool.random(using: &random) ? .buy : .sell,
                        price: trade.price, quantity: Quantity(units: Int64.random(in: 1...50, using: &random) * 10), fee: Money(units: 1_000_000), liquidity: .taker)
                    try appender.append(fill, eventTime: shifted.eventTime, receiveTime: shifted.receiveTime, instrument: id)
                    written += 1
                }
            }
        }
        tile += 1
    }
    try journal.sync()
    settle()
    let configuration = try ProjectionConfiguration(path: "projections/default.yaml")
    let head = try journal.head()
    let features = configuration.features?.features.count ?? 0
    if wanted("replay") {
        // On one core (the figure of the issue), then as `tape replay` runs: blocks decoded on
        // a second thread ahead of the fold.
        for readAhead in [false, true] {
            var best = Double.infinity
            for _ in 0..<2 {
                best = min(best, try seconds {
                    _ = try Replayer.run(journal: journal, configuration: configuration, range: 1...head.lastSequence, useSnapshots: false, readAhead: readAhead)
                })
            }
            if readAhead {
                report("replay_read_ahead", Double(head.eventCount) / best / 1e6, "M events/s", note: "(the same replay, blocks decoded on a second thread)")
            } else {
                report("replay", Double(head.eventCount) / best / 1e6, "M events/s",
                       target: "≥ 10 (book, 1m+1h bars, \(features) features, ledger, risk; \(head.eventCount) events, one core)")
            }
        }
    }
    if wanted("replay_day") {
        _ = try Snapshotter.run(journal: journal, configuration: configuration)
        // The last full day: its first event, found by the time index, from that day's snapshot.
        let last = head.lastReceiveTime!.nanosSinceEpoch
        let day = last / 86_400_000_000_000 * 86_400_000_000_000
        let first = try journal.read { snapshot in
            var reader = BlockReader()
            return try snapshot.sequence(atOrAfter: Timestamp(nanosSinceEpoch: day), using: &reader)!
        }
        var latencies: [Double] = []
        for _ in 0..<20 {
            var delivered = 0.0
            let start = ContinuousClock.now
            do {
                _ = try Replayer.run(journal: journal, configuration: configuration, range: first...head.lastSequence) { _, _, _ in
                    let elapsed = ContinuousClock.now - start
                    delivered = Double(elapsed.components.seconds) * 1e3 + Double(elapsed.components.attoseconds) / 1e15
                    throw FirstEventDelivered()
                }
            } catch is FirstEventDelivered {}
            latencies.append(delivered)
        }
        latencies.sort()
        report("replay_day_first_event", latencies[latencies.count / 2], "ms (median)",
               target: "≤ 10 (open, find the day's snapshot among \(try journal.read { try $0.snapshotEntries().count }), restore, first event)")
    }
    if wanted("backtest_l2") {
        // The same events, the default projections (L2 book, bars, the features) and the EMA cross.
        let text = try String(contentsOfFile: "projections/default.yaml", encoding: .utf8)
        let config = try runConfiguration("l2", projections: text, strategies: emaStrategy)
        let run = try RunConfiguration(path: config)
        var fastest = Double.infinity
        var events: UInt64 = 0
        for attempt in 0..<2 {
            fastest = min(fastest, try seconds {
                events = try Engine(configuration: run, codeVersion: "bench").backtest(
                    source: journal, sourcePath: replayPath, range: nil, output: "\(scratch)/backtest-l2-\(attempt)").sourceEvents
            })
        }
        report("backtest_l2", Double(events) / fastest / 1e6, "M events/s", target: "≥ 3 (L2 book, bars, \(features) features, ledger, risk, EMA cross)")
    }
    if wanted("memory_replay") && FileManager.default.isExecutableFile(atPath: tapeBinary) {
        report("memory_replay", peakResidentMegabytes(["replay", "--journal", replayPath, "--no-snapshots", "--projections", "projections/default.yaml", "--json"]),
               "MB resident", target: "≤ 150 (\(head.eventCount) events)")
    }
}
