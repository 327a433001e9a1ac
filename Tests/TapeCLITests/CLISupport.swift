import Foundation
import Testing
import TestSupport

/// Runs the `tape` executable built beside the tests.
enum CLI {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let sample = repository.appendingPathComponent("journal/samples/binance-usdm-btcusdt").path
    static let firstDay = "\(sample)/btcusdt_20230404.dat.gz"
    static let secondDay = "\(sample)/btcusdt_20230405-0000-0002.dat.gz"
    static let catalogue = repository.appendingPathComponent("projections/instruments.yaml").path

    /// The `tape` binary: next to this test bundle's executable.
    static let binary: String = {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]  // /proc is Linux's; the argument is the fallback
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        while directory.path != "/" {
            let candidate = directory.appendingPathComponent("tape").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        return "tape"
    }()

    struct Result {
        var status: Int32
        var output: String
        var error: String
        var lines: [String] { output.split(separator: "\n").map(String.init) }
    }

    /// Runs `tape arguments…` to completion, with the repository as working directory.
    @discardableResult
    static func run(_ arguments: [String], input: Data? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = repository
        let output = Pipe()
        let error = Pipe()
        let stdin = Pipe()
        process.standardOutput = output
        process.standardError = error
        process.standardInput = stdin
        try process.run()
        // Read both pipes while the process runs, so that neither fills up and blocks it.
        let group = DispatchGroup()
        nonisolated(unsafe) var outputData = Data()
        nonisolated(unsafe) var errorData = Data()
        group.enter()
        DispatchQueue.global().async {
            outputData = output.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        group.enter()
        DispatchQueue.global().async {
            errorData = error.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        return Result(status: process.terminationStatus, output: String(decoding: outputData, as: UTF8.self), error: String(decoding: errorData, as: UTF8.self))
    }

    /// Imports the sample's files into `journal`.
    @discardableResult
    static func importSample(_ files: [String], into journal: String, extra: [String] = []) throws -> Result {
        try run(["import", "binance-stream"] + files + ["--journal", journal, "--instrument", "BTCUSDT-PERP.BINANCE"] + extra)
    }

    /// The JSON object of one line.
    static func object(_ line: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any]
    }
}
