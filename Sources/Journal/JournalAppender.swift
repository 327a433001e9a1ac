public import TapeCore
public import Events

/// Appends events to a journal inside `Journal.write`; valid only inside that closure.
///
/// Events are checked (receive time never decreases; the instrument is in the table), grouped
/// into blocks of `Options.blockEvents`, and each full block is encoded, compressed, framed
/// and put with `MDB_APPEND` as soon as it is sealed, so memory stays bounded however large
/// the write is. Nothing is visible to readers before the enclosing commit.
public struct JournalAppender {
    private let journal: Journal
    private let transaction: LMDBTransaction
    private let compressor: ZstdCompressor
    /// The head as it will be after the commit (its event counts include events not yet
    /// sealed into a block).
    public var head: JournalHead {
        var head = state
        for (type, count) in builder.countsByType {
            head.typeCounts[Int(type.rawValue)] += UInt64(count)
        }
        head.eventCount += UInt64(builder.count)
        return head
    }
    /// The head as of the last sealed block.
    @usableFromInline var state: JournalHead
    /// The instrument table as it will be after the commit.
    public private(set) var instruments: InstrumentTable
    private var instrumentsChanged = false
    private var imports: [ImportRecord] = []
    @usableFromInline var builder: BlockBuilder
    private var timeline: ByteWriter
    private var payload: ByteWriter
    private var frame: [UInt8]
    @usableFromInline var endReceiveTime: Int64
    @usableFromInline var appended: UInt64 = 0
    @usableFromInline let blockEvents: Int
    @usableFromInline let blockBytes: Int

    init(journal: Journal, transaction: LMDBTransaction, compressor: ZstdCompressor, buffers: AppendBuffers) throws(JournalError) {
        self.journal = journal
        self.transaction = transaction
        self.compressor = compressor
        builder = buffers.builder
        timeline = buffers.timeline
        payload = buffers.payload
        frame = buffers.frame
        blockEvents = journal.options.blockEvents
        blockBytes = journal.options.blockBytes
        state = try Journal.readHead(transaction, journal.meta, journal.path)
        instruments = try Journal.readInstruments(transaction, journal.meta, journal.path)
        endReceiveTime = state.lastReceiveTime?.nanosSinceEpoch ?? .min
    }

    /// The sequence number the next appended event will get.
    public var nextSequence: UInt64 { state.eventCount + UInt64(builder.count) + 1 }

    /// The receive time of the last event in the journal or appended so far.
    public var endTime: Timestamp? { endReceiveTime == .min ? nil : Timestamp(nanosSinceEpoch: endReceiveTime) }

    /// The number of events appended in this write.
    public var appendedCount: UInt64 { appended }

    /// Adds `instrument` to the table (or finds it there) and returns its id.
    public mutating func add(_ instrument: Instrument) throws(JournalError) -> InstrumentID {
        let before = instruments.count
        do {
            let id = try instruments.add(instrument)
            if instruments.count != before { instrumentsChanged = true }
            return id
        } catch {
            throw .instrument(error)
        }
    }

    /// The imports recorded before this write, oldest first.
    public func importHistory() throws(JournalError) -> [ImportRecord] {
        try journal.importHistory(transaction)
    }

    /// Records an import in the journal's history, committed with the events.
    public mutating func record(_ importRecord: ImportRecord) {
        imports.append(importRecord)
    }

    /// Stores `bytes` under `name` beside the events (a run's configuration, say), replacing
    /// what was there; committed with the write.
    public func attach(_ bytes: [UInt8], name: String) throws(JournalError) {
        precondition(!name.isEmpty && name.utf8.count <= 200, "an attachment needs a short name")
        try transaction.put(journal.meta, key: Array((Journal.MetaKey.attachmentPrefix + name).utf8), value: bytes)
    }

    /// Appends an event given by its parts.
    @inlinable
    public mutating func append<Payload: EventPayload>(
        _ payload: Payload, eventTime: Timestamp, receiveTime: Timestamp, instrument: InstrumentID
    ) throws(JournalError) {
        try admit(receiveTime: receiveTime, instrument: instrument)
        appendChecked(payload, eventTime: eventTime, receiveTime: receiveTime, instrument: instrument)
        if isBlockFull { try sealBlock() }
    }

    /// Appends an event.
    public mutating func append(_ event: Event) throws(JournalError) {
        try admit(receiveTime: event.receiveTime, instrument: event.instrument)
        builder.append(event)
        appended += 1
        endReceiveTime = event.receiveTime.nanosSinceEpoch
        if isBlockFull { try sealBlock() }
    }

    @usableFromInline
    mutating func admit(receiveTime: Timestamp, instrument: InstrumentID) throws(JournalError) {
        guard receiveTime.nanosSinceEpoch >= endReceiveTime else {
            throw .outOfOrder(receiveTime: receiveTime, journalEnd: Timestamp(nanosSinceEpoch: endReceiveTime))
        }
        guard Int(instrument.rawValue) <= instruments.count else { throw .unknownInstrument(instrument) }
    }

    @inlinable
    mutating func appendChecked<Payload: EventPayload>(
        _ payload: Payload, eventTime: Timestamp, receiveTime: Timestamp, instrument: InstrumentID
    ) {
        builder.append(payload, eventTime: eventTime, receiveTime: receiveTime, instrument: instrument)
        appended &+= 1
        endReceiveTime = receiveTime.nanosSinceEpoch
    }

    @inlinable
    var isBlockFull: Bool {
        builder.count >= blockEvents || builder.unencodedBytes >= blockBytes
    }

    /// Encodes, compresses and stores the events collected so far as one block.
    @usableFromInline
    mutating func sealBlock() throws(JournalError) {
        guard let first = builder.firstReceiveTime, let last = builder.lastReceiveTime else { return }
        let firstSequence = state.eventCount + 1
        timeline.removeAll()
        payload.removeAll()
        builder.encode(timeline: &timeline, payload: &payload)
        for (type, count) in builder.countsByType {
            state.typeCounts[Int(type.rawValue)] += UInt64(count)
        }
        try BlockFrame.write(
            firstSequence: firstSequence, count: builder.count,
            firstReceiveTime: first.nanosSinceEpoch, lastReceiveTime: last.nanosSinceEpoch,
            timeline: timeline, payload: payload, compressor: compressor, into: &frame
        )
        try transaction.put(journal.blocks, key: Journal.blockKey(firstSequence), value: frame, append: true)
        try transaction.put(journal.times, key: Journal.timeKey(lastReceiveTime: last.nanosSinceEpoch, firstSequence: firstSequence), value: [], append: true)
        if state.firstReceiveTime == nil { state.firstReceiveTime = first }
        state.lastReceiveTime = last
        state.eventCount += UInt64(builder.count)
        state.blockCount += 1
        state.storedBytes += UInt64(frame.count)
        builder.removeAll()
    }

    /// Hands the buffers back for the next write, emptied.
    mutating func takeBuffers() -> AppendBuffers {
        builder.removeAll()
        var buffers = AppendBuffers()
        swap(&buffers.builder, &builder)
        swap(&buffers.timeline, &timeline)
        swap(&buffers.payload, &payload)
        swap(&buffers.frame, &frame)
        return buffers
    }

    /// Seals the last block and writes the metadata; called by `Journal.write` before commit.
    mutating func finish() throws(JournalError) {
        try sealBlock()
        try transaction.put(journal.meta, key: Journal.MetaKey.head, value: state.encoded())
        if instrumentsChanged {
            try transaction.put(journal.meta, key: Journal.MetaKey.instruments, value: instruments.encoded())
        }
        guard !imports.isEmpty else { return }
        var number: UInt64 = try transaction.withCursor(journal.imports) { (cursor: inout LMDBCursor) throws(JournalError) -> UInt64 in
            guard let last = try cursor.last() else { return 0 }
            return Journal.readBigEndian(last.key)
        }
        for record in imports {
            number += 1
            try transaction.put(journal.imports, key: Journal.blockKey(number), value: record.encoded(), append: true)
        }
    }
}

/// The buffers a write fills; kept by the journal between writes so that their capacity (a
/// block's worth of columns) is allocated once.
struct AppendBuffers {
    var builder = BlockBuilder()
    var timeline = ByteWriter()
    var payload = ByteWriter()
    var frame: [UInt8] = []
}
