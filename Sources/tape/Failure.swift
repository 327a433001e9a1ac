import ArgumentParser
import Foundation
import Ingest
import Journal
import Projections

/// A command's failure with its exit code: 1 when the data (journal or input) is bad,
/// 2 when the command could not run. specs/cli.md lists them.
struct Failure: Error, CustomStringConvertible {
    let message: String
    let exitCode: Int32

    init(message: String, exitCode: Int32) {
        self.message = message
        self.exitCode = exitCode
    }

    static func bad(_ message: String) -> Failure { Failure(message: message, exitCode: 1) }
    static func cannotRun(_ message: String) -> Failure { Failure(message: message, exitCode: 2) }

    var description: String { message }

    /// Classifies a journal error: damage and refused data are 1, the rest 2.
    init(_ error: JournalError) {
        switch error {
        case .corrupt, .corruptSnapshot, .outOfOrder, .unknownInstrument, .instrument: self = .bad(error.description)
        default: self = .cannotRun(error.description)
        }
    }

    /// Classifies an import error: bad input is 1, the rest 2.
    init(_ error: IngestError) {
        switch error {
        case .badRow, .alreadyImported, .beforeJournalEnd: self = .bad(error.description)
        case .journal(let journal): self.init(journal)
        default: self = .cannotRun(error.description)
        }
    }
}

/// Runs `body`, turning the errors the modules throw into `Failure`s.
func failing<Result>(_ body: () throws -> Result) throws -> Result {
    do {
        return try body()
    } catch let error as Failure {
        throw error
    } catch let error as JournalError {
        throw Failure(error)
    } catch let error as IngestError {
        throw Failure(error)
    } catch let error as ProjectionError {
        throw Failure.cannotRun(error.description)
    } catch {
        throw Failure.cannotRun("\(error)")
    }
}
