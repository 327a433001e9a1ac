/// The formats `tape import` reads, by the name the command line uses.
public enum ImportFormat: String, CaseIterable, Sendable {
    case binanceStream = "binance-stream"
    case binanceTrades = "binance-trades"
    case binanceAggregateTrades = "binance-aggtrades"
    case binanceKlines = "binance-klines"
    case binanceBookTicker = "binance-bookticker"
    case binanceFunding = "binance-funding"
    case tradesCSV = "trades-csv"
    case barsCSV = "bars-csv"
    case fearGreed = "fear-greed"
    case whaleTransfers = "whale-transfers"

    /// One line about what the format is.
    public var summary: String {
        switch self {
        case .binanceStream: "Binance websocket capture: '<receive time> <combined-stream JSON>' lines"
        case .binanceTrades: "Binance data-dump trades CSV (spot or USD-M futures)"
        case .binanceAggregateTrades: "Binance data-dump aggTrades CSV (spot or USD-M futures)"
        case .binanceKlines: "Binance data-dump klines CSV (any interval)"
        case .binanceBookTicker: "Binance data-dump bookTicker CSV (USD-M futures)"
        case .binanceFunding: "Binance data-dump fundingRate CSV (USD-M futures)"
        case .tradesCSV: "any trades CSV; --map names the columns (time, price, size, …)"
        case .barsCSV: "any OHLC(V) CSV; --map names the columns, --interval the bar length"
        case .fearGreed: "Crypto Fear & Greed Index daily CSV (alternative.me)"
        case .whaleTransfers: "JSON list of large on-chain transfers (wai-collector whale_data.json)"
        }
    }

    /// The instrument used when `--instrument` is not given.
    public var defaultInstrument: String? {
        switch self {
        case .fearGreed: "FEAR_GREED.ALTERNATIVE_ME"
        case .whaleTransfers: "BTC.BITCOIN"
        default: nil
        }
    }

    /// Whether rows name their instrument (so one import may hold several).
    var namesInstruments: Bool { self == .binanceStream }

    /// Whether the format reads a column mapping.
    var takesMapping: Bool { self == .tradesCSV || self == .barsCSV }
}
