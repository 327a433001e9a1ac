public import Foundation

/// The bytes of a file, decompressed with the system's gzip when it is gzip (an independent
/// reader, for checking what Tape's own reader produced).
public func fileBytes(_ path: String) throws -> Data {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    guard data.starts(with: [0x1F, 0x8B]) else { return data }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-dc", path]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return output
}
