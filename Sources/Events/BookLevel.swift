public import TapeCore

/// One price level of an order book: the total size resting at a price.
public struct BookLevel: Hashable, Sendable {
    public var price: Price
    /// The total size at `price`; zero in a delta deletes the level.
    public var size: Quantity

    public init(price: Price, size: Quantity) {
        self.price = price
        self.size = size
    }
}
