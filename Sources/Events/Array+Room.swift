extension Array {
    /// Appends `count` (at least 1) values that `initialize` initializes, every one, in the
    /// array's new room: written once, with no zero-fill first and no per-value checks.
    @inline(__always)
    mutating func append<Failure: Error>(count: Int, initializingWith initialize: (UnsafeMutablePointer<Element>) throws(Failure) -> Void) throws(Failure) {
        try append(addingCapacity: count) { (room: inout OutputSpan<Element>) throws(Failure) in
            try room.withUnsafeMutableBufferPointer { (buffer, initialized) throws(Failure) in
                try initialize(buffer.baseAddress!)
                initialized = count
            }
        }
    }

    /// Appends `count` (at least 1) copies of `value`. (The standard library's append of a
    /// repeated element copies it one value at a time.)
    @inline(__always)
    mutating func append(repeating value: Element, count: Int) {
        append(count: count) { $0.initialize(repeating: value, count: count) }
    }
}
