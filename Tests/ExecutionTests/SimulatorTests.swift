import Events
import Execution
import Projections
import TapeCore
import Testing

typealias H = SimulatorHarness

/// Every order type on books built by hand, against the fills a careful reader of
/// specs/execution.md expects.
@Suite("Execution simulator")
struct SimulatorTests {
    static func fill(_ order: UInt64, _ size: String, _ price: String, _ liquidity: Liquidity = .taker, fee: Int128? = nil) -> (UInt64, String, String, Liquidity, Int128?) {
        (order, size, price, liquidity, fee)
    }

    /// Checks the fills' orders, sizes, prices and liquidity (and fees where given).
    static func expect(_ harness: H, _ expected: [(UInt64, String, String, Liquidity, Int128?)], sourceLocation: SourceLocation = #_sourceLocation) {
        let fills = harness.fills
        #expect(fills.map { "#\($0.order) \($0.size)@\($0.price) \($0.liquidity.label)" } == expected.map { "#\($0.0) \($0.1)@\($0.2) \($0.3.label)" },
                sourceLocation: sourceLocation)
        for (fill, want) in zip(fills, expected) {
            if let fee = want.4 { #expect(fill.fee == fee, "fee of \(fill)", sourceLocation: sourceLocation) }
        }
    }

    static func standardBook(_ harness: inout H) {
        harness.book(bids: [("99.9", "1"), ("99.8", "2"), ("99.5", "4")], asks: [("100", "1"), ("100.1", "2"), ("100.3", "5")])
    }

    @Test("market orders walk the book level by level as takers, with the taker fee of each fill's notional")
    func marketWalksBook() throws {
        var market = try H()
        Self.standardBook(&market)
        let buy = market.submit(H.order(.buy, "2.5"))
        let sell = market.submit(H.order(.sell, "3.5"))
        // 0.0004 × 100 USDT = 0.04 USDT, in 10⁻⁸ USDT (the price scale).
        Self.expect(market, [Self.fill(buy, "1", "100", fee: 4_000_000), Self.fill(buy, "1.5", "100.1", fee: 6_006_000),
                             Self.fill(sell, "1", "99.9"), Self.fill(sell, "2", "99.8"), Self.fill(sell, "0.5", "99.5")])
        #expect(market.orderLog == ["submitted 1", "accepted 1", "submitted 2", "accepted 2"])
        #expect(market.simulator.position(H.id) == -H.size("1"))
        #expect(market.simulator.workingOrders.isEmpty)
    }

    @Test("beyond the book, and without one, the rest is priced by the slippage model against the taker")
    func slippage() throws {
        var options = ExecutionOptions()
        options.slippage = .fixed(basisPoints: 10)
        var market = try H(options)
        Self.standardBook(&market)
        let deep = market.submit(H.order(.buy, "9"))
        // 8 on the book; 1 more at 100.3 + 10 bps = 100.4003, rounded up to the tick.
        Self.expect(market, [Self.fill(deep, "1", "100"), Self.fill(deep, "2", "100.1"), Self.fill(deep, "5", "100.3"), Self.fill(deep, "1", "100.5")])

        var quoted = try H(options, book: false)
        quoted.quote(bid: "99.9", "1", ask: "100", "1")
        let buy = quoted.submit(H.order(.buy, "3"))
        let sell = quoted.submit(H.order(.sell, "0.5"))
        Self.expect(quoted, [Self.fill(buy, "1", "100"), Self.fill(buy, "2", "100.1"), Self.fill(sell, "0.5", "99.9")])

        var traded = try H(options, book: false)
        let none = traded.submit(H.order(.buy, "1"))
        traded.trade("100", "1")
        let after = traded.submit(H.order(.sell, "1"))
        // 100 − 10 bps = 99.9, already on the tick.
        Self.expect(traded, [Self.fill(after, "1", "99.9")])
        #expect(traded.orderLog == ["submitted \(none)", "accepted \(none)", "canceled \(none) no_market", "submitted \(after)", "accepted \(after)"])

        var spread = ExecutionOptions()
        spread.slippage = .spread(fraction: 0.5)
        var half = try H(spread, book: false)
        half.quote(bid: "99", "1", ask: "100", "1")
        let spreadBuy = half.submit(H.order(.buy, "2"))
        Self.expect(half, [Self.fill(spreadBuy, "1", "100"), Self.fill(spreadBuy, "1", "100.5")])

        var impact = ExecutionOptions()
        impact.slippage = .squareRoot(coefficient: 0.01, window: 60_000_000_000)
        var root = try H(impact, book: false)
        root.trade("100", "4")
        let rootBuy = root.submit(H.order(.buy, "1"))
        // 100 × (1 + 0.01 × √(1/4)) = 100.5.
        Self.expect(root, [Self.fill(rootBuy, "1", "100.5")])
    }

    @Test("a resting limit order fills as maker only when the market trades through its price, up to each trade's size")
    func limitFillsOnTradeThrough() throws {
        var options = ExecutionOptions()
        options.makerFee = Rate(units: -100_000_000_000_000)  // a 0.0001 rebate
        var market = try H(options)
        Self.standardBook(&market)
        let bid = market.submit(H.order(.buy, "2", type: .limit, price: "99.9"))
        market.trade("99.9", "5")
        #expect(market.fills.isEmpty, "a trade at the price does not fill without the queue model")
        market.trade("99.8", "0.5")
        market.trade("99.7", "3")
        Self.expect(market, [Self.fill(bid, "0.5", "99.9", .maker, fee: -499_500), Self.fill(bid, "1.5", "99.9", .maker)])
        #expect(market.simulator.workingOrders.isEmpty)
    }

    @Test("with the queue model, a limit order fills at its price once the size ahead of it has traded; shrinking levels move it up")
    func queuePosition() throws {
        var options = ExecutionOptions()
        options.queuePosition = true
        var market = try H(options)
        Self.standardBook(&market)
        let bid = market.submit(H.order(.buy, "1", type: .limit, price: "99.8"))  // 2 ahead
        market.trade("99.8", "1.5")
        #expect(market.fills.isEmpty)
        market.change(bids: [("99.8", "0.2")])  // cancels: only 0.2 can still be ahead
        market.trade("99.8", "0.7")
        Self.expect(market, [Self.fill(bid, "0.5", "99.8", .maker)])
        market.trade("99.8", "2")
        Self.expect(market, [Self.fill(bid, "0.5", "99.8", .maker), Self.fill(bid, "0.5", "99.8", .maker)])
    }

    @Test("a marketable limit takes up to its price and rests the rest; post-only that would take is canceled")
    func marketableLimit() throws {
        var market = try H()
        Self.standardBook(&market)
        let bid = market.submit(H.order(.buy, "4", type: .limit, price: "100.1"))
        Self.expect(market, [Self.fill(bid, "1", "100"), Self.fill(bid, "2", "100.1")])
        #expect(market.simulator.workingOrders.map(\.filled.units) == [H.size("3")])
        let post = market.submit(H.order(.buy, "1", type: .limit, price: "100.3", postOnly: true))
        let passive = market.submit(H.order(.sell, "1", type: .limit, price: "100.3", postOnly: true))
        #expect(market.orderLog.suffix(5) == ["submitted \(post)", "accepted \(post)", "canceled \(post) would_take", "submitted \(passive)", "accepted \(passive)"])
        #expect(market.simulator.workingOrders.map(\.id) == [bid, passive])
    }

    @Test("immediate-or-cancel fills what it can and cancels the rest; fill-or-kill fills whole or not at all")
    func immediateOrders() throws {
        var market = try H()
        Self.standardBook(&market)
        let ioc = market.submit(H.order(.buy, "2", type: .limit, price: "100", timeInForce: .immediateOrCancel))
        let killed = market.submit(H.order(.buy, "4", type: .limit, price: "100.1", timeInForce: .fillOrKill))
        let whole = market.submit(H.order(.buy, "2", type: .limit, price: "100.1", timeInForce: .fillOrKill))
        // The 1 at 100 went to the first order: what the run takes is gone until the book changes.
        Self.expect(market, [Self.fill(ioc, "1", "100"), Self.fill(whole, "2", "100.1")])
        market.change(asks: [("100", "1.5")])
        let again = market.submit(H.order(.buy, "1", type: .limit, price: "100", timeInForce: .fillOrKill))
        Self.expect(market, [Self.fill(ioc, "1", "100"), Self.fill(whole, "2", "100.1"), Self.fill(again, "1", "100")])
        #expect(market.orderLog.contains("canceled \(ioc) immediate_rest"))
        #expect(market.orderLog.contains("canceled \(killed) not_fillable"))
        #expect(market.simulator.workingOrders.isEmpty)
    }

    @Test("stop orders trigger on trades at or through their trigger: a stop then takes, a stop-limit then works as a limit")
    func stops() throws {
        var market = try H()
        Self.standardBook(&market)
        market.trade("100", "0.1")
        let stop = market.submit(H.order(.sell, "1.5", type: .stop, trigger: "99.5"))
        let stopLimit = market.submit(H.order(.buy, "3", type: .stopLimit, price: "100.1", trigger: "100.1"))
        market.trade("99.6", "1")
        market.trade("100", "1")
        #expect(market.fills.isEmpty)
        market.trade("100.1", "0.2")  // the buy stop-limit triggers: takes 1@100 and 2@100.1 (the book has not changed)
        Self.expect(market, [Self.fill(stopLimit, "1", "100"), Self.fill(stopLimit, "2", "100.1")])
        market.trade("99.5", "0.1")  // the sell stop triggers and walks the bids
        Self.expect(market, [Self.fill(stopLimit, "1", "100"), Self.fill(stopLimit, "2", "100.1"), Self.fill(stop, "1", "99.9"), Self.fill(stop, "0.5", "99.8")])
        #expect(market.simulator.workingOrders.isEmpty)
    }

    @Test("reduce-only orders never open or flip a position: refused when flat, cut to the position, the rest canceled")
    func reduceOnly() throws {
        var market = try H()
        Self.standardBook(&market)
        let refused = market.submit(H.order(.sell, "1", reduceOnly: true))
        let open = market.submit(H.order(.buy, "1"))
        let close = market.submit(H.order(.sell, "2", reduceOnly: true))
        Self.expect(market, [Self.fill(open, "1", "100"), Self.fill(close, "1", "99.9")])
        #expect(market.orderLog.contains("rejected \(refused) nothing_to_reduce"))
        #expect(market.orderLog.contains("canceled \(close) immediate_rest"))
        #expect(market.simulator.position(H.id) == 0)
    }

    @Test("an iceberg shows one slice at a time: each trade through fills at most the slice on show")
    func iceberg() throws {
        var market = try H()
        Self.standardBook(&market)
        let iceberg = market.submit(H.order(.buy, "1.2", type: .limit, price: "99.7", display: "0.5"))
        market.trade("99.6", "3")
        market.trade("99.6", "3")
        market.trade("99.6", "3")
        Self.expect(market, [Self.fill(iceberg, "0.5", "99.7", .maker), Self.fill(iceberg, "0.5", "99.7", .maker), Self.fill(iceberg, "0.2", "99.7", .maker)])
    }

    @Test("with latency an order is matched against the market of the first event at or after its arrival; cancels also wait")
    func latency() throws {
        var options = ExecutionOptions()
        options.submitLatency = 5_000_000
        options.cancelLatency = 5_000_000
        var market = try H(options)
        Self.standardBook(&market)
        let buy = market.submit(H.order(.buy, "1"))
        market.change(asks: [("100", "0")], after: 2_000_000)  // before it arrives, the best ask goes
        #expect(market.fills.isEmpty && market.orderLog == ["submitted \(buy)"])
        market.change(asks: [("100.2", "1")], after: 3_000_000)  // it arrives with this event
        Self.expect(market, [Self.fill(buy, "1", "100.1")])

        market.clear()
        let bid = market.submit(H.order(.buy, "1", type: .limit, price: "99"))
        market.trade("99", "1", after: 5_000_000)  // accepted
        market.simulator.cancel(bid, step: market.step, into: &market.events)
        market.trade("98.9", "0.4", after: 2_000_000)  // still working: fills
        market.trade("98.9", "0.4", after: 3_000_000)  // the cancel has arrived
        Self.expect(market, [Self.fill(bid, "0.4", "99", .maker)])
        #expect(market.orderLog.last == "canceled \(bid) requested")
    }

    @Test("good-till-time orders expire at their time and day orders at the end of the UTC day")
    func expiry() throws {
        var market = try H()
        Self.standardBook(&market)
        let gtd = market.submit(H.order(.buy, "1", type: .limit, price: "99", timeInForce: .goodTillTime, expire: market.time + 10_000_000))
        let day = market.submit(H.order(.buy, "1", type: .limit, price: "98", timeInForce: .day))
        market.trade("99.9", "1", after: 9_000_000)
        #expect(!market.orderLog.contains("expired \(gtd)"))
        market.trade("99.9", "1", after: 1_000_000)
        #expect(market.orderLog.last == "expired \(gtd)")
        market.trade("99.9", "1", after: 86_400_000_000_000)
        #expect(market.orderLog.last == "expired \(day)")
    }

    @Test("orders off the tick or lot are rejected; nothing else of them happens")
    func invalid() throws {
        var market = try H()
        Self.standardBook(&market)
        let offTick = market.submit(H.order(.buy, "1", type: .limit, price: "99.95"))
        let noTrigger = market.submit(H.order(.buy, "1", type: .stop))
        #expect(market.orderLog == ["submitted \(offTick)", "rejected \(offTick) invalid_price", "submitted \(noTrigger)", "rejected \(noTrigger) invalid_price"])
        #expect(market.fills.isEmpty)
    }

    @Test("TWAP sends equal market children at even times over its duration; the parent ends when they have filled")
    func twap() throws {
        var options = ExecutionOptions()
        options.twapDuration = 60_000_000_000
        options.twapSlices = 3
        var market = try H(options)
        Self.standardBook(&market)
        let parent = market.submit(H.order(.buy, "1", algorithm: .twap))
        market.trade("100", "0.1", after: 19_000_000_000)
        #expect(market.fills.count == 1)
        market.trade("100", "0.1", after: 1_000_000_000)  // 20 s: the second child
        market.trade("100", "0.1", after: 20_000_000_000)  // 40 s: the last, the rest of the whole
        Self.expect(market, [Self.fill(parent + 1, "0.333", "100"), Self.fill(parent + 2, "0.333", "100"), Self.fill(parent + 3, "0.334", "100")])
        #expect(market.orderLog.filter { $0.hasPrefix("submitted") } == ["submitted \(parent)", "submitted \(parent + 1) child of \(parent)",
                                                                         "submitted \(parent + 2) child of \(parent)", "submitted \(parent + 3) child of \(parent)"])
        market.trade("100", "0.1")
        #expect(market.simulator.workingOrders.isEmpty)
    }

    @Test("VWAP sizes its children by the volume profile of the window before it; POV follows the market's volume")
    func vwapAndPov() throws {
        var options = ExecutionOptions()
        options.vwapDuration = 30_000_000_000
        options.vwapBuckets = 3
        options.povParticipation = 0.25
        var market = try H(options)
        Self.standardBook(&market)
        // The last 30 s before the order traded 1, 0 and 3 in its three 10 s buckets.
        market.trade("100", "1", after: 1_000_000_000)
        market.trade("100", "3", after: 20_000_000_000)
        market.trade("100", "0.001", after: 10_000_000_000 - 1_000_000_000 - 2_000_000)
        let vwap = market.submit(H.order(.buy, "2", algorithm: .vwap))
        market.trade("100", "0.001", after: 10_000_000_000)
        market.trade("100", "0.001", after: 10_000_000_000)
        let children = market.events.compactMap { event -> String? in
            guard case .orderSubmitted(let order) = event.body, order.parentOrderID == vwap else { return nil }
            return H.text(order.quantity.units, scale: 3)
        }
        #expect(children == ["0.5", "1.5"], "weights 1 : 0 : 3")
        // The first child took half the 1 at 100; the book has not changed, so the second
        // finds only the other half there.
        Self.expect(market, [Self.fill(vwap + 1, "0.5", "100"), Self.fill(vwap + 2, "0.5", "100"), Self.fill(vwap + 2, "1", "100.1")])

        market.clear()
        let pov = market.submit(H.order(.sell, "1", algorithm: .pov))
        market.trade("99.9", "2")
        market.trade("99.9", "1")
        market.trade("99.9", "10")
        Self.expect(market, [Self.fill(pov + 1, "0.5", "99.9"), Self.fill(pov + 2, "0.25", "99.9"), Self.fill(pov + 3, "0.25", "99.9")])
        market.trade("99.9", "1")
        #expect(market.simulator.workingOrders.isEmpty)
    }

    @Test("canceling a parent cancels its working children; a schedule that ends unfilled cancels the rest")
    func parentCancel() throws {
        var options = ExecutionOptions()
        options.twapDuration = 60_000_000_000
        options.twapSlices = 2
        options.submitLatency = 1_000_000
        var market = try H(options)
        Self.standardBook(&market)
        let parent = market.submit(H.order(.buy, "1", algorithm: .twap))
        market.trade("100", "0.1")  // the parent arrives and sends its first child, which waits for its latency
        market.simulator.cancel(parent, step: market.step, into: &market.events)
        #expect(market.orderLog.suffix(2) == ["canceled \(parent + 1) parent_canceled", "canceled \(parent) requested"])

        var empty = try H(options, book: false)
        let lonely = empty.submit(H.order(.buy, "1", algorithm: .twap))
        for _ in 0..<5 { empty.feed(.markPrice(MarkPrice(mark: Price(units: H.price("100")), index: nil, estimatedSettle: nil)), after: 20_000_000_000) }
        #expect(empty.orderLog.contains("canceled \(lonely + 1) no_market"))
        #expect(empty.orderLog.last == "canceled \(lonely) schedule_ended")
        #expect(empty.simulator.workingOrders.isEmpty)
    }
}
