import ArgumentParser
import Events
import Foundation
import Journal

/// The command-line tool: the only place that wires journals, importers and output together.
@main
struct Tape: ParsableCommand {
    /// The version recorded in import histories and run journals.
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "tape",
        abstract: "Event-sourced journal and replay engine for systematic trading.",
        discussion: """
            Journals are LMDB environments holding zstd-compressed, checksummed blocks of events.
            Exit codes: 0 success, 1 bad data (corrupt journal, rejected input), 2 could not run.
            specs/cli.md documents every command and its --json output.
            """,
        version: version,
        subcommands: [
            ImportCommand.self, MergeCommand.self, InfoCommand.self, VerifyCommand.self, CatCommand.self, FollowCommand.self, ReplayCommand.self, SnapshotCommand.self,
            FeaturesCommand.self, BacktestCommand.self, AuditCommand.self, ExplainCommand.self, MetricsCommand.self, WalkForwardCommand.self, SweepCommand.self,
            ReportCommand.self,
        ]
    )

    /// Parses the command line and runs the command, mapping failures to documented exit codes.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
            Output.standard.flush()
        } catch let code as ExitCode {
            // A command that already reported its outcome (verify finding damage).
            Output.standard.flush()
            Foundation.exit(code.rawValue)
        } catch let failure as Failure {
            Output.standard.flush()
            Output.error.line("tape: \(failure.message)")
            Output.error.flush()
            Foundation.exit(failure.exitCode)
        } catch {
            Output.standard.flush()
            if exitCode(for: error) == .success {
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            Output.error.line(fullMessage(for: error))
            Output.error.flush()
            Foundation.exit(2)
        }
    }
}

/// The `--journal DIR` option every command takes.
struct JournalOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The journal directory (an LMDB environment).", valueName: "dir"))
    var journal: String
}

/// The `--block-events N` option of the commands that write journals.
struct BlockEventsOption: ParsableArguments {
    @Option(name: .customLong("block-events"), help: ArgumentHelp("Events per journal block.", valueName: "n"))
    var blockEvents = Journal.Options().blockEvents

    /// The journal options it sets, once checked.
    func journalOptions() throws -> Journal.Options {
        guard (1...BlockFormat.maximumEvents).contains(blockEvents) else {
            throw Failure.cannotRun("--block-events must be 1…\(BlockFormat.maximumEvents)")
        }
        return Journal.Options(blockEvents: blockEvents)
    }
}
