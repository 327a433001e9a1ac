internal import CLMDB
import Foundation
import TapeCore

/// An LMDB environment: one memory-mapped database file with its lock file, in a directory.
/// Wraps `mdb_env_*`; the handle closes when the last reference goes.
final class LMDBEnvironment {
    let handle: OpaquePointer
    let path: String

    /// Opens (creating the files when `readOnly` is false) the environment in directory `path`
    /// with `mdb_env_open`. `MDB_NOTLS` lets read transactions move between threads.
    init(path: String, mapSizeBytes: Int, maximumDatabases: Int, readOnly: Bool) throws(JournalError) {
        self.path = path
        var environment: OpaquePointer?
        try Self.check(mdb_env_create(&environment), "mdb_env_create", path)
        guard let environment else { preconditionFailure("mdb_env_create returned no handle") }
        // From here every stored property is set: if a step below throws, the object is
        // destroyed and `deinit` closes the handle. (Closing it here too freed it twice, and a
        // corrupt journal crashed the process instead of being reported.)
        handle = environment
        try Self.check(mdb_env_set_mapsize(handle, mapSizeBytes), "mdb_env_set_mapsize", path)
        try Self.check(mdb_env_set_maxdbs(handle, MDB_dbi(maximumDatabases)), "mdb_env_set_maxdbs", path)
        let flags = UInt32(MDB_NOTLS) | (readOnly ? UInt32(MDB_RDONLY) : 0)
        try Self.check(mdb_env_open(handle, path, flags, 0o644), "mdb_env_open", path)
        // Clear reader slots left by processes that died (kill -9) holding a read transaction.
        var stale: Int32 = 0
        try Self.check(mdb_reader_check(handle, &stale), "mdb_reader_check", path)
    }

    deinit {
        mdb_env_close(handle)
    }

    /// Opens a named database with `mdb_dbi_open` in its own short transaction.
    func openDatabase(named name: String, create: Bool) throws(JournalError) -> LMDBDatabase? {
        let readOnly = !create
        return try transaction(readOnly: readOnly) { (transaction: LMDBTransaction) throws(JournalError) -> LMDBDatabase? in
            var dbi: MDB_dbi = 0
            let code = mdb_dbi_open(transaction.handle, name, create ? UInt32(MDB_CREATE) : 0, &dbi)
            if code == MDB_NOTFOUND { return nil }
            try Self.check(code, "mdb_dbi_open(\(name))", path)
            return LMDBDatabase(dbi: dbi)
        }
    }

    /// Runs `body` in a read-only transaction.
    func read<Result>(_ body: (LMDBTransaction) throws(JournalError) -> Result) throws(JournalError) -> Result {
        try transaction(readOnly: true, body)
    }

    /// Runs `body` in a write transaction that commits when it returns and aborts when it
    /// throws. Commit durability follows the environment's sync flag (`setSyncOnCommit`).
    func write<Result>(_ body: (LMDBTransaction) throws -> Result) throws -> Result {
        var transaction: OpaquePointer?
        try Self.check(mdb_txn_begin(handle, nil, 0, &transaction), "mdb_txn_begin", path)
        guard let transaction else { preconditionFailure("mdb_txn_begin returned no handle") }
        let result: Result
        do {
            result = try body(LMDBTransaction(handle: transaction, path: path))
        } catch {
            mdb_txn_abort(transaction)
            throw error
        }
        try Self.check(mdb_txn_commit(transaction), "mdb_txn_commit", path)
        return result
    }

    private func transaction<Result>(readOnly: Bool, _ body: (LMDBTransaction) throws(JournalError) -> Result) throws(JournalError) -> Result {
        var transaction: OpaquePointer?
        try Self.check(mdb_txn_begin(handle, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &transaction), "mdb_txn_begin", path)
        guard let transaction else { preconditionFailure("mdb_txn_begin returned no handle") }
        let result: Result
        do {
            result = try body(LMDBTransaction(handle: transaction, path: path))
        } catch {
            mdb_txn_abort(transaction)
            throw error
        }
        // Committing (not aborting) a read-only transaction keeps the database handles it
        // opened valid for later transactions.
        try Self.check(mdb_txn_commit(transaction), "mdb_txn_commit", path)
        return result
    }

    /// Turns fsync on commit on (durable) or off (bulk) with `mdb_env_set_flags(MDB_NOSYNC)`.
    func setSyncOnCommit(_ enabled: Bool) throws(JournalError) {
        try Self.check(mdb_env_set_flags(handle, UInt32(MDB_NOSYNC), enabled ? 0 : 1), "mdb_env_set_flags", path)
    }

    /// Drops the pages of the memory map holding `bytes` (values read from it) from this
    /// process's resident set (`madvise(DONTNEED)`). The map is a shared, read-only mapping of the
    /// data file, so the pages stay in the page cache and fault back in if read again: scans of
    /// journals far larger than memory keep their resident size bounded.
    static func releaseMappedPages(from start: UnsafeRawPointer, to end: UnsafeRawPointer) {
        let page = UInt(sysconf(Int32(_SC_PAGESIZE)))
        let low = UInt(bitPattern: start) & ~(page - 1)
        let high = (UInt(bitPattern: end) + page - 1) & ~(page - 1)
        guard high > low, let base = UnsafeMutableRawPointer(bitPattern: low) else { return }
        _ = madvise(base, Int(high - low), MADV_DONTNEED)  // advice only: failing leaves the pages resident
    }

    /// Flushes everything committed to disk with `mdb_env_sync(force: 1)`.
    func sync() throws(JournalError) {
        try Self.check(mdb_env_sync(handle, 1), "mdb_env_sync", path)
    }

    /// The bytes of the data file in use: (last used page + 1) × page size.
    func usedBytes() throws(JournalError) -> Int {
        var info = MDB_envinfo()
        try Self.check(mdb_env_info(handle, &info), "mdb_env_info", path)
        var stat = MDB_stat()
        try Self.check(mdb_env_stat(handle, &stat), "mdb_env_stat", path)
        return (Int(info.me_last_pgno) + 1) * Int(stat.ms_psize)
    }

    /// Converts an LMDB return code into `JournalError`.
    static func check(_ code: Int32, _ function: String, _ path: String) throws(JournalError) {
        guard code != MDB_SUCCESS else { return }
        let message = String(cString: mdb_strerror(code))
        switch code {
        case MDB_MAP_FULL:
            throw .full(path: path, detail: "map size reached in \(function)")
        case 28:  // ENOSPC
            throw .full(path: path, detail: "no space left on device in \(function)")
        case MDB_INVALID, MDB_VERSION_MISMATCH, MDB_INCOMPATIBLE:
            throw .notAJournal(path: path, reason: message)
        case 2:  // ENOENT
            throw .notFound(path: path)
        default:
            throw .storage(path: path, function: function, code: code, message: message)
        }
    }
}

/// A named database (an ordered key/value table) inside an environment.
struct LMDBDatabase {
    let dbi: MDB_dbi
}

/// A transaction handle, valid only inside the `read`/`write` closure that provided it.
/// Bytes it returns borrow the memory map: copy or decode them before the closure returns.
struct LMDBTransaction {
    let handle: OpaquePointer
    let path: String

    /// The value under `key`, or nil (`mdb_get`).
    func get(_ database: LMDBDatabase, key: UnsafeRawBufferPointer) throws(JournalError) -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_get(handle, database.dbi, &keyValue, &value)
        if code == MDB_NOTFOUND { return nil }
        try LMDBEnvironment.check(code, "mdb_get", path)
        return UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    /// Stores `value` under `key` (`mdb_put`); with `append`, the key must sort after every
    /// key already present (`MDB_APPEND`), which writes pages sequentially.
    func put(_ database: LMDBDatabase, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, append: Bool) throws(JournalError) {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try LMDBEnvironment.check(mdb_put(handle, database.dbi, &keyValue, &dataValue, append ? UInt32(MDB_APPEND) : 0), "mdb_put", path)
    }

    /// Stores `value` under the key given as bytes of an array.
    func put(_ database: LMDBDatabase, key: [UInt8], value: [UInt8], append: Bool = false) throws(JournalError) {
        let result: Result<Void, JournalError> = key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                do throws(JournalError) {
                    try put(database, key: keyBytes, value: valueBytes, append: append)
                    return .success(())
                } catch {
                    return .failure(error)
                }
            }
        }
        try result.get()
    }

    /// Calls `body` with the value under `key` (borrowed from the map), or nil.
    func withValue<Result>(_ database: LMDBDatabase, key: [UInt8], _ body: (UnsafeRawBufferPointer?) throws(JournalError) -> Result) throws(JournalError) -> Result {
        let result: Swift.Result<Result, JournalError> = key.withUnsafeBytes { keyBytes in
            do throws(JournalError) {
                return .success(try body(try get(database, key: keyBytes)))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// The value under the key given as bytes of an array, copied out of the map.
    func get(_ database: LMDBDatabase, key: [UInt8]) throws(JournalError) -> [UInt8]? {
        let result: Result<[UInt8]?, JournalError> = key.withUnsafeBytes { keyBytes in
            do throws(JournalError) {
                return .success(try get(database, key: keyBytes).map { Array($0) })
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Opens a cursor on `database` (`mdb_cursor_open`); it closes when `body` returns.
    func withCursor<Result>(_ database: LMDBDatabase, _ body: (inout LMDBCursor) throws(JournalError) -> Result) throws(JournalError) -> Result {
        var cursor: OpaquePointer?
        try LMDBEnvironment.check(mdb_cursor_open(handle, database.dbi, &cursor), "mdb_cursor_open", path)
        guard let cursor else { preconditionFailure("mdb_cursor_open returned no handle") }
        defer { mdb_cursor_close(cursor) }
        var wrapper = LMDBCursor(handle: cursor, path: path)
        return try body(&wrapper)
    }
}

/// A position in a database, valid only inside `withCursor`.
struct LMDBCursor {
    let handle: OpaquePointer
    let path: String

    typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    /// Moves with `mdb_cursor_get(MDB_FIRST/LAST/NEXT/PREV)`; nil past either end.
    mutating func first() throws(JournalError) -> Entry? { try move(MDB_FIRST, key: nil) }
    mutating func last() throws(JournalError) -> Entry? { try move(MDB_LAST, key: nil) }
    mutating func next() throws(JournalError) -> Entry? { try move(MDB_NEXT, key: nil) }
    mutating func previous() throws(JournalError) -> Entry? { try move(MDB_PREV, key: nil) }

    /// Moves to the first entry whose key is at or after `key` (`MDB_SET_RANGE`).
    mutating func seek(atOrAfter key: UnsafeRawBufferPointer) throws(JournalError) -> Entry? {
        try move(MDB_SET_RANGE, key: key)
    }

    private mutating func move(_ operation: MDB_cursor_op, key: UnsafeRawBufferPointer?) throws(JournalError) -> Entry? {
        var keyValue = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var value = MDB_val()
        let code = mdb_cursor_get(handle, &keyValue, &value, operation)
        if code == MDB_NOTFOUND { return nil }
        try LMDBEnvironment.check(code, "mdb_cursor_get", path)
        return (UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size),
                UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size))
    }
}

/// Keeps a long read of the map from growing the resident set: after every `budget` bytes of
/// values read, the pages they lie on are dropped (`LMDBEnvironment.releaseMappedPages`).
struct ResidentBudget {
    static let budget = 32 << 20
    private var bytes = 0
    private var low = UInt.max
    private var high: UInt = 0

    mutating func read(_ value: UnsafeRawBufferPointer) {
        guard let base = value.baseAddress else { return }
        low = min(low, UInt(bitPattern: base))
        high = max(high, UInt(bitPattern: base) + UInt(value.count))
        bytes += value.count
        guard bytes >= Self.budget, let start = UnsafeRawPointer(bitPattern: low), let end = UnsafeRawPointer(bitPattern: high) else { return }
        LMDBEnvironment.releaseMappedPages(from: start, to: end)
        self = ResidentBudget()
    }
}
