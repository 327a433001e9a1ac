extension DecodedBlock {
    /// The source sequence the run event at `index` reacted to; nil for an event that names
    /// none (market data, run boundaries, annotations).
    public func causation(at index: Int) -> UInt64? {
        let slot = Int(slots[index])
        switch types[index] {
        case .signal: return payloads.signals[slot].causation
        case .riskDecision: return payloads.riskDecisions[slot].causation
        case .orderSubmitted: return payloads.ordersSubmitted[slot].causation
        case .orderAccepted: return payloads.ordersAccepted[slot].causation
        case .orderAmended: return payloads.ordersAmended[slot].causation
        case .orderCanceled: return payloads.ordersCanceled[slot].causation
        case .orderRejected: return payloads.ordersRejected[slot].causation
        case .orderExpired: return payloads.ordersExpired[slot].causation
        case .fill: return payloads.fills[slot].causation
        case .fundingPayment: return payloads.fundingPayments[slot].causation
        case .liquidation: return payloads.liquidations[slot].causation
        case .killSwitch: return payloads.killSwitches[slot].causation
        default: return nil
        }
    }
}
