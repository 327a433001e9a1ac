import Foundation
import Testing
import TapeCore
import Events
import Journal
import Ingest
import Projections
import TestSupport

/// The projection configuration of `yaml` (a `version: 1` header is added).
func configuration(_ yaml: String) throws -> ProjectionConfiguration {
    try ProjectionConfiguration(yaml: "version: 1\n" + yaml, source: "test.yaml")
}
