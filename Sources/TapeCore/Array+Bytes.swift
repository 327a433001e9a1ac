extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with a typed error: the standard library's is `rethrows`, which loses
    /// the error type of a `throws(E)` body.
    @inlinable
    public func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        let outcome: Swift.Result<Result, Failure> = withUnsafeBytes { raw in
            do throws(Failure) {
                return .success(try body(raw))
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }
}
