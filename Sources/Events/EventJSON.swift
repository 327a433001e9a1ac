public import TapeCore

/// Writes events as JSON objects (one per line in `tape cat`), the schema of specs/events.md:
/// `seq`, `type`, `time`, `recv_time`, `instrument`, then the payload's fields. Prices, sizes,
/// money and rates are exact decimal strings at the instrument's scales; times are ISO-8601
/// UTC with nanoseconds; ids are JSON integers; hashes are hexadecimal strings.
public struct EventJSON {
    /// The instrument table used to scale and name instruments.
    public let instruments: InstrumentTable

    public init(instruments: InstrumentTable) {
        self.instruments = instruments
    }

    /// Appends `event`, at sequence `sequence`, as one JSON object (no newline).
    public func append(_ event: Event, sequence: UInt64, to output: inout [UInt8]) {
        var writer = JSONWriter(output: output, instrument: instruments.instrument(event.instrument))
        output = []
        writer.raw("{\"seq\":")
        writer.integer(sequence)
        writer.key("type")
        writer.string(event.type.label)
        writer.key("time")
        writer.time(event.eventTime)
        writer.key("recv_time")
        writer.time(event.receiveTime)
        writer.key("instrument")
        if let instrument = writer.instrument { writer.string(instrument.name) } else { writer.raw("null") }
        writer.payload(event.body)
        writer.raw("}")
        output = writer.output
    }

    /// `event` as a JSON string.
    public func string(_ event: Event, sequence: UInt64) -> String {
        var bytes: [UInt8] = []
        append(event, sequence: sequence, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// JSON text for byte output.
public enum JSONText {
    /// Appends `text` as a JSON string literal.
    public static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(0x22)
        let hex = Array("0123456789abcdef".utf8)
        for byte in text.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: output.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: output.append(contentsOf: [0x5C, 0x72])
            case 0x09: output.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20: output.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }
}

/// The field-by-field writer behind `EventJSON`.
private struct JSONWriter {
    var output: [UInt8]
    let instrument: Instrument?

    mutating func raw(_ text: StaticString) {
        output.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    mutating func key(_ name: StaticString) {
        raw(",\"")
        raw(name)
        raw("\":")
    }

    mutating func string(_ text: String) { JSONText.appendString(text, to: &output) }

    mutating func integer<T: BinaryInteger>(_ value: T) { output.append(contentsOf: String(value).utf8) }

    mutating func bool(_ value: Bool) { value ? raw("true") : raw("false") }

    mutating func time(_ value: Timestamp) {
        output.append(0x22)
        value.appendISO8601(to: &output)
        output.append(0x22)
    }

    /// A double as a JSON number, or null when it is not finite.
    mutating func double(_ value: Double) {
        value.isFinite ? output.append(contentsOf: "\(value)".utf8) : raw("null")
    }

    mutating func decimal<T: FixedWidthInteger & SignedInteger>(_ units: T, scale: Int, minimum: Int) {
        output.append(0x22)
        FixedPoint.append(units, scale: scale, minimumFractionDigits: minimum, to: &output)
        output.append(0x22)
    }

    mutating func price(_ value: Price) {
        decimal(value.units, scale: instrument?.priceScale ?? 0, minimum: instrument?.priceDisplayDecimals ?? 0)
    }

    mutating func optionalPrice(_ value: Price?) {
        if let value { price(value) } else { raw("null") }
    }

    mutating func size(_ value: Quantity) {
        decimal(value.units, scale: instrument?.sizeScale ?? 0, minimum: instrument?.sizeDisplayDecimals ?? 0)
    }

    /// Money at the instrument's price scale (quote-currency amounts).
    mutating func money(_ value: Money) {
        decimal(value.units, scale: instrument?.priceScale ?? 0, minimum: 0)
    }

    mutating func rate(_ value: Rate) { decimal(value.units, scale: Rate.scale, minimum: 0) }

    mutating func code<Code: EventCode>(_ value: Code) { string(value.label) }

    /// A JSON array with `element` writing each item.
    mutating func array<Items: Sequence>(_ items: Items, _ element: (inout JSONWriter, Items.Element) -> Void) {
        raw("[")
        var first = true
        for item in items {
            if !first { raw(",") }
            first = false
            element(&self, item)
        }
        raw("]")
    }

    /// Levels as `[["price","size"],…]`, like the venues send them.
    mutating func levels(_ levels: ArraySlice<BookLevel>) {
        array(levels) { writer, level in
            writer.raw("[")
            writer.price(level.price)
            writer.raw(",")
            writer.size(level.size)
            writer.raw("]")
        }
    }

    mutating func hash(_ value: Hash256) { string(value.description) }

    mutating func payload(_ body: Event.Body) {
        switch body {
        case .trade(let trade):
            key("price"); price(trade.price)
            key("size"); size(trade.size)
            key("aggressor"); code(trade.aggressor)
            key("trade_id"); integer(trade.tradeID)
        case .quote(let quote):
            key("bid_price"); price(quote.bidPrice)
            key("bid_size"); size(quote.bidSize)
            key("ask_price"); price(quote.askPrice)
            key("ask_size"); size(quote.askSize)
            key("update_id"); integer(quote.updateID)
        case .bookDelta(let delta):
            key("bids"); levels(delta.bids)
            key("asks"); levels(delta.asks)
            key("first_update_id"); integer(delta.firstUpdateID)
            key("last_update_id"); integer(delta.lastUpdateID)
            key("previous_update_id"); integer(delta.previousUpdateID)
        case .bookSnapshot(let snapshot):
            key("bids"); levels(snapshot.bids)
            key("asks"); levels(snapshot.asks)
            key("last_update_id"); integer(snapshot.lastUpdateID)
        case .bar(let bar):
            key("interval_ns"); integer(bar.intervalNanos)
            key("open"); price(bar.open)
            key("high"); price(bar.high)
            key("low"); price(bar.low)
            key("close"); price(bar.close)
            key("volume"); size(bar.volume)
            key("quote_volume"); money(bar.quoteVolume)
            key("trades"); integer(bar.tradeCount)
            key("taker_buy_volume"); size(bar.takerBuyVolume)
            key("taker_buy_quote_volume"); money(bar.takerBuyQuoteVolume)
        case .fundingRate(let funding):
            key("rate"); rate(funding.rate)
            key("funding_time"); time(funding.fundingTime)
            key("interval_ns"); integer(funding.intervalNanos)
        case .markPrice(let mark):
            key("mark_price"); price(mark.mark)
            key("index_price"); optionalPrice(mark.index)
            key("settle_price"); optionalPrice(mark.estimatedSettle)
        case .openInterest(let interest):
            key("open_interest"); size(interest.openInterest)
            key("value"); if let value = interest.value { money(value) } else { raw("null") }
        case .liquidationPrint(let print):
            key("side"); code(print.side)
            key("price"); price(print.price)
            key("size"); size(print.size)
            key("average_price"); optionalPrice(print.averagePrice)
        case .sentiment(let reading):
            key("value"); decimal(reading.value, scale: instrument?.priceScale ?? 0, minimum: 0)
        case .onChainTransfer(let transfer):
            key("txid"); hash(transfer.transactionID)
            key("amount"); size(transfer.amount)
            key("fee"); size(transfer.fee)
            key("flow"); code(transfer.flow)
            key("inputs"); integer(transfer.inputCount)
            key("outputs"); integer(transfer.outputCount)
        case .onChainMetric(let metric):
            key("metric"); code(metric.metric)
            key("value"); decimal(metric.value, scale: OnChainMetric.valueScale, minimum: 0)
        default:
            decisionPayload(body)
        }
    }

    mutating func decisionPayload(_ body: Event.Body) {
        switch body {
        case .signal(let signal):
            key("strategy"); integer(signal.strategy)
            key("causation"); integer(signal.causation)
            key("kind"); code(signal.kind)
            key("quantity"); size(signal.quantity)
            key("price"); price(signal.price)
            key("strength"); double(signal.strength)
            key("features")
            array(signal.features) { writer, feature in
                writer.raw("{\"feature\":"); writer.integer(feature.feature)
                writer.key("value"); writer.double(feature.value)
                writer.raw("}")
            }
            key("order_type"); code(signal.orderType)
            key("time_in_force"); code(signal.timeInForce)
            key("trigger_price"); price(signal.triggerPrice)
            key("post_only"); bool(signal.postOnly)
            key("display_quantity"); size(signal.displayQuantity)
        case .riskDecision(let decision):
            key("causation"); integer(decision.causation)
            key("order_id"); integer(decision.orderID)
            key("verdict"); code(decision.verdict)
            key("requested_quantity"); size(decision.requestedQuantity)
            key("approved_quantity"); size(decision.approvedQuantity)
            key("rules")
            array(decision.rules) { writer, rule in
                writer.raw("{\"rule\":"); writer.integer(rule.rule)
                writer.key("passed"); writer.bool(rule.passed)
                writer.key("measured"); writer.double(rule.measured)
                writer.key("limit"); writer.double(rule.limit)
                writer.raw("}")
            }
            key("sizing")
            array(decision.sizing) { writer, input in
                writer.raw("{\"input\":"); writer.integer(input.input)
                writer.key("value"); writer.double(input.value)
                writer.raw("}")
            }
            key("state_hash"); hash(decision.stateHash)
        case .orderSubmitted(let order):
            key("order_id"); integer(order.orderID)
            key("causation"); integer(order.causation)
            key("parent_order_id"); integer(order.parentOrderID)
            key("side"); code(order.side)
            key("order_type"); code(order.orderType)
            key("time_in_force"); code(order.timeInForce)
            key("reduce_only"); bool(order.reduceOnly)
            key("post_only"); bool(order.postOnly)
            key("quantity"); size(order.quantity)
            key("price"); price(order.price)
            key("trigger_price"); price(order.triggerPrice)
            key("display_quantity"); size(order.displayQuantity)
            key("expire_time"); time(order.expireTime)
            key("algorithm"); code(order.algorithm)
        case .orderAccepted(let accepted):
            key("order_id"); integer(accepted.orderID)
            key("venue_order_id"); integer(accepted.venueOrderID)
            key("causation"); integer(accepted.causation)
        case .orderAmended(let amended):
            key("order_id"); integer(amended.orderID)
            key("quantity"); size(amended.quantity)
            key("price"); price(amended.price)
            key("trigger_price"); price(amended.triggerPrice)
            key("causation"); integer(amended.causation)
        case .orderCanceled(let canceled):
            key("order_id"); integer(canceled.orderID)
            key("reason"); integer(canceled.reason)
            key("causation"); integer(canceled.causation)
        case .orderRejected(let rejected):
            key("order_id"); integer(rejected.orderID)
            key("reason"); integer(rejected.reason)
            key("causation"); integer(rejected.causation)
        case .orderExpired(let expired):
            key("order_id"); integer(expired.orderID)
            key("causation"); integer(expired.causation)
        case .fill(let fill):
            key("order_id"); integer(fill.orderID)
            key("fill_id"); integer(fill.fillID)
            key("causation"); integer(fill.causation)
            key("side"); code(fill.side)
            key("price"); price(fill.price)
            key("quantity"); size(fill.quantity)
            key("fee"); money(fill.fee)
            key("liquidity"); code(fill.liquidity)
        case .fundingPayment(let payment):
            key("causation"); integer(payment.causation)
            key("position"); size(payment.position)
            key("mark_price"); price(payment.markPrice)
            key("rate"); rate(payment.rate)
            key("amount"); money(payment.amount)
        case .liquidation(let liquidation):
            key("causation"); integer(liquidation.causation)
            key("side"); code(liquidation.side)
            key("quantity"); size(liquidation.quantity)
            key("price"); price(liquidation.price)
            key("loss"); money(liquidation.loss)
        case .killSwitch(let kill):
            key("causation"); integer(kill.causation)
            key("action"); code(kill.action)
            key("reason"); integer(kill.reason)
            key("until"); time(kill.until)
        default:
            runPayload(body)
        }
    }

    mutating func runPayload(_ body: Event.Body) {
        switch body {
        case .runStarted(let run):
            key("source_journal"); string(run.sourceJournal.description)
            key("source_first_seq"); integer(run.sourceFirstSequence)
            key("source_last_seq"); integer(run.sourceLastSequence)
            key("config_hash"); hash(run.configurationHash)
            key("code_version"); string(run.codeVersion)
            key("seed"); integer(run.seed)
            key("kind"); code(run.kind)
        case .runEnded(let run):
            key("status"); code(run.status)
            key("last_source_seq"); integer(run.lastSourceSequence)
            key("event_count"); integer(run.eventCount)
        case .foldBoundary(let fold):
            key("fold"); integer(fold.fold)
            key("phase"); code(fold.phase)
            key("start"); time(fold.start)
            key("end"); time(fold.end)
            key("first_seq"); integer(fold.firstSequence)
            key("last_seq"); integer(fold.lastSequence)
        case .checkpoint(let checkpoint):
            key("step"); integer(checkpoint.step)
            key("content_hash"); hash(checkpoint.contentHash)
            key("path"); string(checkpoint.path)
        case .annotation(let note):
            key("text"); string(note.text)
        default:
            preconditionFailure("every event type is written above")
        }
    }
}
